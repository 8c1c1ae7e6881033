package io.ipam.core.engine;

import io.ipam.core.ErrorCode;

/**
 * The result codes the engine's rooms return, as constants (a switch or a compare, no lookup).
 */
final class ErrorCodes
{
    static final int SUBNET_NOT_FOUND = ErrorCode.SUBNET_NOT_FOUND.resultCode();
    static final int ADDRESS_INVALID = ErrorCode.ADDRESS_INVALID.resultCode();
    static final int ADDRESS_TAKEN = ErrorCode.ADDRESS_TAKEN.resultCode();
    static final int EXHAUSTED = ErrorCode.EXHAUSTED.resultCode();
    static final int OWNER_MISMATCH = ErrorCode.OWNER_MISMATCH.resultCode();
    static final int MALFORMED = ErrorCode.MALFORMED.resultCode();
    static final int BULK_TOO_LARGE = ErrorCode.BULK_TOO_LARGE.resultCode();
    static final int STORE_FULL = ErrorCode.STORE_FULL.resultCode();

    private ErrorCodes()
    {
    }
}

package io.ipam.core;

/**
 * Stable error codes. The numbers are part of the contract: they never change and are never reused.
 * On the hot path a code travels as the negative of {@link #value()}.
 */
public enum ErrorCode
{
    SUBNET_NOT_FOUND(1),
    SUBNET_EXISTS(2),
    SUBNET_OVERLAP(3),
    SUBNET_IN_USE(4),
    MALFORMED(5),
    CIDR_INVALID(6),
    ADDRESS_INVALID(7),
    ADDRESS_TAKEN(8),
    EXHAUSTED(9),
    POOL_INVALID(10),
    POOL_OUT_OF_BOUNDS(11),
    POOL_OVERLAP(12),
    GATEWAY_INVALID(13),
    GATEWAY_IN_POOL(14),
    GATEWAY_IN_USE(15),
    OWNER_MISMATCH(16),
    BULK_TOO_LARGE(17),
    PREFIX_UNAVAILABLE(18),
    PREFIX_LENGTH(19),
    QUOTA_EXCEEDED(20),
    POOL_NOT_FOUND(21),
    POOL_EXISTS(22),
    OVERLOADED(23),
    CLOSED(24),
    STORE_IO(25),
    STORE_CORRUPT(26),
    STORE_FULL(27),
    /**
     * Not in SPEC section 7: the writer hit an unexpected fault while handling this request. The fault went to
     * the error handler and the writer-errors counter; the writer keeps serving.
     */
    INTERNAL(28),

    /**
     * A configured bound was reached (subnets, pools per subnet, allocations in memory mode, changes kept).
     */
    LIMIT_EXCEEDED(29),

    /**
     * Outside a tenant view's rights: another tenant named, or an administrative call.
     */
    FORBIDDEN(30);

    private static final ErrorCode[] BY_VALUE;

    static
    {
        int max = 0;
        for (final ErrorCode code : values())
        {
            max = Math.max(max, code.value);
        }
        BY_VALUE = new ErrorCode[max + 1];
        for (final ErrorCode code : values())
        {
            BY_VALUE[code.value] = code;
        }
    }

    private final int value;

    ErrorCode(final int value)
    {
        this.value = value;
    }

    /**
     * The fixed number of this code.
     *
     * @return the number, 1 or more.
     */
    public int value()
    {
        return value;
    }

    /**
     * The code with the given number.
     *
     * @param value a number from {@link #value()}.
     * @return the code, or null if no code has that number.
     */
    /**
     * @return this error as a result code, as the engine returns it and a reply carries it: minus its value (results
     * of 0 and above are successes).
     */
    public int resultCode()
    {
        return -value;
    }

    /**
     * @param resultCode a result code.
     * @return the error a negative result code stands for, or null (a success, or a value not defined here).
     */
    public static ErrorCode ofResultCode(final int resultCode)
    {
        return resultCode < 0 ? fromValue(-resultCode) : null;
    }

    public static ErrorCode fromValue(final int value)
    {
        return value > 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    }
}

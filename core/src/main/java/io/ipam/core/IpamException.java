package io.ipam.core;

import java.util.Objects;

/**
 * The one exception of the public API: a stable {@link ErrorCode} and a message naming the bad input.
 * Messages never contain another tenant's subnets or addresses.
 */
public class IpamException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /**
     * @param code    the stable code.
     * @param message what was wrong, naming the input.
     */
    public IpamException(final ErrorCode code, final String message)
    {
        super(code.name() + ": " + message);
        this.code = Objects.requireNonNull(code, "code");
    }

    /**
     * @param code    the stable code.
     * @param message what was wrong, naming the input.
     * @param cause   the underlying failure (I/O and similar).
     */
    public IpamException(final ErrorCode code, final String message, final Throwable cause)
    {
        super(code.name() + ": " + message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /**
     * @return the message without the code in front: what to pass on when the same failure is reported again
     * (across the writer, a network hop).
     */
    public String reason()
    {
        final String m = getMessage();
        final String prefix = code().name() + ": ";
        return m != null && m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }

    /**
     * @return the stable code of this failure.
     */
    public ErrorCode code()
    {
        return code;
    }
}

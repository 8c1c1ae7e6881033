package io.ipam.cluster;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.protocol.BatchCommandFlyweight;
import io.ipam.core.protocol.CommandHeader;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.protocol.OptionsFlyweight;
import io.ipam.core.protocol.Wire;
import org.agrona.DirectBuffer;

/**
 * A tenant's session runs in that tenant's view whatever its commands' bodies say (SPEC 8): the member checks each
 * command of a session authenticated as tenant T against the state before it is applied, as a local tenant view
 * checks at its edge. A scope written in the body must be T (null, the whole allocator, is FORBIDDEN); a subnet named
 * by handle or id must be one of T's (else SUBNET_NOT_FOUND, as if it did not exist); {@code CREATE_SUBNET} and
 * {@code ALLOCATE_PREFIX} must name T (else FORBIDDEN); whole-state and admin commands are FORBIDDEN; a type this
 * guard does not know is FORBIDDEN. Administrator sessions are not checked. Deterministic: it reads the command and
 * replicated state only. Service thread only, between commands (the state does not move under it).
 */
final class TenantGuard
{
    /** What the guard needs of the state: whose a subnet is. */
    interface Tenancy
    {
        /**
         * @param tenant a tenant.
         * @param handle a subnet handle.
         * @return true if a subnet of that tenant has the handle.
         */
        boolean hasHandle(String tenant, int handle);

        /**
         * @param tenant   a tenant.
         * @param subnetId a subnet id.
         * @return true if that tenant has a subnet of that id.
         */
        boolean hasSubnet(String tenant, String subnetId);
    }

    private static final int HOT_HANDLE_OFFSET = CommandHeader.LENGTH;
    private static final int KIND_SPECIFIC = 2;
    private static final int KIND_EUI64 = 3;

    private final Tenancy tenancy;
    private final Wire in = new Wire();
    private final OptionsFlyweight options = new OptionsFlyweight();
    private ErrorCode code;
    private String message;

    TenantGuard(final Tenancy tenancy)
    {
        this.tenancy = tenancy;
    }

    /**
     * @return the refusal's error code after {@link #check} said no.
     */
    ErrorCode code()
    {
        return code;
    }

    /**
     * @return the refusal's message after {@link #check} said no (never names another tenant's subnet).
     */
    String message()
    {
        return message;
    }

    /**
     * @param tenant the session's tenant (never null: administrators are not checked).
     * @param type   the command's type.
     * @param buffer the command.
     * @param offset where it starts (its header).
     * @param length its bytes.
     * @return true if it may be applied; else {@link #code()} and {@link #message()} say why not.
     */
    boolean check(final String tenant, final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        try
        {
            return checkType(tenant, type, buffer, offset, length);
        }
        catch (final IpamException | IndexOutOfBoundsException ex)
        {
            return refuse(ErrorCode.MALFORMED, "a " + MessageTypes.name(type) + " command whose body does not parse");
        }
    }

    private boolean checkType(final String tenant, final int type, final DirectBuffer buffer, final int offset,
        final int length)
    {
        if (length < CommandHeader.LENGTH)
        {
            return refuse(ErrorCode.MALFORMED, "a command shorter than its header");
        }
        switch (type)
        {
            case MessageTypes.ALLOCATE:
            case MessageTypes.ALLOCATE_NEXT:
            case MessageTypes.ALLOCATE_SPECIFIC:
            case MessageTypes.ALLOCATE_EUI64:
            case MessageTypes.RELEASE:
            case MessageTypes.RELEASE_CHECKED:
            case MessageTypes.OWNER_OF:
            case MessageTypes.ALLOCATE_BULK:
                return hot(tenant, buffer, offset, length);
            case MessageTypes.ALLOCATE_PORT:
                return port(tenant, body(buffer, offset, length));
            case MessageTypes.BATCH:
                return batch(tenant, buffer, offset, length);
            case MessageTypes.WITH_OPTIONS:
                return options(tenant, buffer, offset, length);
            case MessageTypes.RELEASE_OWNER:
            case MessageTypes.ALLOCATIONS_OF:
            case MessageTypes.RENEW:
            case MessageTypes.SUBNET_INFO:
            case MessageTypes.LIST_SUBNETS:
            case MessageTypes.UPDATE_POOLS:
            case MessageTypes.UPDATE_GATEWAY:
            case MessageTypes.DELETE_SUBNET:
            case MessageTypes.SUBNET_STATS:
            case MessageTypes.RELEASE_PREFIX:
            case MessageTypes.CHILDREN:
            case MessageTypes.RECONCILE:
            case MessageTypes.CHANGES:
            case MessageTypes.LAST_SEQUENCE:
            case MessageTypes.SUBNET_MAP:
            case MessageTypes.UPDATE_SUBNET: // another tenant's subnet is then SUBNET_NOT_FOUND (the engine's view)
            case MessageTypes.RECONCILE_SUBNET:
                return scope(tenant, body(buffer, offset, length).getString(), type);
            case MessageTypes.CREATE_SUBNET:
            {
                final Wire w = body(buffer, offset, length);
                w.getString(); // id
                return named(tenant, w.getString(), "creates subnets");
            }
            case MessageTypes.ALLOCATE_PREFIX:
            {
                final Wire w = body(buffer, offset, length);
                w.getString(); // pool id
                return named(tenant, w.getString(), "allocates prefixes");
            }
            case MessageTypes.RESOLVE_SUBNET:
            {
                final String id = body(buffer, offset, length).getString();
                return ours(tenancy.hasSubnet(tenant, id));
            }
            case MessageTypes.PREFIX_POOL_INFO: // prefix pools are shared (SPEC 8)
            case MessageTypes.LIST_PREFIX_POOLS:
            case MessageTypes.TICK: // its time is the log's; it changes only what is due
                return true;
            default: // CREATE_PREFIX_POOL, ADD_PREFIXES, REMOVE_PREFIXES, CAPTURE, the cluster's own, unknown types
                return refuse(ErrorCode.FORBIDDEN, MessageTypes.name(type) +
                    " is not allowed to a tenant's credential");
        }
    }

    private Wire body(final DirectBuffer buffer, final int offset, final int length)
    {
        return in.readFrom(buffer, offset + CommandHeader.LENGTH, length - CommandHeader.LENGTH);
    }

    private boolean hot(final String tenant, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HOT_HANDLE_OFFSET + 4)
        {
            return refuse(ErrorCode.MALFORMED, "a hot command shorter than its subnet handle");
        }
        return ours(tenancy.hasHandle(tenant, buffer.getInt(offset + HOT_HANDLE_OFFSET)));
    }

    /**
     * Every entry of a BATCH names one of the tenant's subnets, or the whole batch is refused before any of it runs.
     */
    private boolean batch(final String tenant, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < BatchCommandFlyweight.ENTRIES_OFFSET)
        {
            return refuse(ErrorCode.MALFORMED, "a BATCH shorter than its entry count");
        }
        final int n = buffer.getInt(offset + BatchCommandFlyweight.COUNT_OFFSET);
        if (n < 1 || n > (length - BatchCommandFlyweight.ENTRIES_OFFSET) / BatchCommandFlyweight.ENTRY_LENGTH)
        {
            return refuse(ErrorCode.MALFORMED, "a BATCH of " + n + " entries in " + length + " bytes");
        }
        for (int i = 0; i < n; i++)
        {
            final int entry = offset + BatchCommandFlyweight.ENTRIES_OFFSET + i * BatchCommandFlyweight.ENTRY_LENGTH;
            if (buffer.getInt(entry + BatchCommandFlyweight.TYPE_OFFSET) != BatchCommandFlyweight.SKIPPED &&
                !ours(tenancy.hasHandle(tenant, buffer.getInt(entry + BatchCommandFlyweight.BODY_OFFSET))))
            {
                return false;
            }
        }
        return true;
    }

    private boolean port(final String tenant, final Wire w)
    {
        w.getLong(); // owner
        w.getLong();
        final int n = w.getCount(6);
        for (int i = 0; i < n; i++)
        {
            final int kind = w.getByte();
            final int handles = w.getCount(4);
            for (int h = 0; h < handles; h++)
            {
                if (!ours(tenancy.hasHandle(tenant, w.getInt())))
                {
                    return false;
                }
            }
            if (kind == KIND_SPECIFIC)
            {
                w.getAddress();
            }
            else if (kind == KIND_EUI64)
            {
                w.getLong();
            }
        }
        return true;
    }

    private boolean options(final String tenant, final DirectBuffer buffer, final int offset, final int length)
    {
        options.wrap(buffer, offset, length);
        if (!scope(tenant, options.scope(), MessageTypes.WITH_OPTIONS))
        {
            return false;
        }
        final int innerType = options.innerType();
        final int inner = options.innerOffset();
        final int innerLength = options.innerLength();
        if (innerLength < CommandHeader.LENGTH)
        {
            return refuse(ErrorCode.MALFORMED, "the command inside WITH_OPTIONS is shorter than its header");
        }
        if (innerType == MessageTypes.ALLOCATE_PORT)
        {
            return port(tenant, body(buffer, inner, innerLength));
        }
        if (innerType >= MessageTypes.ALLOCATE && innerType <= MessageTypes.ALLOCATE_EUI64 ||
            innerType == MessageTypes.ALLOCATE_BULK)
        {
            return hot(tenant, buffer, inner, innerLength);
        }
        return refuse(ErrorCode.MALFORMED, "WITH_OPTIONS around " + MessageTypes.name(innerType));
    }

    private boolean scope(final String tenant, final String scope, final int type)
    {
        if (!tenant.equals(scope))
        {
            return refuse(ErrorCode.FORBIDDEN, MessageTypes.name(type) + " for " + (scope == null ?
                "the whole allocator" : "another tenant") + " is not allowed to tenant " + tenant + "'s credential");
        }
        return true;
    }

    private boolean named(final String tenant, final String named, final String what)
    {
        if (!tenant.equals(named))
        {
            return refuse(ErrorCode.FORBIDDEN, "tenant " + tenant + "'s credential " + what + " for tenant " + tenant +
                " only");
        }
        return true;
    }

    private boolean ours(final boolean ours)
    {
        if (!ours)
        {
            return refuse(ErrorCode.SUBNET_NOT_FOUND, "subnet not found");
        }
        return true;
    }

    private boolean refuse(final ErrorCode error, final String why)
    {
        code = error;
        message = why;
        return false;
    }
}

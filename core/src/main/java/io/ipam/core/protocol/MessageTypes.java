package io.ipam.core.protocol;

/**
 * Every command's type id, in one place. The numbers are part of the command log format
 * ({@code docs/command-log.md}): never reuse or renumber one; add new ones at the end of their group.
 * <p>
 * Every command starts with the {@link CommandHeader}; its body is written and read by one flyweight, the same
 * on both sides ({@link #flyweight(int)}): hot commands (ids 1-8) by {@link HotCommandFlyweight}, a fixed layout,
 * the others by flyweights whose fields follow in sequence ({@link Wire}). A scope is the tenant of the view that
 * sent the command (null for the whole allocator): a command never sees or changes another tenant's subnets
 * through a view.
 */
public final class MessageTypes
{
    /** Allocate by the subnet's strategy. Hot body: handle, owner. */
    public static final int ALLOCATE = 1;
    /** Allocate the lowest free address. Hot body: handle, owner. */
    public static final int ALLOCATE_NEXT = 2;
    /** Allocate a given address. Hot body: handle, address, owner. */
    public static final int ALLOCATE_SPECIFIC = 3;
    /** Allocate the EUI-64 address of a MAC. Hot body: handle, address = the MAC, owner. */
    public static final int ALLOCATE_EUI64 = 4;
    /** Release, whoever holds it. Hot body: handle, address. */
    public static final int RELEASE = 5;
    /** Release if the owner matches. Hot body: handle, address, owner. */
    public static final int RELEASE_CHECKED = 6;
    /** Owner of an address (a query). Hot body: handle, address. */
    public static final int OWNER_OF = 7;
    /** Allocate count addresses, all or nothing. Hot body: handle, count, owner. */
    public static final int ALLOCATE_BULK = 8;
    /** Release everything an owner holds (within a scope): scope, owner. */
    public static final int RELEASE_OWNER = 11;
    /** The allocations of an owner (a query, within a scope): scope, owner. */
    public static final int ALLOCATIONS_OF = 12;
    /**
     * An allocation command (ALLOCATE .. ALLOCATE_EUI64, ALLOCATE_BULK, ALLOCATE_PORT) with options: a request key
     * and/or a lease. Body: scope (str), key (str), lease ms (i64), inner type (i32), then the inner command whole
     * (its own header and body).
     */
    public static final int WITH_OPTIONS = 13;
    /** Renew a lease. Body: scope (str), handle (i32), address (i64), owner (2 x i64), lease ms (i64). */
    public static final int RENEW = 14;
    /**
     * Hot commands applied in order as one command, each answered on its own: entry count (i32), reserved (i32),
     * then 48-byte entries (type, flags, hot body, address high word); see {@link BatchCommandFlyweight}.
     */
    public static final int BATCH = 15;

    /** A port request: owner, items (see {@code docs/command-log.md}). */
    public static final int ALLOCATE_PORT = 20;

    /** Create a subnet: id, tenant, CIDR, gateway, pools, strategy. */
    public static final int CREATE_SUBNET = 30;
    /** A subnet's description (a query): scope, id. */
    public static final int SUBNET_INFO = 31;
    /** Every subnet in scope (a query): scope. */
    public static final int LIST_SUBNETS = 32;
    /** Replace a subnet's pools: scope, id, ranges. */
    public static final int UPDATE_POOLS = 33;
    /** Set or remove the gateway: scope, id, gateway. */
    public static final int UPDATE_GATEWAY = 34;
    /** Delete a subnet: scope, id, force. */
    public static final int DELETE_SUBNET = 35;
    /** A subnet's handle, CIDR and tenant (a query): id. */
    public static final int RESOLVE_SUBNET = 36;
    /** Per-subnet lifecycle counts for metrics. Body: scope (str). */
    public static final int SUBNET_STATS = 37;
    /** Change pools, gateway and cooldown in one step (SPEC 1): {@link UpdateSubnetFlyweight}. */
    public static final int UPDATE_SUBNET = 38;
    /** A subnet cut into cells for a map (a query): {@link SubnetMapFlyweight}, answer {@link SubnetMapCodec}. */
    public static final int SUBNET_MAP = 39;

    /** Create a prefix pool: id, prefixes, lengths, quota. */
    public static final int CREATE_PREFIX_POOL = 40;
    /** Allocate a child prefix: pool id, tenant, length or CIDR. */
    public static final int ALLOCATE_PREFIX = 41;
    /** Release a child prefix: scope, pool id, CIDR. */
    public static final int RELEASE_PREFIX = 42;
    /** Grow a pool: pool id, prefixes. */
    public static final int ADD_PREFIXES = 43;
    /** Shrink a pool: pool id, prefixes. */
    public static final int REMOVE_PREFIXES = 44;
    /** A pool's description (a query): pool id. */
    public static final int PREFIX_POOL_INFO = 45;
    /** A pool's children in scope (a query): scope, pool id. */
    public static final int CHILDREN = 46;
    /** Every prefix pool (a query; pools are shared by every view): no body. */
    public static final int LIST_PREFIX_POOLS = 47;

    /** Release what owners not among the live ones hold, made before a grace: scope, grace, dry run, owners. */
    public static final int RECONCILE = 50;
    /** The change feed after a sequence (a query): scope, after, max. */
    public static final int CHANGES = 51;
    /** The newest sequence of the change feed (a query): scope. */
    public static final int LAST_SEQUENCE = 52;
    /**
     * The writer's periodic lifecycle step (leases, cooldown, key retention). Body: budget (i32). Logged, like a
     * read that let a due lease expire, only when it changed state.
     */
    public static final int TICK = 53;
    /** Make one subnet match the caller's truth, address by address (SPEC 9): {@link ReconcileSubnetFlyweight}. */
    public static final int RECONCILE_SUBNET = 54;

    /** Capture a point-in-time image for a snapshot (a query): no body. */
    public static final int CAPTURE = 60;

    /** Every type id above, ascending. */
    private static final int[] ALL = {ALLOCATE, ALLOCATE_NEXT, ALLOCATE_SPECIFIC, ALLOCATE_EUI64, RELEASE,
        RELEASE_CHECKED, OWNER_OF, ALLOCATE_BULK, RELEASE_OWNER, ALLOCATIONS_OF, WITH_OPTIONS, RENEW, BATCH,
        ALLOCATE_PORT, CREATE_SUBNET, SUBNET_INFO, LIST_SUBNETS, UPDATE_POOLS, UPDATE_GATEWAY, DELETE_SUBNET,
        RESOLVE_SUBNET, SUBNET_STATS, SUBNET_MAP, CREATE_PREFIX_POOL, ALLOCATE_PREFIX, RELEASE_PREFIX, ADD_PREFIXES,
        REMOVE_PREFIXES, PREFIX_POOL_INFO, CHILDREN, LIST_PREFIX_POOLS, RECONCILE, CHANGES, LAST_SEQUENCE, TICK,
        CAPTURE, UPDATE_SUBNET, RECONCILE_SUBNET};

    private MessageTypes()
    {
    }

    /**
     * @return every type id, ascending (a copy).
     */
    public static int[] all()
    {
        return ALL.clone();
    }

    /**
     * The one class that writes and reads a type's layout, on both sides: the facade's proxy encodes through it,
     * the writer's adapter decodes through it. {@link #CAPTURE} has no body: its layout is the header alone.
     *
     * @param type a type id.
     * @return its flyweight's class, or null for an id not defined here.
     */
    public static Class<?> flyweight(final int type)
    {
        switch (type)
        {
            case ALLOCATE:
            case ALLOCATE_NEXT:
            case ALLOCATE_SPECIFIC:
            case ALLOCATE_EUI64:
            case RELEASE:
            case RELEASE_CHECKED:
            case OWNER_OF:
            case ALLOCATE_BULK:
                return HotCommandFlyweight.class;
            case RELEASE_OWNER:
            case ALLOCATIONS_OF:
                return ScopedOwnerFlyweight.class;
            case WITH_OPTIONS:
                return OptionsFlyweight.class;
            case RENEW:
                return RenewFlyweight.class;
            case BATCH:
                return BatchCommandFlyweight.class;
            case ALLOCATE_PORT:
                return PortRequestFlyweight.class;
            case CREATE_SUBNET:
                return CreateSubnetFlyweight.class;
            case SUBNET_INFO:
            case CHILDREN:
                return ScopedIdFlyweight.class;
            case LIST_SUBNETS:
            case SUBNET_STATS:
            case LAST_SEQUENCE:
                return ScopeFlyweight.class;
            case UPDATE_POOLS:
                return UpdatePoolsFlyweight.class;
            case UPDATE_GATEWAY:
                return UpdateGatewayFlyweight.class;
            case UPDATE_SUBNET:
                return UpdateSubnetFlyweight.class;
            case RECONCILE_SUBNET:
                return ReconcileSubnetFlyweight.class;
            case DELETE_SUBNET:
                return DeleteSubnetFlyweight.class;
            case RESOLVE_SUBNET:
            case PREFIX_POOL_INFO:
                return IdFlyweight.class;
            case CREATE_PREFIX_POOL:
                return CreatePrefixPoolFlyweight.class;
            case ALLOCATE_PREFIX:
                return AllocatePrefixFlyweight.class;
            case RELEASE_PREFIX:
                return ReleasePrefixFlyweight.class;
            case ADD_PREFIXES:
            case REMOVE_PREFIXES:
                return PrefixListFlyweight.class;
            case RECONCILE:
                return ReconcileFlyweight.class;
            case CHANGES:
                return ChangesFlyweight.class;
            case TICK:
                return TickFlyweight.class;
            case CAPTURE:
            case LIST_PREFIX_POOLS:
                return CommandHeader.class;
            case SUBNET_MAP:
                return SubnetMapFlyweight.class;
            default:
                return null;
        }
    }

    /**
     * @param type a type id.
     * @return true if commands of this type can change state (they go to the command log); false for queries.
     */
    public static boolean isMutation(final int type)
    {
        switch (type)
        {
            case OWNER_OF:
            case ALLOCATIONS_OF:
            case SUBNET_INFO:
            case LIST_SUBNETS:
            case RESOLVE_SUBNET:
            case SUBNET_STATS:
            case PREFIX_POOL_INFO:
            case CHILDREN:
            case CHANGES:
            case LAST_SEQUENCE:
            case CAPTURE:
            case TICK:
            case SUBNET_MAP:
            case LIST_PREFIX_POOLS:
                return false;
            default:
                return true;
        }
    }

    /**
     * @param type a type id.
     * @return true for the allocations {@link #WITH_OPTIONS} may carry: {@link #ALLOCATE} to
     * {@link #ALLOCATE_EUI64}, {@link #ALLOCATE_BULK} and {@link #ALLOCATE_PORT}.
     */
    public static boolean takesOptions(final int type)
    {
        return type >= ALLOCATE && type <= ALLOCATE_EUI64 || type == ALLOCATE_BULK || type == ALLOCATE_PORT;
    }

    /**
     * @param type a type id.
     * @return true if the type is one of the fixed-layout hot commands.
     */
    public static boolean isHot(final int type)
    {
        return type >= ALLOCATE && type <= ALLOCATE_BULK;
    }

    /**
     * @param type a type id.
     * @return its name, for logs and tools; {@code "UNKNOWN(n)"} for an id not defined here.
     */
    public static String name(final int type)
    {
        switch (type)
        {
            case ALLOCATE: return "ALLOCATE";
            case ALLOCATE_NEXT: return "ALLOCATE_NEXT";
            case ALLOCATE_SPECIFIC: return "ALLOCATE_SPECIFIC";
            case ALLOCATE_EUI64: return "ALLOCATE_EUI64";
            case RELEASE: return "RELEASE";
            case RELEASE_CHECKED: return "RELEASE_CHECKED";
            case OWNER_OF: return "OWNER_OF";
            case ALLOCATE_BULK: return "ALLOCATE_BULK";
            case RELEASE_OWNER: return "RELEASE_OWNER";
            case ALLOCATIONS_OF: return "ALLOCATIONS_OF";
            case WITH_OPTIONS: return "WITH_OPTIONS";
            case RENEW: return "RENEW";
            case BATCH: return "BATCH";
            case TICK: return "TICK";
            case ALLOCATE_PORT: return "ALLOCATE_PORT";
            case CREATE_SUBNET: return "CREATE_SUBNET";
            case SUBNET_INFO: return "SUBNET_INFO";
            case LIST_SUBNETS: return "LIST_SUBNETS";
            case UPDATE_POOLS: return "UPDATE_POOLS";
            case UPDATE_GATEWAY: return "UPDATE_GATEWAY";
            case DELETE_SUBNET: return "DELETE_SUBNET";
            case RESOLVE_SUBNET: return "RESOLVE_SUBNET";
            case SUBNET_STATS: return "SUBNET_STATS";
            case CREATE_PREFIX_POOL: return "CREATE_PREFIX_POOL";
            case ALLOCATE_PREFIX: return "ALLOCATE_PREFIX";
            case RELEASE_PREFIX: return "RELEASE_PREFIX";
            case ADD_PREFIXES: return "ADD_PREFIXES";
            case REMOVE_PREFIXES: return "REMOVE_PREFIXES";
            case PREFIX_POOL_INFO: return "PREFIX_POOL_INFO";
            case CHILDREN: return "CHILDREN";
            case RECONCILE: return "RECONCILE";
            case CHANGES: return "CHANGES";
            case LAST_SEQUENCE: return "LAST_SEQUENCE";
            case CAPTURE: return "CAPTURE";
            case UPDATE_SUBNET: return "UPDATE_SUBNET";
            case RECONCILE_SUBNET: return "RECONCILE_SUBNET";
            case SUBNET_MAP: return "SUBNET_MAP";
            case LIST_PREFIX_POOLS: return "LIST_PREFIX_POOLS";
            default: return "UNKNOWN(" + type + ")";
        }
    }
}

package io.ipam.core;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

import io.ipam.core.spi.CommandLog;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SystemEpochClock;

/**
 * Settings of an {@link Ipam}. Immutable; built with {@link #builder()}. Bad values are refused by
 * {@link Builder#build()} with {@code MALFORMED}.
 */
public final class IpamConfig
{
    /** Default bound of a bulk request. */
    public static final int DEFAULT_MAX_BULK = 65_536;

    /**
     * How durable a durable store's acknowledged changes are.
     */
    public enum SyncPolicy
    {
        /** Memory-mapped writes only: survives a process crash, not a power loss. */
        NONE,
        /** msync of the maps every {@link IpamConfig#syncInterval()}: bounds what a power loss can take. */
        PERIODIC,
        /** msync before every batch is acknowledged: survives a power loss. */
        EVERY_BATCH
    }

    private final int maxBulk;
    private final Duration requestTimeout;
    private final int ringCapacity;
    private final EpochClock clock;
    private final Supplier<RandomSource> randomSource;
    private final Supplier<IdleStrategy> idleStrategy;
    private final Path countersDir;
    private final long storeCapacity;
    private final SyncPolicy syncPolicy;
    private final Duration syncInterval;
    private final WriterMode writerMode;
    private final CommandLog commandLog;
    private final int maxSubnets;
    private final int maxPoolsPerSubnet;
    private final long maxAllocations;
    private final long changeRetention;
    private final Duration requestKeyRetention;
    private final long maxRequestKeyBytes;

    private IpamConfig(final Builder b)
    {
        maxBulk = b.maxBulk;
        requestTimeout = b.requestTimeout;
        ringCapacity = b.ringCapacity;
        clock = b.clock;
        randomSource = b.randomSource;
        idleStrategy = b.idleStrategy;
        countersDir = b.countersDir;
        storeCapacity = b.storeCapacity;
        syncPolicy = b.syncPolicy;
        syncInterval = b.syncInterval;
        writerMode = b.writerMode;
        commandLog = b.commandLog;
        maxSubnets = b.maxSubnets;
        maxPoolsPerSubnet = b.maxPoolsPerSubnet;
        maxAllocations = b.maxAllocations;
        changeRetention = b.changeRetention;
        requestKeyRetention = b.requestKeyRetention;
        maxRequestKeyBytes = b.maxRequestKeyBytes;
    }

    /**
     * @return a builder holding these settings, to derive a changed copy.
     */
    public Builder toBuilder()
    {
        final Builder b = new Builder();
        b.maxBulk = maxBulk;
        b.requestTimeout = requestTimeout;
        b.ringCapacity = ringCapacity;
        b.clock = clock;
        b.randomSource = randomSource;
        b.idleStrategy = idleStrategy;
        b.countersDir = countersDir;
        b.storeCapacity = storeCapacity;
        b.syncPolicy = syncPolicy;
        b.syncInterval = syncInterval;
        b.writerMode = writerMode;
        b.commandLog = commandLog;
        b.maxSubnets = maxSubnets;
        b.maxPoolsPerSubnet = maxPoolsPerSubnet;
        b.maxAllocations = maxAllocations;
        b.changeRetention = changeRetention;
        b.requestKeyRetention = requestKeyRetention;
        b.maxRequestKeyBytes = maxRequestKeyBytes;
        return b;
    }

    /**
     * @return the defaults.
     */
    public static IpamConfig defaults()
    {
        return builder().build();
    }

    /**
     * @return a builder holding the defaults.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return largest bulk request (default 65,536).
     */
    public int maxBulk()
    {
        return maxBulk;
    }

    /**
     * @return how long a caller waits on a full request ring before {@code OVERLOADED} (default 5 s).
     */
    public Duration requestTimeout()
    {
        return requestTimeout;
    }

    /**
     * @return request ring capacity in bytes, a power of two (default 1 MiB).
     */
    public int ringCapacity()
    {
        return ringCapacity;
    }

    /**
     * @return the clock stamped on allocations (read at the edge, carried in the command).
     */
    public EpochClock clock()
    {
        return clock;
    }

    /**
     * @return makes the random source of each engine (default {@link RandomSource#secure()}).
     */
    public Supplier<RandomSource> randomSource()
    {
        return randomSource;
    }

    /**
     * @return makes the dedicated writer's idle strategy, or null (the default) for the writer's own: spin, yield,
     * then park until a caller wakes it.
     */
    public Supplier<IdleStrategy> idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * @return directory of the memory-mapped counters file, or null for none.
     */
    public Path countersDir()
    {
        return countersDir;
    }

    /**
     * @return entries a durable store is sized for (default 1,000,000 allocations).
     */
    public long storeCapacity()
    {
        return storeCapacity;
    }

    /**
     * @return durable store sync policy (default NONE).
     */
    public SyncPolicy syncPolicy()
    {
        return syncPolicy;
    }

    /**
     * @return interval of {@link SyncPolicy#PERIODIC} (default 1 s).
     */
    public Duration syncInterval()
    {
        return syncInterval;
    }

    /**
     * @return how the one writer runs (default {@link WriterMode#CALLER_RUNS}).
     */
    public WriterMode writerMode()
    {
        return writerMode;
    }

    /**
     * @return most subnets held at once (default 100,000); more is {@code LIMIT_EXCEEDED}.
     */
    public int maxSubnets()
    {
        return maxSubnets;
    }

    /**
     * @return most pools one subnet may have (default 1,024); more is {@code LIMIT_EXCEEDED}.
     */
    public int maxPoolsPerSubnet()
    {
        return maxPoolsPerSubnet;
    }

    /**
     * @return most allocations held by an in-memory allocator, prefix children counted (default 50,000,000); more
     * is {@code LIMIT_EXCEEDED}. A durable store is bounded by {@link #storeCapacity()} instead ({@code STORE_FULL}).
     */
    public long maxAllocations()
    {
        return maxAllocations;
    }

    /**
     * @return changes of the change feed kept (default 1,000,000); asking for older ones is
     * {@code LIMIT_EXCEEDED}.
     */
    public long changeRetention()
    {
        return changeRetention;
    }

    /**
     * @return how long a request key is remembered after the last allocation it made is gone (default 1 hour).
     */
    public Duration requestKeyRetention()
    {
        return requestKeyRetention;
    }

    /**
     * @return most bytes the remembered request keys may hold (default 64 MiB): each key's kept first answer, its name
     * and tenant, and a fixed overhead per key ({@code 128} bytes). A keyed request whose answer would pass it is
     * {@code LIMIT_EXCEEDED} before anything is applied (SPEC 10); keys are also bounded in number by
     * {@link #maxAllocations()}.
     */
    public long maxRequestKeyBytes()
    {
        return maxRequestKeyBytes;
    }

    /**
     * @return the hook that receives every applied state-changing command, or null (default).
     */
    public CommandLog commandLog()
    {
        return commandLog;
    }

    /**
     * Collects settings. Not thread-safe.
     */
    public static final class Builder
    {
        private int maxBulk = DEFAULT_MAX_BULK;
        private Duration requestTimeout = Duration.ofSeconds(5);
        private int ringCapacity = 1 << 20;
        private EpochClock clock = SystemEpochClock.INSTANCE;
        private Supplier<RandomSource> randomSource = RandomSource::secure;
        // null: the writer's own, which spins ~tens of microseconds before yielding and parks until a caller wakes it
        private Supplier<IdleStrategy> idleStrategy;
        private boolean idleStrategySet;
        private Path countersDir;
        private long storeCapacity = 1_000_000;
        private SyncPolicy syncPolicy = SyncPolicy.NONE;
        private Duration syncInterval = Duration.ofSeconds(1);
        private WriterMode writerMode = WriterMode.CALLER_RUNS;
        private int maxSubnets = 100_000;
        private int maxPoolsPerSubnet = 1_024;
        private long maxAllocations = 50_000_000L;
        private long changeRetention = 1_000_000L;
        private Duration requestKeyRetention = Duration.ofHours(1);
        private long maxRequestKeyBytes = 64L << 20;
        private CommandLog commandLog;

        private Builder()
        {
        }

        /**
         * @param n largest bulk request, 1 or more.
         * @return this.
         */
        public Builder maxBulk(final int n)
        {
            maxBulk = n;
            return this;
        }

        /**
         * @param d how long a caller waits on a full ring before {@code OVERLOADED}.
         * @return this.
         */
        public Builder requestTimeout(final Duration d)
        {
            requestTimeout = d;
            return this;
        }

        /**
         * @param bytes ring capacity, a power of two from 4 KiB to 1 GiB.
         * @return this.
         */
        public Builder ringCapacity(final int bytes)
        {
            ringCapacity = bytes;
            return this;
        }

        /**
         * @param c clock for allocation times.
         * @return this.
         */
        public Builder clock(final EpochClock c)
        {
            clock = c;
            return this;
        }

        /**
         * @param s makes random sources (for example {@code () -> RandomSource.seeded(42)}).
         * @return this.
         */
        public Builder randomSource(final Supplier<RandomSource> s)
        {
            randomSource = s;
            return this;
        }

        /**
         * @param s makes the agent's idle strategy.
         * @return this.
         */
        public Builder idleStrategy(final Supplier<IdleStrategy> s)
        {
            idleStrategy = s;
            idleStrategySet = true;
            return this;
        }

        /**
         * @param dir directory for the counters file (created when absent).
         * @return this.
         */
        public Builder countersDir(final Path dir)
        {
            countersDir = dir;
            return this;
        }

        /**
         * @param entries allocations a durable store is sized for.
         * @return this.
         */
        public Builder storeCapacity(final long entries)
        {
            storeCapacity = entries;
            return this;
        }

        /**
         * @param p sync policy of a durable store.
         * @return this.
         */
        public Builder syncPolicy(final SyncPolicy p)
        {
            syncPolicy = p;
            return this;
        }

        /**
         * @param d interval of periodic sync.
         * @return this.
         */
        public Builder syncInterval(final Duration d)
        {
            syncInterval = d;
            return this;
        }

        /**
         * @param n most subnets held at once, 1 or more.
         * @return this.
         */
        public Builder maxSubnets(final int n)
        {
            maxSubnets = n;
            return this;
        }

        /**
         * @param n most pools per subnet, 1 or more.
         * @return this.
         */
        public Builder maxPoolsPerSubnet(final int n)
        {
            maxPoolsPerSubnet = n;
            return this;
        }

        /**
         * @param n most allocations held in memory mode, prefix children counted, 1 or more.
         * @return this.
         */
        public Builder maxAllocations(final long n)
        {
            maxAllocations = n;
            return this;
        }

        /**
         * @param n changes of the change feed kept, 1 to 2^31 - 16.
         * @return this.
         */
        public Builder changeRetention(final long n)
        {
            changeRetention = n;
            return this;
        }

        /**
         * @param d how long a request key is remembered after the last allocation it made is gone: zero or more.
         * @return this.
         */
        public Builder requestKeyRetention(final Duration d)
        {
            requestKeyRetention = d;
            return this;
        }

        /**
         * @param bytes most bytes remembered request keys may hold (kept answers, names, 128 bytes a key), 4,096 or
         *              more.
         * @return this.
         */
        public Builder maxRequestKeyBytes(final long bytes)
        {
            maxRequestKeyBytes = bytes;
            return this;
        }

        /**
         * @param mode how the one writer runs: on the callers' threads (default) or on a thread of its own.
         * @return this.
         */
        public Builder writerMode(final WriterMode mode)
        {
            writerMode = mode;
            return this;
        }

        /**
         * @param log receives every applied state-changing command in order (see {@code docs/command-log.md}),
         *            or null for none.
         * @return this.
         */
        public Builder commandLog(final CommandLog log)
        {
            commandLog = log;
            return this;
        }

        /**
         * @return the config.
         * @throws IpamException {@code MALFORMED} naming the bad setting.
         */
        public IpamConfig build()
        {
            check(maxBulk >= 1, "maxBulk must be 1 or more, was " + maxBulk);
            check(requestTimeout != null && !requestTimeout.isNegative(), "requestTimeout must be >= 0");
            check(ringCapacity >= 4096 && ringCapacity <= (1 << 30) && Integer.bitCount(ringCapacity) == 1,
                "ringCapacity must be a power of two from 4096 to 2^30, was " + ringCapacity);
            check(clock != null, "clock is null");
            check(randomSource != null, "randomSource is null");
            check(!idleStrategySet || idleStrategy != null, "idleStrategy is null");
            check(storeCapacity >= 1 && storeCapacity <= 1L << 34, "storeCapacity must be 1 to 2^34");
            check(syncPolicy != null, "syncPolicy is null");
            check(syncInterval != null && !syncInterval.isNegative() && !syncInterval.isZero(),
                "syncInterval must be > 0");
            check(writerMode != null, "writerMode is null");
            check(maxSubnets >= 1, "maxSubnets must be 1 or more, was " + maxSubnets);
            check(maxPoolsPerSubnet >= 1, "maxPoolsPerSubnet must be 1 or more, was " + maxPoolsPerSubnet);
            check(maxAllocations >= 1, "maxAllocations must be 1 or more, was " + maxAllocations);
            check(changeRetention >= 1 && changeRetention <= Integer.MAX_VALUE - 16,
                "changeRetention must be 1 to 2^31 - 16, was " + changeRetention);
            check(requestKeyRetention != null && !requestKeyRetention.isNegative(),
                "requestKeyRetention must be zero or more");
            check(maxRequestKeyBytes >= 4096, "maxRequestKeyBytes must be 4096 or more, was " + maxRequestKeyBytes);
            return new IpamConfig(this);
        }

        private static void check(final boolean ok, final String message)
        {
            if (!ok)
            {
                throw new IpamException(ErrorCode.MALFORMED, message);
            }
        }
    }

    @Override
    public String toString()
    {
        return "IpamConfig{maxBulk=" + maxBulk + ", requestTimeout=" + requestTimeout + ", ringCapacity=" +
            ringCapacity + ", storeCapacity=" + storeCapacity + ", syncPolicy=" + syncPolicy + ", writerMode=" +
            writerMode + (countersDir == null ? "" : ", countersDir=" + countersDir) + '}';
    }
}

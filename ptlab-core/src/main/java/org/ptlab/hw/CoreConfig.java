package org.ptlab.hw;

import java.util.ArrayList;
import java.util.List;
import org.ptlab.arch.MapSize;

/**
 * The modelled hardware of one core as far as translation and its cost go: the TLB hierarchy
 * (searched in order; every level is filled on a walk), the walk cache for intermediate levels,
 * the data-cache hierarchy the walker's descriptor loads (and, optionally, the data accesses) go
 * through, the memory latency and whether the core has BBML2_NOABORT. Plain fields so that Jackson
 * can bind YAML to it ({@link HwYaml}); {@link #validate()} checks a bound config.
 */
public final class CoreConfig {
    /** Name of the core (preset name or "custom"). */
    public String name = "custom";
    /** Where the parameters come from (a TRM section, a measurement, "assumed"). */
    public String source = "";
    /** Clock in GHz: converts modelled cycles to nanoseconds. */
    public double frequencyGHz = 3.0;
    /** BBML2_NOABORT: a live change of block size never raises a TLB conflict abort. */
    public boolean bbml2NoAbort;
    /** TLB levels, first searched first (e.g. L1 data TLB, then unified L2 TLB). */
    public List<TlbLevel> tlbs = new ArrayList<>();
    /**
     * The first-level instruction TLB: instruction fetches look it up instead of the first level of
     * {@link #tlbs}, then continue with the later (unified) levels. Null: fetches share the data
     * TLBs.
     */
    public TlbLevel itlb;
    /** Walk cache for table descriptors of the non-leaf levels; null or 0 entries for none. */
    public WalkCacheConfig walkCache = new WalkCacheConfig();
    /** Data caches, nearest first. The last one may be shared by all CPUs. */
    public List<CacheLevel> caches = new ArrayList<>();
    /** Cycles of a load that misses every cache level. */
    public int memoryLatency = 300;
    /** Whether data accesses (not only descriptor loads) go through the cache model. */
    public boolean modelDataAccesses = true;

    /** One TLB level. */
    public static final class TlbLevel {
        public String name = "TLB";
        public int entries = 32;
        /** Associativity; equal to entries for fully associative. */
        public int ways = 32;
        /** Cycles added when this level hits (the L1 hit is usually hidden: 0). */
        public int latency;
        /**
         * Entry kinds this level can hold; a kind it cannot hold is cached as the largest smaller
         * kind it can ("splintering"). Empty: all kinds.
         */
        public List<MapSize> sizes = new ArrayList<>();

        public TlbLevel() {}

        public TlbLevel(String name, int entries, int ways, int latency, MapSize... sizes) {
            this.name = name;
            this.entries = entries;
            this.ways = ways;
            this.latency = latency;
            this.sizes = new ArrayList<>(List.of(sizes));
        }
    }

    /** The walk cache (Arm: "walk cache" / intermediate table caching). */
    public static final class WalkCacheConfig {
        public int entries = 32;
        public int ways = 4;
        /** Cycles of a walk-cache lookup, paid once per walk. */
        public int latency = 2;
        /** Hardware levels whose table descriptors are cached (e.g. 0, 1, 2). Empty: all non-leaf. */
        public List<Integer> levels = new ArrayList<>();

        public WalkCacheConfig() {}

        public WalkCacheConfig(int entries, int ways, int latency) {
            this.entries = entries;
            this.ways = ways;
            this.latency = latency;
        }
    }

    /** One data-cache level. */
    public static final class CacheLevel {
        public String name = "L1D";
        /** Capacity in bytes. */
        public long size = 64 << 10;
        public int ways = 4;
        public int line = 64;
        /** Load-to-use cycles of a hit at this level. */
        public int latency = 4;
        /** Shared by all modelled CPUs (a last-level cache). */
        public boolean shared;

        public CacheLevel() {}

        public CacheLevel(String name, long size, int ways, int latency, boolean shared) {
            this.name = name;
            this.size = size;
            this.ways = ways;
            this.latency = latency;
            this.shared = shared;
        }
    }

    /** Check a config; throws IllegalArgumentException naming the first problem. */
    public CoreConfig validate() {
        if (!(frequencyGHz > 0 && frequencyGHz < 100)) {
            throw new IllegalArgumentException("frequencyGHz " + frequencyGHz + ": expected a value in (0, 100)");
        }
        if (tlbs == null || tlbs.isEmpty()) {
            throw new IllegalArgumentException("tlbs: expected at least one TLB level");
        }
        if (tlbs.size() > 4) {
            throw new IllegalArgumentException("tlbs: at most 4 levels are modelled, got " + tlbs.size());
        }
        List<TlbLevel> all = new ArrayList<>(tlbs);
        if (itlb != null) {
            all.add(itlb);
        }
        for (TlbLevel t : all) {
            if (t == null) {
                throw new IllegalArgumentException("tlbs: empty level");
            }
            checkGeometry("TLB " + t.name, t.entries, t.ways, 1 << 16);
            if (t.latency < 0 || t.latency > 10_000) {
                throw new IllegalArgumentException("TLB " + t.name + ": latency " + t.latency + " out of range 0..10000");
            }
            if (t.sizes != null) {
                for (MapSize s : t.sizes) {
                    if (s == null) {
                        throw new IllegalArgumentException("TLB " + t.name + ": empty size; expected PTE, CONT_PTE, PMD, CONT_PMD or PUD");
                    }
                }
                if (!t.sizes.isEmpty() && !t.sizes.contains(MapSize.PTE)) {
                    throw new IllegalArgumentException("TLB " + t.name + ": sizes must include PTE");
                }
            }
        }
        if (walkCache != null && walkCache.entries > 0) {
            checkGeometry("walk cache", walkCache.entries, walkCache.ways, 1 << 16);
            if (walkCache.latency < 0 || walkCache.latency > 10_000) {
                throw new IllegalArgumentException("walk cache: latency " + walkCache.latency + " out of range 0..10000");
            }
            if (walkCache.levels != null) {
                for (Integer l : walkCache.levels) {
                    if (l == null || l < -1 || l > 2) {
                        throw new IllegalArgumentException("walk cache: level " + l + ": expected -1, 0, 1 or 2");
                    }
                }
            }
        }
        if (caches == null) {
            caches = new ArrayList<>();
        }
        if (caches.size() > 4) {
            throw new IllegalArgumentException("caches: at most 4 levels are modelled, got " + caches.size());
        }
        for (int i = 0; i < caches.size(); i++) {
            CacheLevel c = caches.get(i);
            if (c == null) {
                throw new IllegalArgumentException("caches: empty level");
            }
            if (c.line < 8 || c.line > 4096 || Integer.bitCount(c.line) != 1) {
                throw new IllegalArgumentException("cache " + c.name + ": line " + c.line + ": expected a power of two in 8..4096");
            }
            if (c.size <= 0 || c.size > (1L << 34) || c.size % c.line != 0) {
                throw new IllegalArgumentException("cache " + c.name + ": size " + c.size + ": expected a multiple of the line up to 16G");
            }
            long lines = c.size / c.line;
            if (lines > (1 << 28)) {
                throw new IllegalArgumentException("cache " + c.name + ": too many lines");
            }
            checkGeometry("cache " + c.name, (int) lines, c.ways, 1 << 28);
            if (c.latency < 0 || c.latency > 100_000) {
                throw new IllegalArgumentException("cache " + c.name + ": latency " + c.latency + " out of range");
            }
            if (c.shared && i != caches.size() - 1) {
                throw new IllegalArgumentException("cache " + c.name + ": only the last level may be shared");
            }
        }
        if (memoryLatency < 0 || memoryLatency > 1_000_000) {
            throw new IllegalArgumentException("memoryLatency " + memoryLatency + " out of range 0..1000000");
        }
        return this;
    }

    private static void checkGeometry(String what, int entries, int ways, int max) {
        if (entries <= 0 || entries > max) {
            throw new IllegalArgumentException(what + ": entries " + entries + ": expected 1.." + max);
        }
        if (ways <= 0 || ways > 64 && ways != entries) {
            throw new IllegalArgumentException(what + ": ways " + ways + ": expected 1..64 or fully associative (ways = entries)");
        }
        if (entries % ways != 0) {
            throw new IllegalArgumentException(what + ": entries " + entries + " is not a multiple of ways " + ways);
        }
        int sets = entries / ways;
        if (Integer.bitCount(sets) != 1) {
            throw new IllegalArgumentException(what + ": " + sets + " sets (entries/ways): expected a power of two");
        }
    }

    /** A deep copy (presets hand out copies). */
    public CoreConfig copy() {
        CoreConfig c = new CoreConfig();
        c.name = name;
        c.source = source;
        c.frequencyGHz = frequencyGHz;
        c.bbml2NoAbort = bbml2NoAbort;
        for (TlbLevel t : tlbs) {
            c.tlbs.add(new TlbLevel(t.name, t.entries, t.ways, t.latency, t.sizes.toArray(new MapSize[0])));
        }
        if (itlb != null) {
            c.itlb = new TlbLevel(itlb.name, itlb.entries, itlb.ways, itlb.latency, itlb.sizes.toArray(new MapSize[0]));
        }
        if (walkCache != null) {
            c.walkCache = new WalkCacheConfig(walkCache.entries, walkCache.ways, walkCache.latency);
            c.walkCache.levels = new ArrayList<>(walkCache.levels);
        } else {
            c.walkCache = null;
        }
        for (CacheLevel l : caches) {
            CacheLevel n = new CacheLevel(l.name, l.size, l.ways, l.latency, l.shared);
            n.line = l.line;
            c.caches.add(n);
        }
        c.memoryLatency = memoryLatency;
        c.modelDataAccesses = modelDataAccesses;
        return c;
    }

    /** One-line summary. */
    public String summary() {
        StringBuilder b = new StringBuilder(name).append(":");
        List<TlbLevel> all = new ArrayList<>(tlbs);
        if (itlb != null) {
            all.add(1, itlb);
        }
        for (TlbLevel t : all) {
            b.append(' ').append(t.name).append(' ').append(t.entries)
                    .append(t.ways == t.entries ? "-entry FA" : "-entry " + t.ways + "-way");
        }
        if (walkCache != null && walkCache.entries > 0) {
            b.append(", walk cache ").append(walkCache.entries);
        }
        for (CacheLevel l : caches) {
            b.append(", ").append(l.name).append(' ').append(org.ptlab.arch.Sizes.label(l.size));
        }
        b.append(", memory ").append(memoryLatency).append(" cycles @ ").append(frequencyGHz).append(" GHz");
        b.append(bbml2NoAbort ? ", BBML2_NOABORT" : "");
        return b.toString();
    }
}

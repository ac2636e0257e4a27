package org.ptlab.hw;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ptlab.arch.MapSize;

/**
 * Core configurations of a few documented Arm cores. TLB figures are from the cores' Technical
 * Reference Manuals (section named in {@link CoreConfig#source}); where a TRM gives no figure (walk
 * cache of the big cores, latencies, the memory system around the core) the value is an assumption
 * and the source string says so. Data caches: L1D and L2 as the TRMs allow them to be configured;
 * the system-level cache and memory latency depend on the SoC and are assumed.
 */
public final class Presets {
    private Presets() {}

    private static final Map<String, CoreConfig> PRESETS = new LinkedHashMap<>();
    public static final String DEFAULT = "neoverse-n1";

    static {
        // Neoverse N1 / Cortex-A76: TRM (Arm 100798 / 100616) A5.2 TLB organization: L1 instruction
        // TLB 48-entry fully associative holding 4K/16K/64K/2M/32M; L1 data TLB 48-entry fully
        // associative holding 4K/16K/64K/2M/512M; L2 TLB 1280-entry 5-way shared by both, holding
        // all sizes (and walk results), about 3 cycles. L1D 64K 4-way 4 cycles, L2 1M 8-way 9-11 cycles.
        CoreConfig n1 = new CoreConfig();
        n1.name = "neoverse-n1";
        n1.source = "Arm Neoverse N1 / Cortex-A76 TRM A5.2 (L1 instruction and data TLBs, L2 TLB), A6/A7 (L1D 64K 4-way, L2 1M 8-way); "
                + "walk cache 32-entry 4-way, L2 TLB latency 3, SLC 8M 16-way 35 cycles, memory 300 cycles @ 3 GHz: assumed";
        n1.frequencyGHz = 3.0;
        n1.tlbs.add(new CoreConfig.TlbLevel("L1D-TLB", 48, 48, 0, MapSize.PTE, MapSize.CONT_PTE, MapSize.PMD));
        n1.tlbs.add(new CoreConfig.TlbLevel("L2-TLB", 1280, 5, 3));
        n1.itlb = new CoreConfig.TlbLevel("L1I-TLB", 48, 48, 0, MapSize.PTE, MapSize.CONT_PTE, MapSize.PMD, MapSize.CONT_PMD);
        n1.walkCache = new CoreConfig.WalkCacheConfig(32, 4, 2);
        n1.caches.add(new CoreConfig.CacheLevel("L1D", 64 << 10, 4, 4, false));
        n1.caches.add(new CoreConfig.CacheLevel("L2", 1 << 20, 8, 11, false));
        n1.caches.add(new CoreConfig.CacheLevel("SLC", 8 << 20, 16, 35, true));
        n1.memoryLatency = 300;
        PRESETS.put(n1.name, n1);

        // Cortex-A72: TRM (Arm 100095) 5.2: L1 instruction micro TLB 48-entry and L1 data micro TLB
        // 32-entry, both fully associative; L2 TLB
        // 1024-entry 4-way holding 4K/64K/1M/16M/2M/1G/512M. L1D 32K 2-way, L2 up to 2M 16-way.
        CoreConfig a72 = new CoreConfig();
        a72.name = "cortex-a72";
        a72.source = "Arm Cortex-A72 TRM 5.2 (L1 instruction TLB 48 FA, L1 data TLB 32 FA, L2 TLB 1024 4-way), 6.x (L1D 32K 2-way, L2 1M 16-way); "
                + "walk cache 64-entry 4-way, latencies, memory 180 cycles @ 1.8 GHz: assumed";
        a72.frequencyGHz = 1.8;
        a72.tlbs.add(new CoreConfig.TlbLevel("L1D-TLB", 32, 32, 0, MapSize.PTE, MapSize.CONT_PTE, MapSize.PMD));
        a72.tlbs.add(new CoreConfig.TlbLevel("L2-TLB", 1024, 4, 4));
        a72.itlb = new CoreConfig.TlbLevel("L1I-TLB", 48, 48, 0, MapSize.PTE, MapSize.CONT_PTE, MapSize.PMD);
        a72.walkCache = new CoreConfig.WalkCacheConfig(64, 4, 2);
        a72.caches.add(new CoreConfig.CacheLevel("L1D", 32 << 10, 2, 4, false));
        a72.caches.add(new CoreConfig.CacheLevel("L2", 1 << 20, 16, 21, true));
        a72.memoryLatency = 180;
        PRESETS.put(a72.name, a72);

        // Cortex-A55: TRM (Arm 100442) A5.2: L1 instruction TLB 15-entry and L1 data TLB 16-entry,
        // both fully associative, L2 TLB
        // 1024-entry 4-way, walk cache RAM 64-entry 4-way (results up to but not including the last level).
        CoreConfig a55 = new CoreConfig();
        a55.name = "cortex-a55";
        a55.source = "Arm Cortex-A55 TRM A5.2 (L1 instruction TLB 15 FA, L1 data TLB 16 FA, L2 TLB 1024 4-way, walk cache 64 4-way); "
                + "L1D 32K 4-way, L2 256K 4-way, L3 2M 16-way, latencies, memory 200 cycles @ 2 GHz: assumed";
        a55.frequencyGHz = 2.0;
        a55.tlbs.add(new CoreConfig.TlbLevel("L1D-TLB", 16, 16, 0, MapSize.PTE, MapSize.CONT_PTE, MapSize.PMD));
        a55.tlbs.add(new CoreConfig.TlbLevel("L2-TLB", 1024, 4, 4));
        a55.itlb = new CoreConfig.TlbLevel("L1I-TLB", 15, 15, 0, MapSize.PTE, MapSize.CONT_PTE, MapSize.PMD);
        a55.walkCache = new CoreConfig.WalkCacheConfig(64, 4, 2);
        a55.caches.add(new CoreConfig.CacheLevel("L1D", 32 << 10, 4, 3, false));
        a55.caches.add(new CoreConfig.CacheLevel("L2", 256 << 10, 4, 10, false));
        a55.caches.add(new CoreConfig.CacheLevel("L3", 2 << 20, 16, 30, true));
        a55.memoryLatency = 200;
        PRESETS.put(a55.name, a55);
    }

    /** A copy of a preset; IllegalArgumentException listing the names if unknown. */
    public static CoreConfig get(String name) {
        CoreConfig c = PRESETS.get(name.trim().toLowerCase(java.util.Locale.ROOT));
        if (c == null) {
            throw new IllegalArgumentException("unknown core preset '" + name + "': expected one of " + PRESETS.keySet());
        }
        return c.copy();
    }

    public static java.util.Set<String> names() {
        return java.util.Collections.unmodifiableSet(PRESETS.keySet());
    }
}

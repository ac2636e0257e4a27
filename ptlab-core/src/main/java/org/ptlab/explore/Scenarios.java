package org.ptlab.explore;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The explorer's built-in scenarios (the seeds' races), also shipped as files under
 * scenarios/concurrency/. Addresses are offsets from the start of the linear map.
 */
public final class Scenarios {
    private Scenarios() {}

    private static final Map<String, Supplier<ExploreScenario>> ALL = new LinkedHashMap<>();

    static {
        ALL.put("seed000-split-race", Scenarios::seed000SplitRace);
        ALL.put("seed000-split-race-contpmd", Scenarios::seed000SplitRaceContPmd);
        ALL.put("seed002-lazy-nesting", Scenarios::seed002LazyNesting);
        ALL.put("tlb-set-memory-ro", Scenarios::tlbSetMemoryRo);
        ALL.put("seed001-collapse-with-reader", Scenarios::seed001CollapseWithReader);
    }

    public static Map<String, Supplier<ExploreScenario>> all() {
        return ALL;
    }

    public static ExploreScenario byName(String name) {
        Supplier<ExploreScenario> s = ALL.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown built-in scenario '" + name + "': expected one of " + ALL.keySet());
        }
        return s.get();
    }

    /**
     * Seed 000 review point 2: two CPUs each split a different 2M PMD block of the linear map at a
     * page boundary; both splits move bytes between the shared DirectMap counter words
     * (PMD -> CONT_PTE -> PTE). Safe with pgtable_split_lock.
     */
    public static ExploreScenario seed000SplitRace() {
        return ExploreScenario.builder("seed000-split-race", ExploreMachine.of("4M", 2))
                .describe("seed 000 point 2: two concurrent splits update the shared DirectMap counters")
                .cpu().op("split_kernel_leaf_mapping(lm+0x1000, lm+0x2000)",
                        w -> w.splitKernelLeafMapping(w.linearBase() + 0x1000, w.linearBase() + 0x2000))
                .cpu().op("split_kernel_leaf_mapping(lm+0x201000, lm+0x202000)",
                        w -> w.splitKernelLeafMapping(w.linearBase() + 0x201000, w.linearBase() + 0x202000))
                .expect(ExploreScenario.Expect.SAFE)
                .build();
    }

    /**
     * The same race inside one 32M CONT_PMD group: both CPUs' splits first clear CONT on all 16
     * PMDs of the shared group, then split their own PMD (about 100 scheduling points).
     */
    public static ExploreScenario seed000SplitRaceContPmd() {
        return ExploreScenario.builder("seed000-split-race-contpmd", ExploreMachine.of("32M", 2))
                .describe("seed 000 point 2 inside one CONT_PMD group: both splits clear the group's CONT and move counters")
                .cpu().op("split_kernel_leaf_mapping(lm+0x1000, lm+0x2000)",
                        w -> w.splitKernelLeafMapping(w.linearBase() + 0x1000, w.linearBase() + 0x2000))
                .cpu().op("split_kernel_leaf_mapping(lm+0x201000, lm+0x202000)",
                        w -> w.splitKernelLeafMapping(w.linearBase() + 0x201000, w.linearBase() + 0x202000))
                .expect(ExploreScenario.Expect.SAFE)
                .build();
    }

    /**
     * Seed 002: inside an outer lazy MMU section (zap_pte_range) with PTE changes A, an allocation
     * under DEBUG_PAGEALLOC maps page B (__kernel_map_pages -> set_memory_valid, which opens its
     * own section), clear_page touches B, then PTE changes C1, C2, and the outer leave.
     */
    public static ExploreScenario seed002LazyNesting() {
        long a = 0x1000;
        long b = 0x5000;
        long c1 = 0x2000;
        long c2 = 0x3000;
        return ExploreScenario.builder("seed002-lazy-nesting", ExploreMachine.of("2M", 1).withDebugPagealloc(true))
                .describe("seed 002: nested lazy MMU section from __kernel_map_pages inside an outer batch, then clear_page")
                .setup("set_memory_valid(lm+0x5000, 1, 0)   # page B is free: unmapped by debug_pagealloc",
                        w -> w.setupInvalidate(w.linearBase() + b))
                .cpu()
                .op("lazy_mmu_mode_enable()", World::lazyEnter)
                .op("ptep_set_rdonly(lm+0x1000)   # A", w -> w.ptepSetRdonly(w.linearBase() + a))
                .op("__kernel_map_pages(lm+0x5000, 1)   # alloc_pages: B", w -> w.kernelMapPages(w.linearBase() + b, 1))
                .op("clear_page(lm+0x5000)", w -> w.touch(w.linearBase() + b, "clear_page"))
                .op("ptep_set_rdonly(lm+0x2000)   # C1", w -> w.ptepSetRdonly(w.linearBase() + c1))
                .op("ptep_set_rdonly(lm+0x3000)   # C2", w -> w.ptepSetRdonly(w.linearBase() + c2))
                .op("lazy_mmu_mode_disable()", World::lazyLeave)
                .build();
    }

    /**
     * set_memory_ro (the kernel's __change_memory_common) on CPU0 while CPU1 reads the page and its
     * neighbour through its TLB (hardware model neoverse-n1, with BBML2_NOABORT as the kernel
     * detected it): when set_memory_ro returns no CPU may still hold a writable translation.
     */
    public static ExploreScenario tlbSetMemoryRo() {
        ExploreMachine m = new ExploreMachine(org.ptlab.arch.Granule.G4K, 4L << 20, 2, true, false,
                org.ptlab.kernel.KernelVersion.NEWEST, java.util.List.of(), "neoverse-n1");
        return ExploreScenario.builder("tlb-set-memory-ro", m)
                .describe("set_memory_ro against a concurrent reader's TLB (hardware model)")
                .cpu().op("set_memory_ro(lm+0x100000, 1)", w -> w.kernelChangeMemory(w.linearBase() + 0x100000, 1, true))
                .cpu().op("touch(lm+0x100000)", w -> w.touch(w.linearBase() + 0x100000, "touch"))
                .op("touch(lm+0x101000)", w -> w.touch(w.linearBase() + 0x101000, "touch"))
                .expect(ExploreScenario.Expect.SAFE)
                .build();
    }

    /**
     * Seed 001's PMD collapse (kernel.Collapse) while another CPU reads the same 2M through its TLB and walk cache
     * (hardware model): the collapse must invalidate the walk caches with
     * __flush_tlb_kernel_pgtable before it frees the PTE table, or a CPU is left holding a pointer
     * to a freed table (the freed-table hazard).
     */
    public static ExploreScenario seed001CollapseWithReader() {
        ExploreMachine m = new ExploreMachine(org.ptlab.arch.Granule.G4K, 4L << 20, 2, true, false,
                org.ptlab.kernel.KernelVersion.NEWEST, java.util.List.of(), "neoverse-n1");
        return ExploreScenario.builder("seed001-collapse-with-reader", m)
                .describe("seed 001 PMD collapse against a reader's walk cache (hardware model)")
                .setup("split_kernel_leaf_mapping(lm+0x1000, lm+0x2000)", w -> w.splitKernelLeafMapping(w.linearBase() + 0x1000, w.linearBase() + 0x2000))
                .cpu().op("try_collapse_kernel_pmd(lm)", w -> w.kernelTryCollapseKernelPmd(w.linearBase()))
                .cpu().op("touch(lm+0x100000)", w -> w.touch(w.linearBase() + 0x100000, "touch"))
                .op("touch(lm+0x101000)", w -> w.touch(w.linearBase() + 0x101000, "touch"))
                .expect(ExploreScenario.Expect.SAFE)
                .build();
    }
}

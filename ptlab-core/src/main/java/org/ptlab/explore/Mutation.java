package org.ptlab.explore;

import java.util.Arrays;
import java.util.Locale;

/**
 * Deliberately broken versions of the kernel operations the explorer runs, for mutation testing:
 * each must be caught by the explorer on the scenario that exercises it.
 */
public enum Mutation {
    /** split_kernel_leaf_mapping without pgtable_split_lock. */
    NO_SPLIT_LOCK("split_kernel_leaf_mapping runs without pgtable_split_lock"),
    /** arch_flush_lazy_mmu_mode clears PENDING but emits no barriers. */
    NO_LAZY_FLUSH("the lazy MMU flush clears TIF_LAZY_MMU_PENDING without emitting dsb ishst; isb"),
    /** split_contpte / split_contpmd clear CONT on the entry at addr only. */
    CONT_ONE_ENTRY("split_contpte/split_contpmd clear CONT on the one entry at addr, not the whole group"),
    /** set_memory_ro returns without flush_tlb_kernel_range. */
    NO_TLB_FLUSH("set_memory_ro returns without flush_tlb_kernel_range (needs the hardware model: machine hw)"),
    /** The DirectMap counters of a split are updated after pgtable_split_lock is dropped. */
    COUNTER_OUTSIDE_LOCK("the DirectMap counter updates of a split happen after pgtable_split_lock is released"),
    /** try_collapse_kernel_pmd frees the PTE table before __flush_tlb_kernel_pgtable. */
    COLLAPSE_FREE_BEFORE_FLUSH("the PMD collapse frees the PTE table before __flush_tlb_kernel_pgtable (needs the hardware model: machine hw)"),
    /** The kernel trusts the boot CPU's BBML2_NOABORT (seed 003 v2); the other CPUs lack it. */
    BBML2_BOOT_CPU_ONLY("the kernel splits live on the boot CPU's BBML2_NOABORT (seed 003 v2) while the CPUs lack it (needs machine hw)");

    public final String description;

    Mutation(String description) {
        this.description = description;
    }

    /** Name as written on the command line and in scenario files: no-split-lock, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Mutation parse(String s) {
        for (Mutation m : values()) {
            if (m.label().equals(s.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown mutation '" + s + "': expected one of "
                + Arrays.stream(values()).map(Mutation::label).toList());
    }
}

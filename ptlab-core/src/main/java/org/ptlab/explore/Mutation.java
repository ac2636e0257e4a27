package org.ptlab.explore;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Deliberately broken versions of the kernel operations the explorer runs, for mutation testing:
 * each must be caught by the explorer on the scenario that exercises it.
 *
 * <p>Every mutation is an alias of one of the kernel model's known-bad variants ({@link #variant}):
 * the scenario's kernel boots with that variant selected and its own code
 * ({@code kernel.Split}, {@code kernel.LazyMmu}, {@code kernel.PageAttr}, {@code kernel.Collapse},
 * {@code Kernel}'s BBML2 decision) runs broken; the explorer keeps no copy of kernel code.
 */
public enum Mutation {
    /** Alias of split=no-lock: split_kernel_leaf_mapping without pgtable_split_lock. */
    NO_SPLIT_LOCK("= --variant split=no-lock: split_kernel_leaf_mapping runs without pgtable_split_lock", "split=no-lock"),
    /** Alias of lazy=no-flush: arch_flush_lazy_mmu_mode clears PENDING but emits no barriers. */
    NO_LAZY_FLUSH("= --variant lazy=no-flush: the lazy MMU flush clears TIF_LAZY_MMU_PENDING without emitting dsb ishst; isb",
            "lazy=no-flush"),
    /** Alias of split=cont-one-entry: split_contpte / split_contpmd clear CONT on the entry at addr only. */
    CONT_ONE_ENTRY("= --variant split=cont-one-entry: split_contpte/split_contpmd clear CONT on the one entry at addr, not the whole group",
            "split=cont-one-entry"),
    /** Alias of pageattr=no-flush: __change_memory_common returns without flush_tlb_kernel_range. */
    NO_TLB_FLUSH("= --variant pageattr=no-flush: the kernel's __change_memory_common skips flush_tlb_kernel_range (needs machine hw)",
            "pageattr=no-flush"),
    /** Alias of split=counter-outside-lock: the DirectMap counters of a split are updated after pgtable_split_lock is dropped. */
    COUNTER_OUTSIDE_LOCK("= --variant split=counter-outside-lock: the DirectMap counter updates of a split happen after "
            + "pgtable_split_lock is released", "split=counter-outside-lock"),
    /** Alias of collapse-free=free-before-flush: the kernel's collapse frees the table before __flush_tlb_kernel_pgtable. */
    COLLAPSE_FREE_BEFORE_FLUSH("= --variant collapse-free=free-before-flush: the kernel's PMD collapse frees the PTE table before "
            + "__flush_tlb_kernel_pgtable (needs machine hw)", "collapse-free=free-before-flush"),
    /**
     * Alias of bbml2=boot-cpu (seed 003 v2's decision) on CPUs that need it to matter: the kernel
     * trusts the boot CPU's BBML2_NOABORT, and a machine whose CPUs all have it is given secondaries
     * without it (machine bbml2: boot-cpu).
     */
    BBML2_BOOT_CPU_ONLY("= --variant bbml2=boot-cpu on a machine whose secondary CPUs lack BBML2_NOABORT (machine bbml2: boot-cpu): "
            + "the kernel splits live on the boot CPU's word (seed 003 v2; needs machine hw)", "bbml2=boot-cpu");

    public final String description;
    /** The known-bad kernel variant (family=name) this mutation selects. */
    public final String variant;

    Mutation(String description, String variant) {
        this.description = description;
        this.variant = variant;
    }

    /** Name as written on the command line and in scenario files: no-split-lock, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The machine an execution under this mutation boots: the scenario's machine with the
     * mutation's kernel variant selected last (so it wins over the scenario's own choice), and for
     * bbml2-boot-cpu-only secondaries without BBML2_NOABORT when every CPU had it.
     */
    public org.ptlab.kernel.MachineSpec applyTo(org.ptlab.kernel.MachineSpec m) {
        if (this == BBML2_BOOT_CPU_ONLY && "noabort".equals(m.bbml2) && m.cpu == null) {
            m = m.with(x -> x.bbml2 = "boot-cpu");
        }
        return m.withVariants(List.of(variant));
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

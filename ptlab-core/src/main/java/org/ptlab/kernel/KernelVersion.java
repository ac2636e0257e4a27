package org.ptlab.kernel;

/**
 * The kernel releases whose linear-map rules ptlab models, each as Debian builds it (the exact source
 * is Debian's {@code linux-source-X.Y} package). Each rule that differs is a method here, with its
 * source; docs/kernel-versions.md lists them side by side.
 */
public enum KernelVersion {
    /** Linux 6.1 (Debian 6.1.192, bookworm). */
    V6_1("6.1", 6, 1),
    /** Linux 6.12 (Debian 6.12.1xx, trixie). */
    V6_12("6.12", 6, 12),
    /** Linux 7.2 (Debian 7.2.13, sid; the default). */
    V7_2("7.2", 7, 2),
    /** Linux 7.3 (Debian 7.3.4, trixie-backports; BBML2_NOABORT renamed BBML3). */
    V7_3("7.3", 7, 3);

    public final String label;
    private final int order;

    KernelVersion(String label, int major, int minor) {
        this.label = label;
        this.order = major * 100 + minor;
    }

    /** The release ptlab boots when none is named (kept at 7.2 so earlier figures stay comparable). */
    public static final KernelVersion NEWEST = V7_2;

    /** Labels for messages: "6.1, 6.12, 7.2 or 7.3". */
    public static String labels() {
        StringBuilder b = new StringBuilder();
        KernelVersion[] vs = values();
        for (int i = 0; i < vs.length; i++) {
            b.append(i == 0 ? "" : i == vs.length - 1 ? " or " : ", ").append(vs[i].label);
        }
        return b.toString();
    }

    public static KernelVersion parse(String s) {
        for (KernelVersion v : values()) {
            if (v.label.equals(s.trim())) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown kernel version '" + s + "': expected " + labels());
    }

    /** Whether this release is at least {@code o}. */
    public boolean atLeast(KernelVersion o) {
        return order >= o.order;
    }

    /**
     * Whether {@code rodata=on} means full (7.x: "on" is full and the default, "noalias" is the old
     * "on", and "full" is rejected). In 6.x "full" is full and "on" only protects the image.
     */
    public boolean rodataOnIsFull() {
        return atLeast(V7_2);
    }

    /**
     * Whether the block-mapped linear map with rodata=full exists when the CPUs have
     * BBML2_NOABORT (a166563e7ec3, v6.18; 7.3 calls the capability BBML3).
     */
    public boolean hasBbml2BlockMapping() {
        return atLeast(V7_2);
    }

    /**
     * Whether KFENCE can allocate its pool early (kfence.sample_interval != 0 at boot) and map only
     * the pool with pages. Debian's 6.1.192 carries it too (arch/arm64/mm/mmu.c,
     * arm64_kfence_alloc_pool(), read in linux-source-6.1), so every modelled release has it.
     */
    public boolean hasEarlyKfencePool() {
        return true;
    }

    /**
     * Whether the image alias honours forced PTE mapping: from 7.2 map_mem() maps
     * [_text, __init_begin) first with the linear map's own flags (7.2 mmu.c, map_mem()); 6.1 and
     * 6.12 map it with NO_CONT_MAPPINGS only, so a PTE-mapped linear map still holds PMD blocks in
     * the alias.
     */
    public boolean aliasHonoursForcePte() {
        return atLeast(V7_2);
    }

    /**
     * 7.2+ map_mem() maps the image alias, then [__init_end, __bss_stop), then every memory range,
     * with creators that never put a block over an existing table nor CONT on a group holding a valid
     * non-contiguous entry (7.2 mmu.c: map_mem(), init_pmd(), alloc_init_cont_pte(),
     * pte_range_has_valid_noncont()); mark_linear_text_alias_ro() is no longer called.
     */
    public boolean mapsImageFirst() {
        return atLeast(V7_2);
    }

    /** Present-invalid encoding of invalidated kernel entries (7.0.1 fix). Before: only VALID cleared. */
    public boolean presentInvalidEncoding() {
        return atLeast(V7_2);
    }

    /**
     * change_memory_common()'s linear-alias loop covers only the requested pages and returns the
     * first error (7.2 pageattr.c); 6.1 and 6.12 loop over every page of the area and ignore errors.
     */
    public boolean aliasLoopRequestedPagesOnly() {
        return atLeast(V7_2);
    }

    /**
     * change_memory_common() refuses VM_ALLOW_HUGE_VMAP areas (7.2 pageattr.c tests
     * {@code (area->flags & (VM_ALLOC | VM_ALLOW_HUGE_VMAP)) != VM_ALLOC}); 6.1 and 6.12 test VM_ALLOC
     * only, and their __change_memory_common() walk (apply_to_page_range(), mm/memory.c
     * apply_to_pmd_range()/apply_to_pud_range()) WARNs and returns -EINVAL at any block leaf
     * instead (see {@link #pageattrWalksBlocks}).
     */
    public boolean changeMemoryRefusesHugeVmap() {
        return atLeast(V7_2);
    }

    /**
     * Whether the pageattr walk changes a PUD/PMD leaf lying wholly inside the range (7.2
     * walk_kernel_page_table_range() with pageattr_pud_entry()/pageattr_pmd_entry()); 6.1 and 6.12
     * apply_to_page_range() stops at any block with WARN_ON_ONCE and -EINVAL.
     */
    public boolean pageattrWalksBlocks() {
        return atLeast(V7_2);
    }

    /**
     * The BBML2_NOABORT capability (7.3: BBML3) also accepts a CPU whose ID_AA64MMFR2_EL1.BBM is 3 or
     * more, and its allow-list grew (7.3 cpufeature.c, cpu_supports_bbml3()).
     */
    public boolean bbml3() {
        return atLeast(V7_3);
    }

    /**
     * crashkernel= on the command line maps the whole linear map with pages (6.1 mmu.c, map_mem():
     * crash_mem_map with defer_reserve_crashkernel(), true on Debian's ZONE_DMA builds); later
     * releases reserve the crash kernel without touching the linear map.
     */
    public boolean crashkernelForcesPtes() {
        return this == V6_1;
    }
}

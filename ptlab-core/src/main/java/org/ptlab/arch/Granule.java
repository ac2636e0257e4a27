package org.ptlab.arch;

/**
 * A VMSAv8-64 translation granule, with the kernel's per-granule constants
 * ({@code PAGE_SHIFT}, {@code CONT_PTE_SHIFT}, {@code CONT_PMD_SHIFT} from arch/arm64/Kconfig
 * and asm/pgtable-hwdef.h).
 */
public enum Granule {
    /** 4K pages: 512 entries per table, 64K contPTE, 32M contPMD, 1G PUD blocks. */
    G4K(12, 4, 4, 30, "4K"),
    /** 16K pages: 2048 entries per table, 2M contPTE, 1G contPMD, no PUD blocks used by the kernel. */
    G16K(14, 7, 5, 30, "16K"),
    /** 64K pages: 8192 entries per table, 2M contPTE, 16G contPMD, no PUD blocks used by the kernel. */
    G64K(16, 5, 5, 29, "64K");

    /** PAGE_SHIFT. */
    public final int pageShift;
    /** log2(CONT_PTES) (ARM64_CONT_PTE_SHIFT). */
    public final int contPteBits;
    /** log2(CONT_PMDS) (ARM64_CONT_PMD_SHIFT). */
    public final int contPmdBits;
    /** ARM64_MEMSTART_SHIFT (alignment of PHYS_OFFSET), see asm/kernel-pgtable.h. */
    public final int memstartShift;
    /** Human name: "4K", "16K", "64K". */
    public final String label;

    Granule(int pageShift, int contPteBits, int contPmdBits, int memstartShift, String label) {
        this.pageShift = pageShift;
        this.contPteBits = contPteBits;
        this.contPmdBits = contPmdBits;
        this.memstartShift = memstartShift;
        this.label = label;
    }

    public long pageSize() {
        return 1L << pageShift;
    }

    /** Number of descriptors in one table page: PTRS_PER_PTE. */
    public int entriesPerTable() {
        return 1 << (pageShift - 3);
    }

    /** log2 of the number of descriptors per table. */
    public int tableBits() {
        return pageShift - 3;
    }

    /** Level shift rule: a level-n entry maps (PAGE_SHIFT-3)*(4-n)+3 bits. */
    public int levelShift(int level) {
        return (pageShift - 3) * (4 - level) + 3;
    }

    /** The kernel maps PUD (level 1) blocks only with 4K pages ({@code pud_sect_supported()}). */
    public boolean pudSectSupported() {
        return this == G4K;
    }

    /** Parse "4K", "4k", "4096", "16K", "64K". */
    public static Granule parse(String s) {
        String t = s.trim().toUpperCase(java.util.Locale.ROOT);
        switch (t) {
            case "4K": case "4096": case "4KB": return G4K;
            case "16K": case "16384": case "16KB": return G16K;
            case "64K": case "65536": case "64KB": return G64K;
            default: throw new IllegalArgumentException("unknown granule '" + s + "': expected 4K, 16K or 64K");
        }
    }
}

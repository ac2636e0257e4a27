package org.ptlab.arch;

/**
 * Translation geometry of a kernel configuration: granule and VA size, hence the number of levels,
 * the per-level shifts and table sizes, the contiguous sizes, and the linear map's VA window.
 *
 * <p>Levels are hardware lookup levels (-1 .. 3). Linux names: level 3 is the PTE level, 2 the PMD,
 * 1 the PUD, 0 the P4D (PGD with four levels), -1 the PGD of a five-level (LPA2) configuration;
 * folded levels simply do not exist here, and the top level is always called PGD.
 * Supported combinations are those of arch/arm64/Kconfig ({@code ARM64_VA_BITS_*}).
 */
public final class Geometry {
    public final Granule granule;
    public final int vaBits;
    /** CONFIG_PGTABLE_LEVELS. */
    public final int levels;
    /** Hardware level of the root table (4 - levels). */
    public final int startLevel;
    /** VA_BITS_MIN: 48 when VA_BITS is 52, else VA_BITS. */
    public final int vaBitsMin;
    public final int pageShift;
    public final long pageSize;
    public final int ptrsPerTable;
    /** PTRS_PER_PGD. */
    public final int ptrsPerPgd;
    /** PGDIR_SHIFT. */
    public final int pgdirShift;
    public final long contPteSize;
    public final long contPmdSize;
    public final int contPtes;
    public final int contPmds;
    /** PAGE_OFFSET: first VA of the linear map. */
    public final long pageOffset;
    /** PAGE_END: end (exclusive) of the linear map. */
    public final long pageEnd;
    /** Output-address mask of a descriptor (bits 47..PAGE_SHIFT). */
    public final long oaMask;

    private Geometry(Granule g, int vaBits, int levels) {
        this.granule = g;
        this.vaBits = vaBits;
        this.levels = levels;
        this.startLevel = 4 - levels;
        this.vaBitsMin = vaBits > 48 ? 48 : vaBits;
        this.pageShift = g.pageShift;
        this.pageSize = 1L << g.pageShift;
        this.ptrsPerTable = g.entriesPerTable();
        this.pgdirShift = g.levelShift(startLevel);
        this.ptrsPerPgd = 1 << (vaBits - pgdirShift);
        this.contPtes = 1 << g.contPteBits;
        this.contPmds = 1 << g.contPmdBits;
        this.contPteSize = (long) contPtes << pageShift;
        this.contPmdSize = (long) contPmds << g.levelShift(2);
        this.pageOffset = -(1L << vaBits);
        this.pageEnd = -(1L << (vaBitsMin - 1));
        this.oaMask = ((1L << 48) - 1) & ~(pageSize - 1);
    }

    /** Levels for a granule/VA combination as upstream Kconfig defines them; rejects others. */
    public static Geometry of(Granule g, int vaBits) {
        int levels;
        switch (g) {
            case G4K:
                levels = vaBits == 39 ? 3 : vaBits == 48 ? 4 : vaBits == 52 ? 5 : -1;
                break;
            case G16K:
                levels = vaBits == 36 ? 2 : vaBits == 47 ? 3 : (vaBits == 48 || vaBits == 52) ? 4 : -1;
                break;
            default:
                levels = vaBits == 42 ? 2 : (vaBits == 48 || vaBits == 52) ? 3 : -1;
                break;
        }
        if (levels < 0) {
            throw new IllegalArgumentException("unsupported granule/VA combination " + g.label + "/" + vaBits
                    + ": expected " + supportedVaBits(g));
        }
        return new Geometry(g, vaBits, levels);
    }

    /** The VA sizes upstream offers for a granule. */
    public static String supportedVaBits(Granule g) {
        switch (g) {
            case G4K: return "VA bits 39, 48 or 52 with 4K pages";
            case G16K: return "VA bits 36, 47, 48 or 52 with 16K pages";
            default: return "VA bits 42, 48 or 52 with 64K pages";
        }
    }

    /** Number of VA bits resolved below and including a level's index: the level shift. */
    public int shift(int level) {
        return granule.levelShift(level);
    }

    /** Bytes mapped by one entry of a level. */
    public long entrySize(int level) {
        return 1L << shift(level);
    }

    /** Number of entries in a table at this level (the root may be smaller than a page). */
    public int entries(int level) {
        return level == startLevel ? ptrsPerPgd : ptrsPerTable;
    }

    /** Index of a VA in a table of this level. */
    public int index(int level, long va) {
        return (int) ((va >>> shift(level)) & (entries(level) - 1));
    }

    /** Whether the kernel may put a block (leaf) at this level. */
    public boolean blockAllowed(int level) {
        return level == 3 || level == 2 || (level == 1 && granule.pudSectSupported());
    }

    /** Whether this level has a contiguous-hint grouping the kernel uses (PTE and PMD). */
    public boolean contAllowed(int level) {
        return level == 3 || level == 2;
    }

    /** Entries per contiguous group at a level (CONT_PTES, CONT_PMDS). */
    public int contEntries(int level) {
        return level == 3 ? contPtes : level == 2 ? contPmds : 1;
    }

    /** Bytes of one contiguous group at a level. */
    public long contSize(int level) {
        return level == 3 ? contPteSize : level == 2 ? contPmdSize : entrySize(level);
    }

    /** Size in bytes of a mapping of the given kind. */
    public long size(MapSize s) {
        switch (s) {
            case PTE: return pageSize;
            case CONT_PTE: return contPteSize;
            case PMD: return entrySize(2);
            case CONT_PMD: return contPmdSize;
            default: return entrySize(1);
        }
    }

    /** Whether this granule has a PUD block line (only 4K, see {@code pud_sect_supported()}). */
    public boolean hasPud() {
        return granule.pudSectSupported();
    }

    /** The mapping kinds that exist for this geometry, smallest first. */
    public MapSize[] mapSizes() {
        return hasPud() ? MapSize.VALUES : new MapSize[] {MapSize.PTE, MapSize.CONT_PTE, MapSize.PMD, MapSize.CONT_PMD};
    }

    /** The DirectMap line name of a mapping kind: "DirectMap" + size (e.g. DirectMap64K, DirectMap2M). */
    public String directMapName(MapSize s) {
        return "DirectMap" + Sizes.label(size(s));
    }

    /** Linux name of a level as ptdump prints it: the root is always PGD. */
    public String levelName(int level) {
        if (level == startLevel) {
            return "PGD";
        }
        switch (level) {
            case 0: return "P4D";
            case 1: return "PUD";
            case 2: return "PMD";
            default: return "PTE";
        }
    }

    /** The end of the entry at this level containing addr, clipped to end ({@code pXd_addr_end}). */
    public long addrEnd(int level, long addr, long end) {
        long size = entrySize(level);
        long boundary = (addr + size) & -size;
        return Long.compareUnsigned(boundary - 1, end - 1) < 0 ? boundary : end;
    }

    /** The end of the contiguous group at this level containing addr, clipped to end. */
    public long contAddrEnd(int level, long addr, long end) {
        long size = contSize(level);
        long boundary = (addr + size) & -size;
        return Long.compareUnsigned(boundary - 1, end - 1) < 0 ? boundary : end;
    }

    @Override
    public String toString() {
        return granule.label + "/" + vaBits + " (" + levels + " levels)";
    }
}

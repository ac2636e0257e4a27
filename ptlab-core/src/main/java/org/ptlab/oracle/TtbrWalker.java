package org.ptlab.oracle;

import org.ptlab.arch.Geometry;

/**
 * Walks a real kernel's TTBR1_EL1 tables over the linear map's VA window and records every leaf
 * (Arm ARM D8.3 descriptor formats, stage 1, EL1&0). The decoding is ptlab's own: valid bit, table
 * bit at levels above 3, output address (with TCR_EL1.DS: OA[51:50] in bits 9:8), AP[2] (read-only),
 * AP[1] (user), SH, AF, nG, Contiguous, DBM, PXN, UXN, AttrIndx through MAIR_EL1. A table page
 * counts as the linear map's when it holds a non-zero entry inside the linear range (with 52-bit VA
 * the last root entry's table is shared with the vmalloc and kernel image area above PAGE_END).
 */
public final class TtbrWalker {
    private final TableImage mem;
    private final Regime r;
    private final Geometry g;
    private final LinearMap.Builder out;

    private TtbrWalker(TableImage mem, Regime r) {
        this.mem = mem;
        this.r = r;
        this.g = r.geo;
        this.out = new LinearMap.Builder(g);
    }

    /** The linear map [PAGE_OFFSET, PAGE_END) of the regime's tables in mem. */
    public static LinearMap walk(TableImage mem, Regime r) {
        return walk(mem, r, r.linearStart(), r.linearEnd());
    }

    /**
     * The leaves above the linear map, [PAGE_END, last page): vmalloc and module areas, the kernel
     * image, vmemmap, fixmap. What a check needs to know the physical pages behind the vmalloc areas
     * the kernel changed before the capture's probes existed.
     */
    public static LinearMap walkKernelArea(TableImage mem, Regime r) {
        return walk(mem, r, r.linearEnd(), -r.granule.pageSize());
    }

    /** The leaves in [start, end) (page aligned). */
    public static LinearMap walk(TableImage mem, Regime r, long start, long end) {
        TtbrWalker w = new TtbrWalker(mem, r);
        w.walk(r.geo.startLevel, r.rootPa(), start, end);
        return w.out.build();
    }

    /** Walks one table's entries over [addr, end); returns whether any of them was non-zero. */
    private boolean walk(int level, long table, long addr, long end) {
        long size = g.entrySize(level);
        boolean any = false;
        do {
            long next = g.addrEnd(level, addr, end);
            long d = mem.read(table, g.index(level, addr));
            if (d != 0) {
                any = true;
                boolean isTable = level < 3 && (d & 3) == 3;
                if (isTable) {
                    if (walk(level + 1, r.oa(d), addr, next)) {
                        out.table(level + 1);
                    }
                } else if (level == 3 && (d & 1) != 0 && (d & 2) == 0) {
                    // bits 1:0 = 01 at level 3 is reserved: treat as invalid, keep it visible
                    out.leaves(addr & -size, level, attrs(level, d) | LinearMap.INVALID, mem(d), r.oa(d) & -size, size);
                } else {
                    out.leaves(addr & -size, level, attrs(level, d), mem(d), r.oa(d) & -size, size);
                }
            }
            addr = next;
        } while (addr != end);
        return any;
    }

    private int attrs(int level, long d) {
        int a = 0;
        if ((d & 1) == 0) {
            a |= LinearMap.INVALID;
        }
        if ((d & (1L << 7)) != 0) {
            a |= LinearMap.RO;
        }
        if ((d & (1L << 6)) != 0) {
            a |= LinearMap.USER;
        }
        if ((d & (1L << 53)) != 0) {
            a |= LinearMap.PXN;
        }
        if ((d & (1L << 54)) != 0) {
            a |= LinearMap.UXN;
        }
        if (r.innerShareable(d)) {
            a |= LinearMap.SHD;
        }
        if ((d & (1L << 10)) != 0) {
            a |= LinearMap.AF;
        }
        if ((d & (1L << 11)) != 0) {
            a |= LinearMap.NG;
        }
        if ((d & (1L << 52)) != 0) {
            a |= LinearMap.CONT;
        }
        if (level < 3 && (d & 2) == 0) {
            a |= LinearMap.BLK;
        }
        if ((d & (1L << 51)) != 0) {
            a |= LinearMap.DBM;
        }
        return a;
    }

    private String mem(long d) {
        return r.memType((int) ((d >>> 2) & 7));
    }
}

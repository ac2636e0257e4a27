package org.ptlab.oracle;

import org.ptlab.arch.Desc;
import org.ptlab.check.TableWalk;
import org.ptlab.kernel.Kernel;

/**
 * The model's linear map in the same terms as a real walk ({@link LinearMap}): the kernel's
 * translation tables walked over [PAGE_OFFSET, PAGE_END), each leaf's attributes decoded from the
 * model's descriptor bits and its memory type named through the given MAIR_EL1 value.
 */
public final class ModelMap {
    private ModelMap() {}

    public static LinearMap of(Kernel k, long mair) {
        Regime names = new Regime(0, 2L << 30 | 16L << 16, mair); // only memType() is used
        LinearMap.Builder b = new LinearMap.Builder(k.geo);
        long pageMask = k.geo.pageSize - 1;
        // per level being walked: whether the table page met a non-zero entry in the range
        boolean[] any = new boolean[8];
        TableWalk.walk(k.pg, k.swapper, k.geo.pageOffset, k.geo.pageEnd, new TableWalk.Visitor() {
            @Override
            public void leaf(long va, int level, long d, long table, int idx) {
                any[level + 2] = true;
                b.leaves(va, level, attrs(level, d), names.memType(Desc.memType(d)), Desc.oa(d, pageMask) & -k.geo.entrySize(level),
                        k.geo.entrySize(level));
            }

            @Override
            public void leafRun(long va, int level, long first, long step, int count, long table, long entrySize) {
                any[level + 2] = true;
                b.leaves(va, level, attrs(level, first), names.memType(Desc.memType(first)), Desc.oa(first, pageMask),
                        count * entrySize);
            }

            @Override
            public boolean table(long va, int level, long d, long tablePa) {
                any[level + 2] = true;
                any[level + 3] = false;
                return true;
            }

            @Override
            public void tableDone(long tablePa, int level, long va) {
                if (level > k.geo.startLevel && any[level + 2]) {
                    b.table(level);
                }
            }
        });
        return b.build();
    }

    static int attrs(int level, long d) {
        int a = 0;
        if (!Desc.valid(d)) {
            a |= LinearMap.INVALID;
        }
        if ((d & Desc.RDONLY) != 0) {
            a |= LinearMap.RO;
        }
        if ((d & Desc.USER) != 0) {
            a |= LinearMap.USER;
        }
        if ((d & Desc.PXN) != 0) {
            a |= LinearMap.PXN;
        }
        if ((d & Desc.UXN) != 0) {
            a |= LinearMap.UXN;
        }
        if ((d & Desc.SHARED) == Desc.SHARED) {
            a |= LinearMap.SHD;
        }
        if ((d & Desc.AF) != 0) {
            a |= LinearMap.AF;
        }
        if ((d & Desc.NG) != 0) {
            a |= LinearMap.NG;
        }
        if ((d & Desc.CONT) != 0) {
            a |= LinearMap.CONT;
        }
        if (level < 3 && (d & Desc.TABLE_BIT) == 0) {
            a |= LinearMap.BLK;
        }
        if ((d & Desc.DBM) != 0) {
            a |= LinearMap.DBM;
        }
        return a;
    }
}

package org.ptlab.check;

import java.util.ArrayList;
import java.util.List;
import org.ptlab.arch.Desc;
import org.ptlab.kernel.Kernel;
import org.ptlab.pgtable.PgtableObserver;

/**
 * Break-before-make of live kernel entries (reference 3.9, invariant 4), as an observer of every
 * descriptor write: replacing a valid leaf by a valid entry of another size (a table, or a leaf
 * with the Contiguous bit changed) is allowed only when every CPU has BBML2_NOABORT; replacing it
 * by a valid leaf with another output address or memory type is never allowed in place. The boot
 * repaint runs before the observer is attached (its CPUs are parked).
 */
public final class LiveSizeChange implements PgtableObserver {
    private final Kernel k;
    private final List<Violation> found = new ArrayList<>();
    private long count;

    public LiveSizeChange(Kernel k) {
        this.k = k;
    }

    @Override
    public void onWrite(int cpu, long tablePa, int level, int idx, long old, long val) {
        if (!Desc.valid(old) || !Desc.valid(val) || !Desc.isLeaf(level, old)) {
            return;
        }
        String why = null;
        boolean sizeChange = !Desc.isLeaf(level, val) || Desc.cont(old) != Desc.cont(val);
        if (Desc.isLeaf(level, val) && ((old ^ val) & k.geo.oaMask) != 0) {
            why = "changes the output address of a live leaf without break-before-make";
        } else if (Desc.isLeaf(level, val) && Desc.memType(old) != Desc.memType(val)
                && !(isNormal(old) && isNormal(val))) {
            why = "changes the memory type of a live leaf without break-before-make";
        } else if (sizeChange && !k.systemBbml2) {
            why = "changes the block size of a live leaf although the system lacks BBML2_NOABORT (break-before-make violation)";
        }
        if (why != null) {
            count++;
            if (found.size() < 16) {
                long size = k.geo.entrySize(level);
                found.add(new Violation("break-before-make", String.format("%s entry %d of table 0x%x: %s: %s -> %s", k.geo.levelName(level), idx,
                        tablePa, why, Desc.describe(level, old), Desc.describe(level, val)), 0, 0));
            }
        }
    }

    private static boolean isNormal(long d) {
        int t = Desc.memType(d);
        return t == Desc.MT_NORMAL || t == Desc.MT_NORMAL_TAGGED;
    }

    /** Violations seen since the last call (then forgotten). */
    public List<Violation> drain() {
        List<Violation> out = new ArrayList<>(found);
        found.clear();
        return out;
    }

    public long count() {
        return count;
    }
}

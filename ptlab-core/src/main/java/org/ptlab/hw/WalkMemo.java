package org.ptlab.hw;

import org.ptlab.arch.Desc;
import org.ptlab.pgtable.Pgtable;

/**
 * A host-side memo of table-walk paths: not a modelled structure (the modelled walk still charges
 * each descriptor load it makes, through the walk cache and the line caches, exactly as without
 * it), only a shortcut for the host. For the span of VAs that one last-level table maps, it keeps
 * the table descriptors a walk from a given root reads above that table. Every entry is valid
 * only while {@link Pgtable#gen()} is what it was at the fill, so any write, run, allocation or
 * free of table memory invalidates all of them at once; the walk then reads the tables again.
 *
 * <p>Why: a walk reads each level's descriptor from the table its parent names, a chain of
 * dependent host loads (slot, page, chunk, entry) per level that no host can overlap. With the
 * memo the upper descriptors are independent loads and only the leaf is read through the store.
 */
final class WalkMemo {
    private static final int SIZE = 4096;
    private static final int MASK = SIZE - 1;

    private final Pgtable pg;
    private final int start;
    /** VA shift of the span one last-level table maps (the level-2 entry size). */
    private final int spanShift;
    private final int[] levelShift = new int[4];
    private final long[] idxMask = new long[4];
    private final long oaMask;

    /**
     * Two adjacent host cache lines per entry, sixteen longs at index * 16: the VA span, the root,
     * the generation, the leaf level (the first level whose descriptor is not a valid table
     * descriptor: the leaf, or where a walk faults) with {@link #RUN} set when the table at that
     * level is held as an arithmetic run, the table descriptors of levels 0..2 (those below the
     * leaf level are meaningful) at +4 + level, and at +8 and +9 that run's first descriptor and
     * step: then the walk computes the leaf instead of reading it through the store. At +10 the
     * table at the leaf level and at +11 the PXNTable/UXNTable bits gathered on the way to it, for
     * a walker with nothing to do at the upper levels (no walk cache, no line caches).
     */
    final long[] e = new long[SIZE * 16];
    static final int RUN = 0x100;
    WalkMemo(Pgtable pg) {
        this.pg = pg;
        this.start = pg.geo.startLevel;
        this.spanShift = pg.geo.shift(2);
        for (int l = start; l <= 3; l++) {
            levelShift[l] = pg.geo.shift(l);
            idxMask[l] = pg.geo.entries(l) - 1;
        }
        this.oaMask = pg.geo.oaMask;
        for (int i = 0; i < SIZE; i++) {
            e[i * 16 + 2] = -1;
        }
    }

    /** The entry for (va, rootTable), filled from the tables if it is absent or older than gen (the tables' generation now): its base index in {@link #e}. */
    int entry(long va, long rootTable, long gen) {
        long k = va >>> spanShift;
        int b = ((int) (k ^ (k >>> 12)) & MASK) << 4;
        long[] a = e;
        if (a[b] != k || a[b + 1] != rootTable || a[b + 2] != gen) {
            fill(b, k, va, rootTable);
        }
        return b;
    }

    private void fill(int b, long k, long va, long rootTable) {
        long table = rootTable;
        int level = start;
        for (; level < 3; level++) {
            long d = pg.peek(table, (int) ((va >>> levelShift[level]) & idxMask[level]));
            if ((d & Desc.VALID) == 0 || (d & Desc.TYPE_MASK) != Desc.TYPE_TABLE) {
                break;
            }
            e[b + 4 + level] = d;
            table = d & oaMask;
        }
        long tx = 0;
        for (int l = start; l < level; l++) {
            tx |= e[b + 4 + l] & (Desc.TABLE_PXN | Desc.TABLE_UXN);
        }
        e[b + 10] = table;
        e[b + 11] = tx;
        boolean run = pg.isRunTable(table);
        if (run) {
            e[b + 8] = pg.runFirst(table);
            e[b + 9] = pg.runStep(table);
        }
        e[b] = k;
        e[b + 1] = rootTable;
        e[b + 2] = pg.gen();
        e[b + 3] = level | (run ? RUN : 0);
    }

    /** The leaf level of entry b. */
    int leaf(int b) {
        return (int) e[b + 3] & 0xff;
    }

    /** Whether the table at entry b's leaf level is a run (its descriptors first + idx * step, at +8 and +9). */
    boolean leafRun(int b) {
        return (e[b + 3] & RUN) != 0;
    }

    /** The table a walk along entry b reads at level (the root at the start level). */
    long tableAt(int b, int level, long rootTable) {
        return level == start ? rootTable : e[b + 4 + level - 1] & oaMask;
    }
}

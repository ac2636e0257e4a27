package org.ptlab.pgtable;

import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;

/**
 * The generic table walker, in two shapes.
 *
 * <p>{@link #walk}: a read-only walk of a translation table tree over [start, end), independent of
 * the kernel algorithms: it reads tables with {@link Pgtable#peek} (no observers, no scheduling)
 * and reports every entry it meets to a {@link Visitor}, in address order. Used by ptdump, the
 * invariant checker, the DirectMap recount, the reference models and the replay targets.
 *
 * <p>Descents to one address (the kernel's {@code pgd_offset_k} / {@code pud_offset} /
 * {@code pmd_offset} / {@code pte_offset_kernel} chain): {@link #leaf} and {@link #tableAt} read
 * each level's entry through the accessor layer ({@link Pgtable#read}: observers see every read and
 * it is a scheduling point of the explorer, as each level's {@code READ_ONCE} is in the kernel), in
 * the kernel's order, one read per level; {@link #peekLeaf} is the same descent with
 * {@link Pgtable#peek} for checkers. {@link #tableAt(Pgtable, long, long, int, Populate)} allocates
 * on the way down, as the kernel's {@code pte_alloc_kernel} / {@code pmd_alloc} /
 * {@code alloc_init_*} do: a missing table is created and linked by the caller's {@link Populate}
 * (through the accessor layer), and the entry is read again before the walk goes on (the
 * {@code *_offset} after {@code *_populate}).
 */
public final class TableWalk {
    private TableWalk() {}

    /** Where a descent to one address ended: the entry's level, its table, its index and its value. */
    public static final class Entry {
        public int level;
        public long table;
        public int idx;
        public long desc;
    }

    /**
     * Creates the next-level table under an entry that is not a table, for an allocating descent:
     * allocate it, write the table descriptor through the accessor layer ({@code pmd_populate_kernel},
     * {@code __pmd_populate}, ...) and return its PA; return 0 when the allocation failed (the
     * descent then returns 0, -ENOMEM for the caller). {@code d} is the entry found (0, or a leaf in
     * the way, which the caller may refuse by throwing).
     */
    @FunctionalInterface
    public interface Populate {
        long populate(int level, long table, int idx, long d);
    }

    /**
     * Descend from root to the leaf mapping va: the first entry that is none, not a table, or a
     * level-3 entry, each level read through {@link Pgtable#read} (observed, a scheduling point).
     * Returns that entry's value (0 when none) and fills {@code e} when given.
     */
    public static long leaf(Pgtable pg, long root, long va, Entry e) {
        Geometry g = pg.geo;
        long table = root;
        for (int level = g.startLevel;; level++) {
            int idx = g.index(level, va);
            long d = pg.read(table, idx);
            if (level == 3 || d == 0 || !Desc.isTable(d)) {
                return found(e, level, table, idx, d);
            }
            table = Pgtable.tablePa(d);
        }
    }

    /** {@link #leaf} reading with {@link Pgtable#peek}: no observers, no scheduling (checkers, reference models). */
    public static long peekLeaf(Pgtable pg, long root, long va, Entry e) {
        Geometry g = pg.geo;
        long table = root;
        for (int level = g.startLevel;; level++) {
            int idx = g.index(level, va);
            long d = pg.peek(table, idx);
            if (level == 3 || d == 0 || !Desc.isTable(d)) {
                return found(e, level, table, idx, d);
            }
            table = Pgtable.tablePa(d);
        }
    }

    private static long found(Entry e, int level, long table, int idx, long d) {
        if (e != null) {
            e.level = level;
            e.table = table;
            e.idx = idx;
            e.desc = d;
        }
        return d;
    }

    /** Returned by a {@link Step} to end a descent with the result 0. */
    public static final long STOP = Long.MIN_VALUE;

    /** Acts on each level's entry of a descent ({@link #descend}). */
    @FunctionalInterface
    public interface Step {
        /**
         * The entry {@code d} just read at index {@code idx} of {@code table} (a table of
         * {@code level}) on the way down to va. Return the next level's table to go on into (the
         * step may have changed the entry first: split a block, populate a table, and read it
         * again), {@link #STOP} to end the descent with 0, or a negative errno to end it with that.
         */
        long at(int level, long table, int idx, long d);
    }

    /**
     * A descent to va from the root down to level {@code last} (inclusive; below the root level:
     * nothing is read) in which {@code step} acts on each level's entry: the walker reads the
     * entry once through {@link Pgtable#read} (observed, a scheduling point) and hands it to the
     * step. For algorithms that change entries on the way down, as
     * {@code split_kernel_leaf_mapping_locked} and {@code split_huge_pud/pmd} do. Returns 0, or the
     * negative errno a step ended it with.
     */
    public static int descend(Pgtable pg, long root, long va, int last, Step step) {
        Geometry g = pg.geo;
        long table = root;
        for (int level = g.startLevel; level <= last; level++) {
            int idx = g.index(level, va);
            long next = step.at(level, table, idx, pg.read(table, idx));
            if (next < 0) {
                return next == STOP ? 0 : (int) next;
            }
            table = next;
        }
        return 0;
    }

    /**
     * The table of {@code level} holding va's entry, each entry above it read through
     * {@link Pgtable#read}; 0 when an entry above is not a table (none or a leaf).
     */
    public static long tableAt(Pgtable pg, long root, long va, int level) {
        return tableAt(pg, root, va, level, NO_POPULATE);
    }

    /** A descent that allocates nothing: an entry that is not a table ends it with 0. */
    private static final Populate NO_POPULATE = (level, table, idx, d) -> 0;

    /**
     * Allocate-on-descent: {@link #tableAt}, but an entry above {@code level} that is not a table
     * is handed to {@code populate}, which links a new table there; the entry is then read again
     * and the walk goes on into it. Returns the table of {@code level}, or 0 when populate failed.
     */
    public static long tableAt(Pgtable pg, long root, long va, int level, Populate populate) {
        Geometry g = pg.geo;
        long table = root;
        for (int l = g.startLevel; l < level; l++) {
            int idx = g.index(l, va);
            long d = pg.read(table, idx);
            if (!Desc.isTable(d)) {
                if (populate.populate(l, table, idx, d) == 0) {
                    return 0;
                }
                d = pg.read(table, idx);
            }
            table = Pgtable.tablePa(d);
        }
        return table;
    }

    /** Receives entries in address order. */
    public interface Visitor {
        /** A none entry covering [va, va + size) at a level. */
        default void hole(long va, long size, int level) {}

        /** A leaf (valid, invalid or present-invalid block/page). */
        default void leaf(long va, int level, long desc, long table, int idx) {}

        /**
         * {@code count} consecutive leaves first, first + step, ... starting at va (a run table
         * covered whole). The default reports each leaf.
         */
        default void leafRun(long va, int level, long first, long step, int count, long table, long entrySize) {
            for (int i = 0; i < count; i++) {
                leaf(va + i * entrySize, level, first + i * step, table, i);
            }
        }

        /** A table descriptor at a level pointing to tablePa; return false to skip descending. */
        default boolean table(long va, int level, long desc, long tablePa) {
            return true;
        }

        /** Called after the entries of a table page have all been visited. */
        default void tableDone(long tablePa, int level, long va) {}
    }

    /** Walk [start, end) under root. Both ends must be page aligned; end 0 means the top of VA space. */
    public static void walk(Pgtable pg, long root, long start, long end, Visitor v) {
        Geometry g = pg.geo;
        walk(pg, g, g.startLevel, root, start, end, v);
        v.tableDone(root, g.startLevel, start);
    }

    private static void walk(Pgtable pg, Geometry g, int level, long table, long addr, long end, Visitor v) {
        long size = g.entrySize(level);
        if (level == 3 && pg.isRunTable(table)) {
            long first = pg.runFirst(table);
            long step = pg.runStep(table);
            if (first != 0 && step == size) {
                int i0 = g.index(level, addr);
                int n = (int) ((end - addr + size - 1) / size);
                v.leafRun(addr, level, first + i0 * step, step, n, table, size);
                return;
            }
        }
        do {
            long next = g.addrEnd(level, addr, end);
            int idx = g.index(level, addr);
            long d = pg.peek(table, idx);
            if (d == 0) {
                v.hole(addr, next - addr, level);
            } else if (level < 3 && Desc.isTable(d)) {
                long child = Pgtable.tablePa(d);
                if (v.table(addr & -size, level, d, child)) {
                    walk(pg, g, level + 1, child, addr, next, v);
                    v.tableDone(child, level + 1, addr & -size);
                }
            } else {
                v.leaf(addr & -size, level, d, table, idx);
            }
            addr = next;
        } while (addr != end);
    }
}

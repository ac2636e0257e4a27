package org.ptlab.pgtable;

import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;

/**
 * A read-only walk of a translation table tree over [start, end), independent of the kernel
 * algorithms: it reads tables with {@link Pgtable#peek} (no observers, no scheduling) and reports
 * every entry it meets to a {@link Visitor}, in address order. Used by ptdump, the invariant
 * checker and the DirectMap recount.
 */
public final class TableWalk {
    private TableWalk() {}

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

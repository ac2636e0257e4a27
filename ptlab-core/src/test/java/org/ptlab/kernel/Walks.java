package org.ptlab.kernel;

import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.MapSize;
import org.ptlab.pgtable.Pgtable;

/** Test helpers: read-only translation and DirectMap recount by walking swapper with peek(). */
final class Walks {
    private Walks() {}

    /** The leaf mapping va as {level, desc}, or null when unmapped. */
    static long[] leaf(Kernel k, long va) {
        Geometry g = k.geo;
        long table = k.swapper;
        for (int level = g.startLevel; level <= 3; level++) {
            long d = k.pg.peek(table, g.index(level, va));
            if (d == 0) {
                return null;
            }
            if (level == 3 || !Desc.isTable(d)) {
                return new long[] {level, d};
            }
            table = Pgtable.tablePa(d);
        }
        return null;
    }

    static long desc(Kernel k, long va) {
        long[] l = leaf(k, va);
        return l == null ? 0 : l[1];
    }

    /** Bytes per MapSize of linear leaves found by a walk. */
    static long[] recount(Kernel k) {
        long[] out = new long[MapSize.VALUES.length];
        Geometry g = k.geo;
        count(k, g.startLevel, k.swapper, g.pageOffset, g.pageEnd, out);
        return out;
    }

    private static void count(Kernel k, int level, long table, long addr, long end, long[] out) {
        Geometry g = k.geo;
        do {
            long next = g.addrEnd(level, addr, end);
            long d = k.pg.peek(table, g.index(level, addr));
            if (d != 0) {
                if (level == 3 || !Desc.isTable(d)) {
                    out[MapSize.of(level, Desc.cont(d)).ordinal()] += g.entrySize(level);
                } else {
                    count(k, level + 1, Pgtable.tablePa(d), addr, next, out);
                }
            }
            addr = next;
        } while (addr != end);
    }

    static KernelConfig bbml2(org.ptlab.arch.Granule gr, int vaBits) {
        KernelConfig c = new KernelConfig();
        c.granule = gr;
        c.vaBits = vaBits;
        c.cpus = new java.util.ArrayList<>(java.util.List.of(Cpu.parse("neoverse-v3")));
        return c;
    }
}

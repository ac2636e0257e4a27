package org.ptlab.run;

import java.util.SplittableRandom;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;
import org.ptlab.arch.MapSize;
import org.ptlab.hw.CoreConfig;
import org.ptlab.hw.HwModel;

/**
 * The two replay benchmarks shared by JMH (ptlab-bench) and {@code ptlab bench tlb}: a TLB-hit
 * dominated stream (uniform loads over 32 pages, inside the L1 TLB's reach) and a miss-dominated
 * stream (uniform loads over 256 MiB of 4K pages, 50 times the L2 TLB's reach, with the walk cache
 * disabled, so nearly every access walks all four levels). VAs are generated up front; the measured loop is {@link #run}.
 */
public final class TlbBench {
    public final HwModel hw;
    public final long[] vas;
    public final String name;
    /** Accesses per {@link #run}. */
    public final int n;

    private TlbBench(String name, HwModel hw, long[] vas, int n) {
        this.name = name;
        this.hw = hw;
        this.vas = vas;
        this.n = n;
    }

    /** Hit-dominated: 32 pages of a 4K-mapped region, data accesses through the cache model. */
    public static TlbBench hit(CoreConfig core, int n) {
        Region r = Region.standalone(Geometry.of(Granule.G4K, 48), 32 * 4096L, MapSize.PTE);
        HwModel hw = new HwModel(r.pg, core, 1).checks(false);
        hw.setRoots(r.root, 0);
        return new TlbBench("hit", hw, vas(r.va, 32 * 4096L, Math.min(n, BLOCK), 1), n);
    }

    /** Miss-dominated: 256 MiB of 4K pages, no walk cache: about 98% of accesses miss both TLBs and walk 4 levels. */
    public static TlbBench miss(CoreConfig core, int n) {
        CoreConfig c = core.copy();
        c.walkCache = null;
        Region r = Region.standalone(Geometry.of(Granule.G4K, 48), 256L << 20, MapSize.PTE);
        HwModel hw = new HwModel(r.pg, c, 1).checks(false);
        hw.setRoots(r.root, 0);
        return new TlbBench("miss", hw, vas(r.va, 256L << 20, Math.min(n, BLOCK), 2), n);
    }

    private static long[] vas(long base, long size, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = base + (r.nextLong(size) & -8L);
        }
        return v;
    }

    static final int BLOCK = 1 << 16;

    /** Replay n accesses (the VA block cyclically); returns the modelled cycles (a result that depends on every access). */
    public long run() {
        HwModel h = hw;
        long[] v = vas;
        int left = n;
        while (left > 0) {
            int k = Math.min(left, v.length);
            h.replay(0, v, null, HwModel.LOAD, 0, k);
            left -= k;
        }
        return h.cpu(0).stats.cycles;
    }
}

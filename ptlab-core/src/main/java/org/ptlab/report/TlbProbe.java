package org.ptlab.report;

import java.util.List;
import java.util.SplittableRandom;
import org.ptlab.hw.CoreConfig;
import org.ptlab.hw.HwModel;
import org.ptlab.hw.HwStats;
import org.ptlab.hw.Presets;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.MemoryLayout;

/**
 * A TLB-reach probe of the linear map for reports: a modelled CPU ({@link HwModel}, one core of a
 * preset, attached to the kernel's tables so that its TLBIs and table writes reach it) loads a fixed
 * pseudo-random set of linear-map pages twice; the last-level TLB misses of the second pass are the
 * measurement. With the linear map in PTEs most of the set misses; with blocks it fits the TLB. The
 * probe only reads tables (peek), so it changes nothing the run counts.
 */
public final class TlbProbe {
    private final HwModel hw;
    private final long[] vas;
    public final String core;

    /** pages: how many distinct pages the probe loads; seed fixes which. */
    public TlbProbe(Kernel k, String preset, int pages, long seed) {
        CoreConfig c = Presets.get(preset);
        this.core = c.summary();
        this.hw = new HwModel(k.pg, c, 1).checks(false).attach();
        hw.setRoots(0, k.swapper);
        List<MemoryLayout.Range> ranges = k.mem.mappedRanges();
        long total = 0;
        for (MemoryLayout.Range r : ranges) {
            total += r.end() - r.start();
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        long ps = k.geo.pageSize;
        this.vas = new long[pages];
        for (int i = 0; i < pages; i++) {
            long off = rnd.nextLong(total / ps) * ps;
            for (MemoryLayout.Range r : ranges) {
                if (off < r.end() - r.start()) {
                    vas[i] = k.physToVirt(r.start() + off);
                    break;
                }
                off -= r.end() - r.start();
            }
        }
    }

    /** Warm pass, then the counted pass: last-level TLB misses of the counted pass. */
    public long measure() {
        HwStats s = hw.cpu(0).stats;
        for (long va : vas) {
            hw.access(0, va, HwModel.LOAD);
        }
        s.reset();
        for (long va : vas) {
            hw.access(0, va, HwModel.LOAD);
        }
        return s.tlbMisses[s.lastLevel()];
    }

    public void detach() {
        hw.detach();
    }
}

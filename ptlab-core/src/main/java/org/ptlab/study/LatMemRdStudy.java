package org.ptlab.study;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;
import org.ptlab.arch.MapSize;
import org.ptlab.arch.Sizes;
import org.ptlab.hw.CoreConfig;
import org.ptlab.hw.HwModel;
import org.ptlab.hw.HwStats;
import org.ptlab.run.Region;
import org.ptlab.run.Replay;
import org.ptlab.source.AccessTrace;
import org.ptlab.source.Generators;

/**
 * The lat_mem_rd study (seed 004): the {@code lat_mem_rd -t} pointer chase, stride 64, over a
 * region of each size mapped once with 4K pages and once with 2M blocks, each in its own table tree;
 * modelled latency per load after a warm-up. Every figure comes from the TLB, walk-cache and cache
 * model; nothing is fitted per row.
 */
public final class LatMemRdStudy {
    private LatMemRdStudy() {}

    /** One row: size, ns per load with small and large mappings, and the counters behind them. */
    public record Row(long size, double nsSmall, double nsLarge, HwStats small, HwStats large) {
        public double improvement() {
            return (nsSmall - nsLarge) / nsSmall;
        }
    }

    /** Study parameters. */
    public static final class Params {
        public Granule granule = Granule.G4K;
        public MapSize small = MapSize.PTE;
        public MapSize large = MapSize.PMD;
        public long stride = 64;
        public long osPageSize = 4096;
        public boolean thrash = true;
        /** Warm-up accesses: at least this many, and at least half a pass over the pages. */
        public long warmup = 2_000_000;
        public long measure = 1_000_000;
        public long seed = 4;
        public List<Long> sizes = defaultSizes();

        static List<Long> defaultSizes() {
            List<Long> l = new ArrayList<>();
            for (long s = 64L << 20; s <= 4L << 30; s <<= 1) {
                l.add(s);
            }
            return l;
        }
    }

    public static List<Row> run(CoreConfig core, Params p) {
        List<Row> rows = new ArrayList<>();
        for (long size : p.sizes) {
            HwStats a = one(core, p, size, p.small);
            HwStats b = one(core, p, size, p.large);
            rows.add(new Row(size, a.cyclesPerAccess() / core.frequencyGHz, b.cyclesPerAccess() / core.frequencyGHz, a, b));
        }
        return rows;
    }

    /** Latency of one size with one mapping kind: counters of the measured accesses. */
    public static HwStats one(CoreConfig core, Params p, long size, MapSize kind) {
        Geometry geo = Geometry.of(p.granule, 48);
        Region r = Region.standalone(geo, size, kind);
        HwModel hw = new HwModel(r.pg, core, 1).checks(false);
        hw.setRoots(r.root, 0);
        try {
            AccessTrace t = Generators.latMemRd(size, p.stride, p.thrash, p.osPageSize, p.seed, -1);
            long warm = Math.max(p.warmup, size / p.osPageSize / 2);
            Replay.run(hw, 0, t, Replay.at(r.va), warm);
            hw.cpu(0).stats.reset();
            Replay.run(hw, 0, t, Replay.at(r.va), p.measure);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return hw.cpu(0).stats;
    }

    /** The table in the layout of seed 004's. */
    public static String format(List<Row> rows, CoreConfig core, Params p) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("lat_mem_rd%s stride %d, modelled on %s%n", p.thrash ? " -t" : "", p.stride, core.summary()));
        String sl = Sizes.label(Geometry.of(p.granule, 48).size(p.small));
        String ll = Sizes.label(Geometry.of(p.granule, 48).size(p.large));
        b.append(String.format("%-16s %-18s %-18s %s%n", "Memory Size (MB)", "With " + sl + " Mapping", "With " + ll + " Mapping",
                "Improvement"));
        b.append(String.format("%-16s %-18s %-18s %s%n", "----------------", "-----------------", "-----------------", "-----------"));
        for (Row r : rows) {
            b.append(String.format("%-16.2f %-18s %-18s %.1f%%%n", r.size() / 1048576.0, String.format("%.3f ns", r.nsSmall()),
                    String.format("%.3f ns", r.nsLarge()), 100 * r.improvement()));
        }
        b.append(String.format("%n%-10s %12s %12s %12s %12s %10s %10s%n", "size", sl + " L2-TLB miss", ll + " L2-TLB miss",
                sl + " refs/walk", ll + " refs/walk", sl + " PTE@mem", ll + " @mem"));
        for (Row r : rows) {
            int last = r.small().lastLevel();
            int mem = r.small().walkLoads.length - 1;
            b.append(String.format("%-10s %11.1f%% %11.1f%% %12.2f %12.2f %9.1f%% %9.1f%%%n", Sizes.label(r.size()),
                    pct(r.small().tlbMisses[last], r.small().accesses), pct(r.large().tlbMisses[last], r.large().accesses),
                    r.small().refsPerWalk(), r.large().refsPerWalk(), pct(r.small().walkLoads[mem], r.small().walkRefs),
                    pct(r.large().walkLoads[mem], r.large().walkRefs)));
        }
        return b.toString();
    }

    private static double pct(long a, long b) {
        return b == 0 ? 0 : 100.0 * a / b;
    }
}

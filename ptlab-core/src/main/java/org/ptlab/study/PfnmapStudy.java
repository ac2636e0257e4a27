package org.ptlab.study;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Sizes;
import org.ptlab.pgtable.TableWalk;
import org.ptlab.hw.CoreConfig;
import org.ptlab.hw.HwModel;
import org.ptlab.hw.HwStats;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.TlbFlush;
import org.ptlab.run.Replay;
import org.ptlab.source.AccessTrace;
import org.ptlab.source.Generators;
import org.ptlab.study.LatMemRdStudy;
import org.ptlab.user.Mm;
import org.ptlab.user.UserConfig;
import org.ptlab.user.UserProt;
import org.ptlab.user.UserSpace;

/**
 * Seed 004's measurement on the model: {@code lat_mem_rd -t} (stride 64) over
 * {@code mmap(device_fd)} where the driver's ->mmap calls {@code remap_pfn_range()}, three times per
 * size: remap_pfn_range with PTEs only (no PMD pfnmap support), with PMD leaves (seed 004) and with
 * PUD leaves (this model's extension). The mapping is built by the user model in its own mm and
 * walked by the hardware model through TTBR0; every figure comes from the TLB, walk-cache and cache
 * model.
 */
public final class PfnmapStudy {
    private PfnmapStudy() {}

    /** Device memory at 512 GiB physical, aligned for every leaf size. */
    public static final long DEVICE_PA = 0x80_0000_0000L;

    /** One size: ns per load and counters with PTEs, PMD leaves and PUD leaves, and the leaves used. */
    public record Row(long size, double[] ns, HwStats[] stats, long[][] leaves) {
        public double improvement(int kind) {
            return (ns[0] - ns[kind]) / ns[0];
        }
    }

    public static List<Row> run(CoreConfig core, LatMemRdStudy.Params p, UserProt.Cache cache) {
        List<Row> rows = new ArrayList<>();
        for (long size : p.sizes) {
            double[] ns = new double[3];
            HwStats[] st = new HwStats[3];
            long[][] lv = new long[3][];
            for (int k = 0; k < 3; k++) {
                lv[k] = new long[4];
                st[k] = one(core, p, size, k, cache, lv[k]);
                ns[k] = st[k].cyclesPerAccess() / core.frequencyGHz;
            }
            rows.add(new Row(size, ns, st, lv));
        }
        return rows;
    }

    /**
     * Latency of one size with remap_pfn_range limited to PTEs (kind 0), PMD leaves (1) or PUD
     * leaves (2); fills leaves[level] with the leaves the mapping got.
     */
    public static HwStats one(CoreConfig core, LatMemRdStudy.Params p, long size, int kind, UserProt.Cache cache, long[] leaves) {
        Geometry geo = Geometry.of(p.granule, 48);
        Pgtable pg = new Pgtable(geo, Math.max(16, (size >>> geo.shift(2)) + 16));
        UserConfig c = new UserConfig();
        c.pmdPfnmap = kind >= 1;
        c.pudPfnmap = kind >= 2;
        UserSpace us = new UserSpace(pg, new TlbFlush(pg, false), c);
        Mm mm = us.mmAlloc();
        long va = us.mmapPfn(mm, 0, size, UserProt.VM_READ | UserProt.VM_WRITE, cache, DEVICE_PA >>> geo.pageShift);
        if (va < 0) {
            throw new IllegalStateException("mmap of the device failed: " + va);
        }
        TableWalk.walk(pg, mm.pgd, va, va + size, new TableWalk.Visitor() {
            @Override
            public void leaf(long a, int level, long desc, long table, int idx) {
                leaves[level]++;
            }
        });
        HwModel hw = new HwModel(pg, core, 1).checks(false);
        hw.setRoots(mm.pgd, 0);
        try {
            AccessTrace t = Generators.latMemRd(size, p.stride, p.thrash, p.osPageSize, p.seed, -1);
            long warm = Math.max(p.warmup, size / p.osPageSize);
            Replay.run(hw, 0, t, Replay.at(va), warm);
            hw.cpu(0).stats.reset();
            Replay.run(hw, 0, t, Replay.at(va), p.measure);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HwStats st = hw.cpu(0).stats;
        if (st.accesses == 0 || st.translationFaults != 0 || st.permissionFaults != 0) {
            throw new IllegalStateException(String.format("the device mapping did not translate: %d accesses, %d translation and %d permission faults",
                    st.accesses, st.translationFaults, st.permissionFaults));
        }
        return hw.cpu(0).stats;
    }

    /** The seed 004 table with a PUD column, then what each mapping was made of and how it walked. */
    public static String format(List<Row> rows, CoreConfig core, LatMemRdStudy.Params p, UserProt.Cache cache) {
        Geometry geo = Geometry.of(p.granule, 48);
        String pte = Sizes.label(geo.pageSize);
        String pmd = Sizes.label(geo.entrySize(2));
        String pud = Sizes.label(geo.entrySize(1));
        StringBuilder b = new StringBuilder();
        b.append(String.format("lat_mem_rd%s stride %d over mmap(device_fd), remap_pfn_range, %s memory, modelled on %s%n",
                p.thrash ? " -t" : "", p.stride, cache.label, core.summary()));
        b.append(String.format("%-16s %-16s %-16s %-16s %-12s %s%n", "Memory Size (MB)", "PTE (" + pte + ")", "PMD (" + pmd + ")",
                "PUD (" + pud + ")", "PMD vs PTE", "PUD vs PTE"));
        b.append(String.format("%-16s %-16s %-16s %-16s %-12s %s%n", "----------------", "---------------", "---------------",
                "---------------", "-----------", "-----------"));
        for (Row r : rows) {
            b.append(String.format("%-16.2f %-16s %-16s %-16s %-12s %.1f%%%s%n", r.size() / 1048576.0,
                    String.format("%.3f ns", r.ns()[0]), String.format("%.3f ns", r.ns()[1]), String.format("%.3f ns", r.ns()[2]),
                    String.format("%.1f%%", 100 * r.improvement(1)), 100 * r.improvement(2), r.leaves()[2][1] == 0 ? " (no PUD leaf fits)" : ""));
        }
        b.append(String.format("%n%-8s %-26s %-26s %-26s %s%n", "size", "PTE: leaves, miss, refs", "PMD: leaves, miss, refs",
                "PUD: leaves, miss, refs", "(last-level TLB misses per access, walk memory refs per walk)"));
        for (Row r : rows) {
            b.append(String.format("%-8s", Sizes.label(r.size())));
            for (int k = 0; k < 3; k++) {
                HwStats s = r.stats()[k];
                long[] lv = r.leaves()[k];
                String shape = lv[1] > 0 ? lv[1] + " PUD" + (lv[2] > 0 ? "+" + lv[2] + " PMD" : "")
                        : lv[2] > 0 ? lv[2] + " PMD" + (lv[3] > 0 ? "+" + lv[3] + " PTE" : "") : lv[3] + " PTE";
                int last = s.lastLevel();
                b.append(String.format(" %-26s", String.format("%s, %.1f%%, %.2f", shape,
                        s.accesses == 0 ? 0 : 100.0 * s.tlbMisses[last] / s.accesses, s.refsPerWalk())));
            }
            b.append('\n');
        }
        return b.toString();
    }
}

package org.ptlab.cli;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.Callable;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;
import org.ptlab.arch.Sizes;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.TlbFlush;
import org.ptlab.user.Mm;
import org.ptlab.user.UserConfig;
import org.ptlab.user.UserProt;
import org.ptlab.user.UserSpace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ptlab bench pfnmap}: time remap_pfn_range of a large device mapping with PTEs, PMD leaves
 * and PUD leaves, and fork of an mm holding it as PMD leaves (seed 004), wall clock and thread CPU.
 */
@Command(name = "pfnmap",
        header = "Time remap_pfn_range of a device mapping (PMD, PUD, PTE leaves) and fork of that mm.", mixinStandardHelpOptions = true,
        description = {"Time remap_pfn_range of a device mapping with PMD leaves (one deposited table each), with PUD",
            "leaves and with PTEs only, and fork of an mm holding it as PMD leaves (4K pages, 48-bit VA).",
            "Targets: remap of 64G with PMD leaves < 20 ms; fork < 50 ms. Example: ptlab bench pfnmap --size 64G"})
final class BenchPfnmapCommand implements Callable<Integer> {
    @Option(names = "--size", defaultValue = "64G", description = "size of the device mapping (default 64G)")
    String size;

    @Option(names = "--repeat", defaultValue = "15", description = "measured repetitions after warm-up (median reported)")
    int repeat;

    @Spec
    CommandSpec spec;

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        long len = Sizes.parse(size);
        if (repeat < 1) {
            throw new IllegalArgumentException("--repeat must be at least 1");
        }
        if (len <= 0 || len > (1L << 46) || (len & ((2L << 20) - 1)) != 0) {
            throw new IllegalArgumentException("--size must be a multiple of 2M up to 64T, e.g. 64G");
        }
        out.printf("ptlab bench pfnmap: %s device mapping, 4K pages, 48-bit VA, pfnmap=seed004-v4 (median of %d; wall / thread CPU)%n",
                Sizes.human(len), repeat);
        row(out, "remap_pfn_range, PMD leaves", remap(len, true, false), "target < 20 ms");
        row(out, "remap_pfn_range, PUD leaves", remap(len, true, true), "");
        row(out, "fork, PMD leaves", fork(len), "target < 50 ms");
        if (len <= (64L << 30)) {
            row(out, "remap_pfn_range, PTEs only", remap(len, false, false), "");
        }
        return 0;
    }

    private void row(PrintWriter out, String what, double[] r, String target) {
        out.printf("  %-30s %9.2f ms / %9.2f ms  %8d table pages  %s%n", what, r[0], r[1], (long) r[2], target);
    }

    private UserSpace space(long len, boolean pmd, boolean pud) {
        Pgtable pg = new Pgtable(Geometry.of(Granule.G4K, 48), 2 * (len >>> 21) + 16);
        UserConfig c = new UserConfig();
        c.pmdPfnmap = pmd;
        c.pudPfnmap = pud;
        return new UserSpace(pg, new TlbFlush(pg, false), c);
    }

    private static long map(UserSpace us, Mm mm, long len) {
        long a = us.mmapPfn(mm, 0, len, UserProt.VM_READ | UserProt.VM_WRITE, UserProt.Cache.DEVICE, 1L << 24);
        if (a < 0) {
            throw new IllegalStateException("mmap failed: " + a);
        }
        return a;
    }

    /** {median wall ms, median CPU ms, table pages of one mm}. */
    private double[] remap(long len, boolean pmd, boolean pud) {
        UserSpace us = space(len, pmd, pud);
        double[] wall = new double[repeat];
        double[] cpu = new double[repeat];
        long pages = 0;
        for (int r = -3; r < repeat; r++) {
            Mm mm = us.mmAlloc();
            long c0 = MX.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            map(us, mm, len);
            long t = System.nanoTime() - t0;
            long c = MX.getCurrentThreadCpuTime() - c0;
            pages = us.pg.pages(mm.owner);
            us.exit(mm);
            if (r >= 0) {
                wall[r] = t / 1e6;
                cpu[r] = c / 1e6;
            }
        }
        return new double[] {BenchBootCommand.median(wall), BenchBootCommand.median(cpu), pages};
    }

    private double[] fork(long len) {
        UserSpace us = space(len, true, false);
        Mm parent = us.mmAlloc();
        map(us, parent, len);
        double[] wall = new double[repeat];
        double[] cpu = new double[repeat];
        long pages = 0;
        for (int r = -3; r < repeat; r++) {
            long c0 = MX.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            Mm child = us.fork(parent);
            long t = System.nanoTime() - t0;
            long c = MX.getCurrentThreadCpuTime() - c0;
            if (child == null) {
                throw new IllegalStateException("fork failed");
            }
            pages = us.pg.pages(child.owner);
            us.exit(child);
            if (r >= 0) {
                wall[r] = t / 1e6;
                cpu[r] = c / 1e6;
            }
        }
        return new double[] {BenchBootCommand.median(wall), BenchBootCommand.median(cpu), pages};
    }
}

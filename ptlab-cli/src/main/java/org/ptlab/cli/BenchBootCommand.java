package org.ptlab.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.ptlab.arch.Sizes;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.MachineSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ptlab bench boot}: paint a large linear map PTE-mapped and block-mapped and compare with
 * {@code Arrays.fill} over as many longs as the PTE tables hold, in the same run; report the heap
 * the model holds against the modelled page-table bytes.
 */
@Command(name = "boot",
        header = "Time painting a PTE-mapped and a block-mapped linear map against Arrays.fill, and the heap per table byte.", mixinStandardHelpOptions = true,
        description = {"Time painting the linear map: PTE-mapped (rodata=full, no BBML2) against Arrays.fill over the",
            "same number of longs, block-mapped, and the heap held per modelled page-table byte.",
            "Example: ptlab bench boot --mem 1T"})
final class BenchBootCommand implements Callable<Integer> {
    @Option(names = "--mem", defaultValue = "1T", description = "RAM size (default 1T)")
    String mem;

    @Option(names = "--repeat", defaultValue = "3", description = "measured repetitions after one warm-up (median reported)")
    int repeat;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        long size = Sizes.parse(mem);
        if (repeat < 1) {
            throw new IllegalArgumentException("--repeat must be at least 1");
        }
        // Baseline: Arrays.fill over as many longs as a PTE-mapped linear map of this size holds.
        Kernel probe = boot("none");
        long tableLongs = probe.linearTablePages() * probe.geo.ptrsPerTable;
        long tableBytes = probe.linearTableBytes();
        probe = null;
        System.gc();
        long[][] chunks = new long[(int) ((tableLongs + (1 << 20) - 1) >> 20)][];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = new long[(int) Math.min(1 << 20, tableLongs - ((long) i << 20))];
        }
        double[] fill = new double[repeat];
        for (int r = -1; r < repeat; r++) {
            long t0 = System.nanoTime();
            long v = 0x40000000000f07L + r;
            for (long[] c : chunks) {
                Arrays.fill(c, v);
            }
            long t = System.nanoTime() - t0;
            if (r >= 0) {
                fill[r] = t / 1e6;
            }
        }
        chunks = null;
        System.gc();
        double[] pte = new double[repeat];
        Kernel keep = null;
        for (int r = -1; r < repeat; r++) {
            keep = null;
            System.gc();
            long t0 = System.nanoTime();
            Kernel k = boot("none");
            long t = System.nanoTime() - t0;
            if (r >= 0) {
                pte[r] = t / 1e6;
            }
            keep = k;
        }
        keep = null;
        keep = boot("none");
        long storeHeap = keep.pg.heapBytes();
        int materialised = keep.pg.materialisedPages();
        keep = null;
        System.gc();
        int blockReps = Math.max(repeat, 20);
        double[] blk = new double[blockReps];
        long blockTables = 0;
        for (int r = -3; r < blockReps; r++) {
            long t0 = System.nanoTime();
            Kernel k = boot("noabort");
            long t = System.nanoTime() - t0;
            if (r >= 0) {
                blk[r] = t / 1e6;
            }
            blockTables = k.linearTablePages();
        }
        double f = median(fill);
        double p = median(pte);
        double b = median(blk);
        out.printf("ptlab bench boot: %s of RAM, 4K pages, 48-bit VA, Linux 7.2, rodata=full (median of %d)%n", Sizes.human(size), repeat);
        out.printf("  Arrays.fill over %d longs (%d MiB):        %10.1f ms%n", tableLongs, (tableLongs * 8) >> 20, f);
        out.printf("  PTE-mapped boot (%d table pages, %d MiB):  %10.1f ms  = %.2fx Arrays.fill (target <= 3x)%n",
                tableBytes / probeGeoPage(), tableBytes >> 20, p, p / f);
        out.printf("  block-mapped boot (BBML2_NOABORT, %d table pages): %6.2f ms (target < 10 ms)%n", blockTables, b);
        out.printf("  heap of the PTE-mapped table store: %.1f MiB for %d MiB of modelled tables = %.4fx (%d of %d tables held explicitly; target <= 1.15x)%n",
                storeHeap / 1048576.0, tableBytes >> 20, storeHeap / (double) tableBytes, materialised, tableBytes / probeGeoPage());
        return 0;
    }

    private static long probeGeoPage() {
        return 4096;
    }

    private Kernel boot(String bbml2) {
        MachineSpec s = new MachineSpec();
        s.mem = mem;
        s.rodata = "full";
        s.bbml2 = bbml2;
        MachineSpec.Built b = s.build();
        return Kernel.boot(b.cfg(), b.mem());
    }

    static double median(double[] xs) {
        double[] c = xs.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}

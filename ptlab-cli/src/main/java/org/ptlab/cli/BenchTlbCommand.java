package org.ptlab.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.ptlab.hw.CoreConfig;
import org.ptlab.run.TlbBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ptlab bench tlb}: replay speed of the hardware model on one core, for a TLB-hit dominated
 * stream and a miss-dominated one (every access walks four levels). Median of the repetitions.
 */
@Command(name = "tlb",
        header = "Measure accesses replayed per second on one modelled core (TLB-hit and miss-dominated).", mixinStandardHelpOptions = true,
        description = {"Accesses replayed per second on one core: a TLB-hit dominated stream (32 pages) and a",
            "miss-dominated one (256M of 4K pages, no walk cache: ~98%% of accesses walk 4 levels).",
            "Example: ptlab bench tlb --accesses 20000000",
            "Per-reference cost model (each walker load at the memory latency, no caches behind the walker):",
            "  ptlab bench tlb --no-data --core-config scenarios/cores/n1-walk-latency.yaml"})
final class BenchTlbCommand implements Callable<Integer> {
    @Mixin
    CoreOptions core;

    @Option(names = "--accesses", defaultValue = "10000000", description = "accesses per repetition (default 10M)")
    int accesses;

    @Option(names = "--repeat", defaultValue = "5", description = "measured repetitions after two warm-ups (median reported)")
    int repeat;

    @Option(names = "--no-data", description = "translation only: do not model the data accesses' cache lookups")
    boolean noData;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (accesses < 1000 || repeat < 1) {
            throw new IllegalArgumentException("--accesses must be at least 1000 and --repeat at least 1");
        }
        CoreConfig c = core.core();
        c.modelDataAccesses = !noData;
        PrintWriter out = spec.commandLine().getOut();
        out.printf("core %s%s%n", c.summary(), noData ? " (data accesses not modelled)" : "");
        for (String which : new String[] {"hit", "miss"}) {
            TlbBench b = "hit".equals(which) ? TlbBench.hit(c, accesses) : TlbBench.miss(c, accesses);
            double[] rate = new double[repeat];
            double[] cpuRate = new double[repeat];
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long sink = 0;
            for (int r = -2; r < repeat; r++) {
                b.hw.cpu(0).stats.reset();
                long c0 = mx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                sink += b.run();
                long t = System.nanoTime() - t0;
                long ct = mx.getCurrentThreadCpuTime() - c0;
                if (r >= 0) {
                    rate[r] = accesses / (t / 1e9);
                    cpuRate[r] = accesses / (Math.max(1, ct) / 1e9);
                }
            }
            Arrays.sort(rate);
            Arrays.sort(cpuRate);
            var s = b.hw.cpu(0).stats;
            out.printf("%-4s %,.1f million accesses/s wall, %,.1f per CPU-second (median of %d; wall min %,.1f, max %,.1f); "
                            + "L1 TLB hit %.1f%%, walks %.1f%%, %.2f refs/walk%s%n",
                    which, rate[repeat / 2] / 1e6, cpuRate[repeat / 2] / 1e6, repeat, rate[0] / 1e6, rate[repeat - 1] / 1e6,
                    100.0 * s.tlbHits[0] / s.accesses, 100.0 * s.walks / s.accesses, s.refsPerWalk(), sink == 42 ? " " : "");
        }
        out.flush();
        return 0;
    }
}

package org.ptlab.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.VmStruct;
import org.ptlab.run.ScenarioRunner;
import org.ptlab.run.SplitBench;
import org.ptlab.scenario.Scenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ptlab bench split}: the three pageattr/split workloads of docs/pageattr.md. */
@Command(name = "split",
        header = "Time live splits, random set_memory_ro/rw pairs and module churn on a 1 TiB machine.", mixinStandardHelpOptions = true,
        description = {"Time live splitting and permission changes: (1) set_memory_ro of a page inside an untouched 1G",
            "block (two table allocations), median per call; (2) random set_memory_ro/rw pairs on an already split",
            "1 GiB range; (3) a 1 TiB machine loading and unloading modules, invariants checked every 1000 steps.",
            "Example: ptlab bench split --pairs 1000000 --modules 100000"})
final class BenchSplitCommand implements Callable<Integer> {
    @Option(names = "--blocks", defaultValue = "900", description = "1G blocks split per round in workload 1 (default 900)")
    int blocks;

    @Option(names = "--rounds", defaultValue = "20", description = "rounds of workload 1; the first is warm-up for the JIT (default 20)")
    int rounds;

    @Option(names = "--pairs", defaultValue = "1000000", description = "set_memory_ro/rw pairs in workload 2 (default 1000000)")
    long pairs;

    @Option(names = "--modules", defaultValue = "100000", description = "module load/unload pairs in workload 3 (default 100000)")
    long modules;

    @Option(names = "--check-every", defaultValue = "1000", description = "invariant check interval in workload 3 (default 1000)")
    int checkEvery;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (blocks < 1 || blocks > 900 || rounds < 2 || pairs < 1 || modules < 0 || checkEvery < 0) {
            throw new IllegalArgumentException("expected --blocks 1..900, --rounds >= 2, --pairs >= 1, --modules >= 0, --check-every >= 0");
        }
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        // (1)
        double[] med = new double[rounds - 1];
        double[] cpu = new double[rounds - 1];
        long tables = 0;
        for (int round = 0; round < rounds; round++) {
            Kernel k = SplitBench.bootBbml2(1L << 40);
            VmStruct[] areas = SplitBench.oneGigAreas(k, blocks);
            double[] t = new double[blocks];
            long before = k.linearTablePages();
            long c0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < blocks; i++) {
                long t0 = System.nanoTime();
                int rc = SplitBench.roInOneGigBlock(k, areas[i]);
                t[i] = (System.nanoTime() - t0) / 1e3;
                if (rc != 0) {
                    throw new IllegalStateException("set_memory_ro returned " + rc);
                }
            }
            long c1 = mx.getCurrentThreadCpuTime();
            tables = k.linearTablePages() - before;
            if (round > 0) {
                med[round - 1] = SplitBench.median(t);
                cpu[round - 1] = (c1 - c0) / 1e3 / blocks;
            }
            if (!SplitBench.ok(k)) {
                throw new IllegalStateException("invariants broken after workload 1");
            }
        }
        out.printf("split-1G: set_memory_ro of a 4K page inside a 1G block: median %.2f us per call, %.2f us CPU per call (median of %d rounds of %d calls; %d table pages per call)%n",
                SplitBench.median(med), SplitBench.median(cpu), rounds - 1, blocks, tables / blocks);
        out.flush();
        // (2)
        Kernel k = SplitBench.bootBbml2(4L << 30);
        long t0 = System.nanoTime();
        VmStruct[] areas = SplitBench.splitGig(k);
        double setup = (System.nanoTime() - t0) / 1e9;
        SplittableRandom r = new SplittableRandom(42);
        long warm = Math.min(pairs, 100_000);
        for (long i = 0; i < warm; i++) {
            SplitBench.roRwPair(k, areas, r);
        }
        t0 = System.nanoTime();
        long pc0 = mx.getCurrentThreadCpuTime();
        int rcs = 0;
        for (long i = 0; i < pairs; i++) {
            rcs |= SplitBench.roRwPair(k, areas, r);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        double pcpu = (mx.getCurrentThreadCpuTime() - pc0) / 1e9;
        if (rcs != 0 || !SplitBench.ok(k)) {
            throw new IllegalStateException("workload 2 failed");
        }
        out.printf("ro-rw-pairs: %d random set_memory_ro/rw pairs on a split 1 GiB range: %.2f s, %.2f s CPU (%.2f us per pair; set-up of %d areas %.2f s)%n",
                pairs, secs, pcpu, secs * 1e6 / pairs, areas.length, setup);
        out.flush();
        areas = null;
        k = null;
        // (3)
        if (modules > 0) {
            Scenario s = Scenario.parse(SplitBench.moduleScenario(modules), "<bench>");
            PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
            t0 = System.nanoTime();
            long mc0 = mx.getCurrentThreadCpuTime();
            ScenarioRunner.Result res = ScenarioRunner.run(s, List.of(), checkEvery, sink);
            secs = (System.nanoTime() - t0) / 1e9;
            double mcpu = (mx.getCurrentThreadCpuTime() - mc0) / 1e9;
            if (res.status() != 0) {
                throw new IllegalStateException("module workload failed: " + res.firstViolation());
            }
            out.printf("modules-1T: %d module loads+unloads on a 1 TiB machine, checks every %d steps (%d checks): %.2f s, %.2f s CPU, including boot%n",
                    modules, checkEvery, res.checks(), secs, mcpu);
        }
        out.flush();
        return 0;
    }
}

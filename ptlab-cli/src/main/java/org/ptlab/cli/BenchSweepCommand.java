package org.ptlab.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ptlab.report.ProgressReporter;
import org.ptlab.report.SweepRunner;
import org.ptlab.sweep.Engine;
import org.ptlab.sweep.EngineSettings;
import org.ptlab.sweep.Engines;
import org.ptlab.sweep.LocalEngine;
import org.ptlab.sweep.SweepSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ptlab bench sweep}: a 48-point degradation sweep (4 memory sizes x 4 collapse variants x 3
 * seeds) on the local engine with one thread, on the local engine with every processor, and on
 * Spark local[N] when ptlab-spark is on the class path; wall times, speed-ups, and whether the three
 * wrote identical rows.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        header = "Time a 48-point degradation sweep on one thread, on the local pool and on Spark, and check the rows agree.",
        description = {"Time a 48-point `study degradation` sweep (mem 1G,2G,4G,8G x collapse none,seed001,x86,background x seed 1..3)",
            "on the local engine with 1 thread and with N threads, and on Spark local[N] (with ./ptlab --spark); check the rows agree.",
            "Example: ./ptlab --spark bench sweep"})
final class BenchSweepCommand implements Callable<Integer> {
    @Option(names = "--hours", defaultValue = "48", description = "modelled hours per point (default ${DEFAULT-VALUE})")
    String hours;

    @Option(names = "--threads", defaultValue = "0", description = "threads of the parallel local run and N of local[N] (default 0: one per processor)")
    int threads;

    @Option(names = "--repeat", defaultValue = "1", description = "rounds (each runs every configuration once); the fastest round of each is reported")
    int repeat;

    @Option(names = "--paper-mem", defaultValue = "4T", description = "also time one point per collapse variant at this size, 1 thread, for the paper estimate (0: skip)")
    String paperMem;

    @Option(names = "--paper-nodes", defaultValue = "100", description = "nodes of the cluster in the paper estimate (default ${DEFAULT-VALUE})")
    int paperNodes;

    @Option(names = "--paper-cores", defaultValue = "32", description = "cores per node in the paper estimate, one point per core (default ${DEFAULT-VALUE})")
    int paperCores;

    @Option(names = "--paper-only", description = "only the per-point cost at --paper-mem and the paper estimate")
    boolean paperOnly;

    @Option(names = "--no-spark", description = "skip the Spark run even when the engine is on the class path")
    boolean noSpark;

    @Option(names = "--out", paramLabel = "DIR", description = "keep the three result directories here (default: a temporary directory, deleted)")
    Path out;

    @Spec
    CommandSpec spec;

    static String specText(String hours) {
        return "base:\n  study: degradation\n  settings: {hours: " + hours + ", samples: 6}\naxes:\n  mem: [1G, 2G, 4G, 8G]\n"
                + "  collapse: [none, seed001, x86, background]\n  seed: [1, 2, 3]\n";
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        int n = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        if (threads < 0) {
            throw new IllegalArgumentException("--threads must be 0 or more");
        }
        SweepSpec s = SweepSpec.parse(specText(hours), "bench-sweep.yaml", null);
        SweepSpec warm = SweepSpec.parse("base:\n  study: degradation\n  settings: {hours: 1, samples: 2}\naxes:\n  mem: [1G]\n"
                + "  collapse: [none, seed001, x86, background]\n", "warm-up.yaml", null);
        Path dir = out != null ? out : Files.createTempDirectory("ptlab-bench-sweep");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        o.printf(Locale.ROOT, "bench sweep: %d points (study degradation, %s modelled hours each), %d processors, load average %.1f%n",
                s.points.size(), hours, Runtime.getRuntime().availableProcessors(), load);
        o.flush();
        boolean same = true;
        if (!paperOnly) {
        try (Engine w = new LocalEngine(n)) {
            SweepRunner.run(warm, w, dir.resolve("warm-up"), false, k -> ProgressReporter.silent(), quiet);
        }
        if (repeat < 1) {
            throw new IllegalArgumentException("--repeat must be at least 1");
        }
        boolean spark = !noSpark && Engines.names().contains("spark");
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
        double[] cpu = new double[3];
        double start = 0;
        Engine sparkEngine = null;
        try {
            if (spark) {
                long t0 = System.nanoTime();
                sparkEngine = Engines.open("spark", new EngineSettings("local[" + n + "]", 0));
                start = (System.nanoTime() - t0) / 1e9;
                // one small sweep first, as the local engines had theirs
                SweepRunner.run(warm, sparkEngine, dir.resolve("warm-up-spark"), false, k -> ProgressReporter.silent(), quiet);
            }
            for (int round = 0; round < repeat; round++) {
                for (int c = 0; c < (spark ? 3 : 2); c++) {
                    long cpu0 = processCpuNanos();
                    double t = time(c == 0 ? new LocalEngine(1) : c == 1 ? new LocalEngine(n) : sparkEngine, c == 2, s,
                            dir.resolve(c == 0 ? "local-1" : c == 1 ? "local-n" : "spark"), quiet);
                    double used = (processCpuNanos() - cpu0) / 1e9;
                    if (t < best[c]) {
                        best[c] = t;
                        cpu[c] = used;
                    }
                }
            }
        } finally {
            if (sparkEngine != null) {
                sparkEngine.close();
            }
        }
        int pts = s.points.size();
        o.printf(Locale.ROOT, "  %-22s %8.1f s wall %8.1f s CPU   %.2f s per point%n", "local, 1 thread", best[0], cpu[0], best[0] / pts);
        o.printf(Locale.ROOT, "  %-22s %8.1f s wall %8.1f s CPU   speed-up %.2fx over 1 thread%n", "local, " + n + " threads", best[1], cpu[1],
                best[0] / best[1]);
        if (spark) {
            o.printf(Locale.ROOT, "  %-22s %8.1f s wall %8.1f s CPU   %.2fx the local time (context start %.1f s not counted)%n",
                    "spark local[" + n + "]", best[2], cpu[2], best[2] / best[1], start);
        } else {
            o.println("  spark: not run (" + (noSpark ? "--no-spark" : "ptlab-spark not on the class path: ./ptlab --spark bench sweep") + ")");
        }
        o.printf("  (fastest of %d round%s each)%n", repeat, repeat == 1 ? "" : "s");
        same = Files.readString(dir.resolve("local-1/results.csv")).equals(Files.readString(dir.resolve("local-n/results.csv")));
        if (spark) {
            same &= Files.readString(dir.resolve("local-1/results.csv")).equals(Files.readString(dir.resolve("spark/results.csv")));
        }
        o.printf("  rows identical across the runs: %s%n", same ? "yes" : "NO");
        }
        if (!paperMem.equals("0")) {
            SweepSpec big = SweepSpec.parse("base:\n  study: degradation\n  settings: {hours: " + hours + ", samples: 6}\naxes:\n  mem: ["
                    + paperMem + "]\n  collapse: [none, seed001, x86, background]\n", "paper.yaml", null);
            long cpu0 = processCpuNanos();
            double t = time(new LocalEngine(1), false, big, dir.resolve("paper"), quiet);
            double perPoint = (processCpuNanos() - cpu0) / 1e9 / big.points.size();
            double wallPerPoint = t / big.points.size();
            double cost = perPoint; // a core of its own per point: its CPU time (the wall time here includes other programs' share)
            long points = 4L * 1000;
            double perHour = paperNodes * (double) paperCores * 3600 / cost;
            o.printf(Locale.ROOT, "  one point at %s (%s h), 1 thread: %.2f s wall, %.2f s CPU (mean of the 4 collapse variants)%n", paperMem,
                    hours, wallPerPoint, perPoint);
            o.printf(Locale.ROOT, "  paper estimate: %s x 4 collapse variants x 1,000 seeds = %,d points on %d nodes x %d cores, one point per core"
                    + " at %.2f s CPU: %,.0f points/hour; the sweep's points take %.1f s of the cluster (%d waves), plus Spark's start%n",
                    paperMem, points, paperNodes, paperCores, cost, perHour, Math.ceil(points / (double) (paperNodes * paperCores)) * cost,
                    (int) Math.ceil(points / (double) (paperNodes * paperCores)));
        }
        load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        o.printf(Locale.ROOT, "  load average at the end %.1f%n", load);
        if (out == null) {
            deleteTree(dir);
        } else {
            o.printf("  results under %s%n", dir);
        }
        o.flush();
        return same ? 0 : 1;
    }

    private static double time(Engine e, boolean keep, SweepSpec s, Path out, PrintStream quiet) throws Exception {
        try {
            long t0 = System.nanoTime();
            SweepRunner.Outcome r = SweepRunner.run(s, e, out, false, k -> ProgressReporter.silent(), quiet);
            if (r.errors() > 0) {
                throw new IllegalStateException(r.errors() + " points failed; see " + out.resolve("results.csv"));
            }
            return (System.nanoTime() - t0) / 1e9;
        } finally {
            if (!keep) {
                e.close();
            }
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void deleteTree(Path d) throws java.io.IOException {
        try (var w = Files.walk(d)) {
            for (Path p : w.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

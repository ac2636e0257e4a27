package org.ptlab.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.ptlab.report.ProgressReporter;
import org.ptlab.report.SweepRunner;
import org.ptlab.sweep.Engine;
import org.ptlab.sweep.EngineSettings;
import org.ptlab.sweep.Engines;
import org.ptlab.sweep.SweepSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ptlab sweep SPEC.yaml}: a parameter sweep or an exploration campaign, one deterministic job
 * per point, on the local engine (a thread pool) or on Apache Spark (ptlab-spark on the class path).
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        header = "Run a sweep or an exploration campaign: one deterministic job per point, results as rows, on a local pool or Spark.",
        description = {"Run a sweep file: a base (run: FILE, explore: FILE, study: degradation, tlb-study: lat-mem-rd) at every",
            "point of its axes (a full product) or points: list, or an exploration campaign (campaign:), one job per point.",
            "Writes OUT/results.jsonl, OUT/results.csv (a row per point: the axes, verdict, figures; sorted by point) and",
            "OUT/summary.html; a campaign also OUT/campaign.txt and OUT/counterexample.txt. Files are replaced atomically as",
            "rows arrive; Ctrl-C keeps every completed row. Exit: 0 done, 1 a campaign found a violation, 2 bad input,",
            "3 some job failed (its row holds the error) or a campaign is inconclusive.",
            "Examples:",
            "  ptlab sweep scenarios/sweeps/example.yaml --out A",
            "  ./ptlab --spark sweep scenarios/sweeps/example.yaml --engine spark --master 'local[2]' --out B",
            "  ptlab sweep scenarios/sweeps/campaign-seed001.yaml --out C"})
final class SweepCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SPEC.yaml", description = "the sweep file (see docs/sweep.md)")
    Path file;

    @Option(names = "--engine", defaultValue = "local", description = "local (threads in this JVM; default) or spark (needs ptlab-spark: ./ptlab --spark)")
    String engine;

    @Option(names = "--master", paramLabel = "URL", description = "spark master: local[N], local[*] or spark://HOST:PORT (default local[*])")
    String master;

    @Option(names = "--threads", defaultValue = "0", description = "local engine threads (default 0: one per processor)")
    int threads;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "output directory")
    Path out;

    @Option(names = "--resume", description = "keep the rows already in OUT/results.jsonl and run only the other points (and failed ones)")
    boolean resume;

    @Option(names = "--quiet", description = "no progress on the terminal")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        SweepSpec s = SweepSpec.load(file);
        try (Engine e = Engines.open(engine, new EngineSettings(master, threads))) {
            PrintStream log = new PrintStream(new java.io.OutputStream() {
                @Override
                public void write(int b) {
                    o.write(b);
                }

                @Override
                public void flush() {
                    o.flush();
                }
            }, true, StandardCharsets.UTF_8);
            long t0 = System.nanoTime();
            SweepRunner.Outcome r = SweepRunner.run(s, e, out, resume,
                    n -> quiet ? ProgressReporter.silent() : ProgressReporter.forConsole("sweep", s.campaign != null ? "units" : "points", n), log);
            double secs = (System.nanoTime() - t0) / 1e9;
            o.printf("# %d point(s): %d run, %d kept from %s, %d violation row(s), %d failed job(s); %.1f s%n", r.total(), r.ran(), r.skipped(),
                    out.resolve("results.jsonl"), r.violations(), r.errors(), secs);
            if (r.merged() != null) {
                o.print(r.merged().text());
                if (r.merged().replay() != null) {
                    o.printf("replay: ptlab explore --replay %s%n", out.resolve("counterexample.txt"));
                }
            }
            o.printf("# wrote %s, %s, %s%n", out.resolve("results.jsonl"), out.resolve("results.csv"), out.resolve("summary.html"));
            o.flush();
            return r.status();
        }
    }
}

package org.ptlab.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ptlab.sweep.Campaign;
import org.ptlab.sweep.Engine;
import org.ptlab.sweep.Job;
import org.ptlab.sweep.Row;
import org.ptlab.sweep.SweepSpec;

/**
 * {@code ptlab sweep}: runs a sweep file's points (or a campaign's units) on an engine and writes,
 * under the output directory, {@code results.jsonl} and {@code results.csv} (one row per point,
 * sorted by point) and {@code summary.html}; a campaign also writes {@code campaign.txt} and, on a
 * violation, {@code counterexample.txt} (replay: {@code ptlab explore --replay}).
 *
 * <p>Results are rewritten atomically as rows arrive (at most twice a second, and once more at
 * the end or on Ctrl-C), so an interrupted sweep leaves every completed row in complete files and
 * no partial file; {@code --resume} reads {@code results.jsonl} back and runs only the points
 * without a row (or whose row records an error).
 */
public final class SweepRunner {
    private SweepRunner() {}

    /** What the sweep did. */
    public record Outcome(int total, int ran, int skipped, int errors, int violations, List<Row> rows, Campaign.Merged merged) {
        /** Exit status: campaign: its verdict's; sweep: 0 every point has a result, 3 some job failed. */
        public int status() {
            if (merged != null) {
                return merged.status();
            }
            return errors > 0 ? 3 : 0;
        }
    }

    public static Outcome run(SweepSpec spec, Engine engine, Path out, boolean resume, java.util.function.IntFunction<ProgressReporter> progressFor,
            PrintStream log)
            throws InterruptedException {
        List<Job> all = spec.campaign != null ? Campaign.units(spec) : spec.jobs();
        if (all.isEmpty()) {
            throw new IllegalArgumentException(spec.file + ": empty product: no point to run");
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new IllegalArgumentException("--out " + out + ": cannot create the directory: " + e.getMessage());
        }
        Map<Integer, Row> rows = new TreeMap<>();
        int skipped = 0;
        if (resume) {
            Map<String, Job> byKey = new HashMap<>();
            for (Job j : all) {
                byKey.put(j.key(), j);
            }
            Path prev = out.resolve("results.jsonl");
            if (Files.exists(prev)) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(prev, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new IllegalArgumentException(prev + ": cannot read: " + e.getMessage());
                }
                int ln = 0;
                for (String l : lines) {
                    ln++;
                    if (l.isBlank()) {
                        continue;
                    }
                    Row r;
                    try {
                        r = Row.parse(l);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(prev + ":" + ln + ":1: " + e.getMessage());
                    }
                    Map<String, String> ax = new java.util.LinkedHashMap<>();
                    Job any = all.get(0);
                    for (String a : any.axes().keySet()) {
                        Object v = r.get(a);
                        ax.put(a, v == null ? "" : String.valueOf(v));
                    }
                    Job j = byKey.get(Job.key(ax));
                    if (j != null && !r.verdict().equals("error")) {
                        rows.put(j.index(), r.withPoint(j.index()));
                    }
                }
            }
            skipped = rows.size();
        }
        List<Job> todo = new ArrayList<>();
        for (Job j : all) {
            if (!rows.containsKey(j.index())) {
                todo.add(j);
            }
        }
        log.printf("# sweep %s: %s, %d point%s (%d to run, %d with results), engine %s%n", spec.file, spec.campaign != null
                ? "campaign " + spec.campaign.describe() : spec.kind.label + (spec.base.file() != null ? " " + spec.base.file() : ""),
                all.size(), all.size() == 1 ? "" : "s", todo.size(), skipped, engine.describe());
        log.flush();
        ProgressReporter progress = progressFor.apply(todo.size());
        Writer w = new Writer(spec, out, rows, all.size());
        Thread hook = new Thread(w::flushOnExit, "ptlab-sweep-flush");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            engine.run(todo, json -> {
                Row r = Row.parse(json);
                w.add(r);
                progress.advance(1);
            });
        } finally {
            progress.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook writes
            }
        }
        w.flush(true);
        List<Row> sorted = w.sorted();
        Campaign.Merged merged = spec.campaign != null ? Campaign.merge(spec, sorted, all.size()) : null;
        if (merged != null) {
            AtomicOutput.writeString(out.resolve("campaign.txt"), merged.text());
            if (merged.replay() != null) {
                AtomicOutput.writeString(out.resolve("counterexample.txt"), merged.replay().format());
            }
        }
        AtomicOutput.writeString(out.resolve("summary.html"), SweepReport.render(spec.file, describe(spec), axesOf(all), sorted,
                merged == null ? null : merged.text()));
        int errors = 0;
        int violations = 0;
        for (Row r : sorted) {
            errors += r.verdict().equals("error") ? 1 : 0;
            violations += r.verdict().equals("violation") ? 1 : 0;
        }
        return new Outcome(all.size(), todo.size(), skipped, errors, violations, sorted, merged);
    }

    static String describe(SweepSpec s) {
        return s.campaign != null ? "campaign: " + s.campaign.describe() : s.kind.label + (s.base.file() != null ? " " + s.base.file() : "")
                + (s.base.options().isEmpty() ? "" : " " + s.base.options());
    }

    private static List<String> axesOf(List<Job> all) {
        return new ArrayList<>(all.get(0).axes().keySet());
    }

    /** Holds the rows and rewrites the result files. */
    private static final class Writer {
        private final Path out;
        private final Map<Integer, Row> rows;
        private long lastFlush;
        private boolean dirty;
        private boolean closing;

        Writer(SweepSpec spec, Path out, Map<Integer, Row> rows, int total) {
            this.out = out;
            this.rows = rows;
        }

        synchronized void add(Row r) {
            rows.put(r.point(), r);
            dirty = true;
            flush(false);
        }

        synchronized List<Row> sorted() {
            List<Row> l = new ArrayList<>(rows.values());
            l.sort(Comparator.comparingInt(Row::point));
            return l;
        }

        synchronized void flush(boolean force) {
            if (closing) {
                return; // shutting down: the exit hook wrote the rows; a new temporary file would outlive AtomicOutput's cleanup
            }
            long now = System.nanoTime();
            if (!force && (!dirty || now - lastFlush < 500_000_000L)) {
                return;
            }
            lastFlush = now;
            dirty = false;
            List<Row> l = sorted();
            StringBuilder j = new StringBuilder();
            for (Row r : l) {
                j.append(r.json()).append('\n');
            }
            AtomicOutput.writeString(out.resolve("results.jsonl"), j.toString());
            AtomicOutput.writeString(out.resolve("results.csv"), Row.csv(l));
        }

        /**
         * Ctrl-C: write the completed rows once more, each file through its own temporary file and
         * a rename (AtomicOutput's own hook may be deleting its temporaries at the same moment).
         */
        synchronized void flushOnExit() {
            closing = true; // holding the lock: a flush in progress has finished, no other starts
            if (!dirty) {
                return;
            }
            List<Row> l = sorted();
            StringBuilder j = new StringBuilder();
            for (Row r : l) {
                j.append(r.json()).append('\n');
            }
            write(out.resolve("results.jsonl"), j.toString());
            write(out.resolve("results.csv"), Row.csv(l));
        }

        private static void write(Path target, String text) {
            Path tmp = target.resolveSibling("." + target.getFileName() + ".exit.tmp");
            try {
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException x) {
                    // nothing more to do while the JVM exits
                }
            }
        }
    }
}

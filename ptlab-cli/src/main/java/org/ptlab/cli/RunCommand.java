package org.ptlab.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ptlab.workload.Scenario;
import org.ptlab.workload.ScenarioRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ptlab run FILE}: execute a scenario, checking every invariant after every step. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a YAML scenario (machine:, variants:, steps:) and check every invariant after every step.",
            "On the first violation print the step, the invariant and a ptdump of the range; exit status 1.",
            "Example: ptlab run scenarios/seed000-double-count.yaml --variant account=seed000-v7"})
final class RunCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "the scenario file")
    Path file;

    @Option(names = "--variant", paramLabel = "FAMILY=NAME", description = "select a variant on top of the file's (repeatable); see `ptlab variants`")
    List<String> variants = new ArrayList<>();

    @Option(names = "--check-every", paramLabel = "N", description = "check invariants every N steps instead of after every step (0: only at check steps and the end)")
    Integer checkEvery;

    @Option(names = "--report", paramLabel = "OUT.html", description = "also write a self-contained HTML report (see docs/reports.md)")
    Path report;

    @Option(names = "--from-capture", paramLabel = "DIR", description = "start from a real kernel's captured tables (a `ptlab oracle capture` folder) instead of the scenario's machine")
    Path fromCapture;

    @Option(names = "--json", description = "print the run as JSON (the report's data) instead of the runner's text")
    boolean json;

    @picocli.CommandLine.Mixin
    TlbProbeOption probeOption = new TlbProbeOption();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (checkEvery != null && checkEvery < 0) {
            throw new IllegalArgumentException("--check-every must be 0 or more");
        }
        for (String v : variants) {
            new org.ptlab.kernel.Variants().select(v);
        }
        Scenario s = Scenario.load(file);
        if (fromCapture != null) {
            org.ptlab.oracle.CaptureImport.apply(s.machine, fromCapture);
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(new ForwardingStream(out), true, StandardCharsets.UTF_8);
        if (report != null || json || probeOption.tlbProbe != null) {
            PrintStream runOut = json ? new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8) : ps;
            org.ptlab.report.RunRecord rec;
            try (org.ptlab.report.ProgressReporter p = org.ptlab.report.ProgressReporter.forConsole("run", "steps", s.steps.size())) {
                rec = org.ptlab.report.Runs.scenario(s, variants, checkEvery, runOut, p, probeOption.probe());
            }
            ps.flush();
            if (report != null) {
                org.ptlab.report.AtomicOutput.writeString(report, org.ptlab.report.HtmlReport.render("run " + file, List.of(rec)));
            }
            if (json) {
                out.print(org.ptlab.report.RunRecord.toJson(List.of(rec)));
            }
            out.flush();
            return rec.status;
        }
        ScenarioRunner.Result r;
        try (org.ptlab.report.ProgressReporter p = org.ptlab.report.ProgressReporter.forConsole("run", "steps", s.steps.size())) {
            r = ScenarioRunner.run(s, variants, checkEvery, ps, new ScenarioRunner.Listener() {
                @Override
                public void stepDone(java.util.function.Supplier<String> where) {
                    p.advance(1);
                }

                @Override
                public void violation(String where, String invariant, String message, List<String> ptdump) {
                    p.close(); // end the bar's line before the violation is printed
                }
            });
        }
        ps.flush();
        out.flush();
        return r.status();
    }

    /** Writes a PrintStream's bytes to the command's PrintWriter as they come. */
    private static final class ForwardingStream extends java.io.OutputStream {
        private final PrintWriter w;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        ForwardingStream(PrintWriter w) {
            this.w = w;
        }

        @Override
        public void write(int b) {
            line.write(b);
            if (b == '\n') {
                flush();
            }
        }

        @Override
        public void flush() {
            w.print(line.toString(StandardCharsets.UTF_8));
            line.reset();
            w.flush();
        }
    }
}

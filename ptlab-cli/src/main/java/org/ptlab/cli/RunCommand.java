package org.ptlab.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ptlab.run.ScenarioRunner;
import org.ptlab.scenario.Scenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ptlab run FILE}: execute a scenario, checking every invariant after every step. */
@Command(name = "run",
        header = "Run a YAML scenario and check every invariant after every step.", mixinStandardHelpOptions = true,
        description = {"Run a YAML scenario (machine:, variants:, steps:) and check every invariant after every step.",
            "On the first violation print the step, the invariant and a ptdump of the range; exit status 1.",
            "Machine options (--mem, --kernel, --granule, --cpu, --bbml2, --variant, ...) override the file's machine: and add to its variants:.",
            "Example: ptlab run scenarios/seed000-double-count.yaml --variant account=seed000-v7"})
final class RunCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "the scenario file")
    Path file;

    /** The machine options of every command that builds a machine, laid over the file's machine: (--variant on top of its variants:). */
    @picocli.CommandLine.Mixin
    MachineOptions machine = new MachineOptions();

    @Option(names = "--check-every", paramLabel = "N", description = "check invariants every N steps instead of after every step (0: only at check steps and the end)")
    Integer checkEvery;

    @Option(names = "--report", paramLabel = "OUT.html", description = "also write a self-contained HTML report (see docs/reports.md)")
    Path report;

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
        org.ptlab.kernel.MachineSpec over = machine.spec(); // --from-capture: the capture's machine over the file's
        List<String> variants = over.variants;
        for (String v : variants) {
            org.ptlab.kernel.Variants.none().with(v);
        }
        org.ptlab.report.AtomicOutput.checkFile(report); // before the work, not after a long run
        Scenario s = Scenario.load(file);
        for (String w : s.warnings) {
            spec.commandLine().getErr().println("warning: " + w);
        }
        spec.commandLine().getErr().flush();
        // the file's machine:, then the machine options; --variant goes on top of the file's variants:
        s = s.withMachine(over.with(x -> x.variants = new ArrayList<>()));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(new ForwardingStream(out), true, StandardCharsets.UTF_8);
        if (report != null || json || probeOption.tlbProbe != null) {
            PrintStream runOut = json ? new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8) : ps;
            org.ptlab.report.RunRecord rec;
            try (org.ptlab.report.ProgressReporter p = org.ptlab.report.ProgressReporter.forConsole("run", "steps", s.totalSteps())) {
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
        try (org.ptlab.report.ProgressReporter p = org.ptlab.report.ProgressReporter.forConsole("run", "steps", s.totalSteps())) {
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

package org.ptlab.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.ptlab.kernel.Variants;
import org.ptlab.report.AtomicOutput;
import org.ptlab.report.CompareTable;
import org.ptlab.report.HtmlReport;
import org.ptlab.report.ProgressReporter;
import org.ptlab.report.RunRecord;
import org.ptlab.report.Runs;
import org.ptlab.scenario.Scenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ptlab compare FILE --variants A,B}: one scenario under several variants, side by side. */
@Command(name = "compare",
        header = "Run one scenario once per variant and print the end states side by side.", mixinStandardHelpOptions = true,
        description = {"Run one scenario once per variant and print the end state side by side (DirectMap lines,",
            "page-table memory, splits, collapses, TLB maintenance, violations); rows that differ are marked '<== differs'.",
            "Each column is family=name, or several joined with '+' (account=exact+split=minimal), on top of the file's variants.",
            "Every run goes to the end of the scenario (invariants checked at check steps and at the end) so the",
            "columns compare the same point; --check-every 1 stops each run at its first violation instead.",
            "Exit status 1 when any run found a violation.",
            "Example: ptlab compare scenarios/seed000-double-count.yaml --variants account=seed000-v7,account=exact"})
final class CompareCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "the scenario file")
    Path file;

    @Option(names = "--variants", paramLabel = "V1,V2,...", required = true, split = ",",
            description = "the columns: family=name[+family=name...] each")
    List<String> columns = new ArrayList<>();

    /** The machine options, laid over the file's machine: for every run (--variant: a variant for every column). */
    @picocli.CommandLine.Mixin
    MachineOptions machine = new MachineOptions();

    @Option(names = "--check-every", paramLabel = "N", defaultValue = "0",
            description = "check invariants every N steps (default 0: only at check steps and at the end)")
    int checkEvery;

    @Option(names = "--json", description = "print the runs as JSON instead of the table")
    boolean json;

    @Option(names = "--report", paramLabel = "OUT.html", description = "also write a self-contained HTML report")
    Path report;

    @Option(names = "--verbose", description = "also print each run's own output (violations with their ptdump)")
    boolean verbose;

    @picocli.CommandLine.Mixin
    TlbProbeOption probeOption = new TlbProbeOption();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (checkEvery < 0) {
            throw new IllegalArgumentException("--check-every must be 0 or more");
        }
        org.ptlab.kernel.MachineSpec over = machine.spec();
        List<String> variant = over.variants;
        List<List<String>> cols = new ArrayList<>();
        for (String v : variant) {
            Variants.none().with(v);
        }
        for (String c : columns) {
            List<String> vs = new ArrayList<>(variant);
            vs.addAll(Arrays.asList(c.split("\\+")));
            for (String v : vs) {
                Variants.none().with(v);
            }
            cols.add(vs);
        }
        if (cols.size() < 2) {
            throw new IllegalArgumentException("--variants needs at least two columns, e.g. account=seed000-v7,account=exact");
        }
        AtomicOutput.checkFile(report); // before the work, not after the runs
        Scenario s = Scenario.load(file);
        for (String w : s.warnings) {
            spec.commandLine().getErr().println("warning: " + w);
        }
        // the file's machine:, then the machine options (their --variant goes into every column, below)
        s = s.withMachine(over.with(x -> x.variants = new ArrayList<>()));
        List<RunRecord> runs = new ArrayList<>();
        for (List<String> col : cols) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
                    ProgressReporter p = ProgressReporter.forConsole("compare " + String.join("+", col), "steps", s.totalSteps())) {
                runs.add(Runs.scenario(s, col, checkEvery, ps, p, probeOption.probe()));
            }
            if (verbose) {
                out.println("## " + String.join("+", col));
                out.print(buf.toString(StandardCharsets.UTF_8));
            }
        }
        if (report != null) {
            AtomicOutput.writeString(report, HtmlReport.render("compare " + file, runs));
        }
        if (json) {
            out.print(RunRecord.toJson(runs));
        } else {
            out.print(CompareTable.render("compare " + file, runs));
        }
        out.flush();
        return runs.stream().anyMatch(r -> r.status != 0) ? 1 : 0;
    }
}

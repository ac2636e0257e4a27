package org.ptlab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ptlab.report.AtomicOutput;
import org.ptlab.report.CompareTable;
import org.ptlab.report.HtmlReport;
import org.ptlab.report.ProgressReporter;
import org.ptlab.report.RunRecord;
import org.ptlab.report.Runs;
import org.ptlab.source.FtraceParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ptlab trace FILE}: replay a real kernel's ftrace kprobe trace on a modelled machine. */
@Command(name = "trace",
        header = "Replay a real kernel's ftrace kprobe trace of set_memory_* and vmalloc calls on a modelled machine.", mixinStandardHelpOptions = true,
        description = {"Replay an ftrace text trace of set_memory_*, set_direct_map_*, vmalloc/vfree and module_load",
            "events recorded on a real arm64 machine (see docs/traces.md) on a modelled machine, checking every",
            "invariant; print the end state (or --json), optionally an HTML report. --variants A,B replays the",
            "trace once per variant, side by side (one column each); --variant FAMILY=NAME selects for every run.",
            "Example: ptlab trace my.trace --mem 8G --bbml2 noabort --report trace.html"})
final class TraceCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "the trace text (cat /sys/kernel/tracing/trace > FILE)")
    Path file;

    @Mixin
    MachineOptions machine;

    @Option(names = "--variants", paramLabel = "V1,V2,...", split = ",",
            description = "replay once per variant (family=name each) and print them side by side")
    List<String> compare = new ArrayList<>();

    @Option(names = "--scenario", paramLabel = "FILE.yaml",
            description = "take the machine and the variants from this scenario file's machine: and variants:; machine options given on the command line override them")
    Path scenario;

    @Option(names = "--to-scenario", paramLabel = "OUT.yaml",
            description = "also write the replayed calls as a scenario file for `ptlab run` (machine, variants, one step per call)")
    Path toScenario;

    @Option(names = "--check-every", paramLabel = "N", defaultValue = "1",
            description = "check invariants after every N replayed events (0: only at the end); default 1")
    int checkEvery;

    @Option(names = "--ptdump", description = "also print the final linear map in kernel_page_tables format (as boot --ptdump), per run")
    boolean ptdump;

    @Option(names = "--json", description = "print JSON instead of the text table")
    boolean json;

    @Option(names = "--report", paramLabel = "OUT.html", description = "also write a self-contained HTML report")
    Path report;

    @picocli.CommandLine.Mixin
    TlbProbeOption probeOption = new TlbProbeOption();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (checkEvery < 0) {
            throw new IllegalArgumentException("--check-every must be 0 or more");
        }
        AtomicOutput.checkFile(report);
        AtomicOutput.checkFile(toScenario);
        String text = org.ptlab.io.InputFile.readText(file, org.ptlab.io.InputFile.Kind.FTRACE);
        FtraceParser.Trace t = FtraceParser.parse(text, file.toString());
        for (String w : t.warnings()) {
            err.println("ptlab: warning: " + w);
        }
        err.flush();
        List<List<String>> columns = new ArrayList<>();
        if (compare.isEmpty()) {
            columns.add(List.of());
        } else {
            for (String v : compare) {
                org.ptlab.kernel.Variants.none().with(v);
                columns.add(List.of(v));
            }
        }
        org.ptlab.kernel.MachineSpec m = machine.spec();
        if (scenario != null) {
            org.ptlab.scenario.Scenario sc = org.ptlab.scenario.Scenario.load(scenario);
            // the scenario's machine: and variants:, then the command's machine options over them
            m = sc.machine.withVariants(sc.variants).overlay(m);
        }
        List<RunRecord> runs = new ArrayList<>();
        List<String> dumps = new ArrayList<>();
        List<String> steps = toScenario != null ? new ArrayList<>() : null;
        for (List<String> col : columns) {
            try (ProgressReporter p = ProgressReporter.forConsole("trace " + String.join(",", col), "events", t.events().size())) {
                runs.add(Runs.trace(m, col, t, checkEvery, p, runs.isEmpty() ? steps : null, probeOption.probe(),
                        ptdump ? k -> dumps.add((col.isEmpty() ? "" : "# " + String.join(",", col) + "\n")
                                + org.ptlab.check.Ptdump.linearMap(k)) : null));
            }
        }
        if (toScenario != null) {
            List<String> vs = new ArrayList<>(m.variants);
            vs.addAll(columns.get(0));
            String desc = "Imported by `ptlab trace` from " + runs.get(0).config.getOrDefault("trace", file.toString()) + ".";
            AtomicOutput.writeString(toScenario, org.ptlab.report.ScenarioExport.yaml(desc, m, vs, steps));
        }
        if (report != null) {
            AtomicOutput.writeString(report, HtmlReport.render(file.toString(), runs));
        }
        if (json) {
            out.print(RunRecord.toJson(runs));
        } else {
            out.print(CompareTable.render("trace " + file, runs));
            java.util.Set<String> notes = new java.util.LinkedHashSet<>();
            for (RunRecord r : runs) {
                notes.addAll(r.notes);
            }
            for (String n : notes) {
                out.println("# " + n);
            }
            for (String d : dumps) {
                out.print(d);
            }
        }
        out.flush();
        return runs.stream().anyMatch(r -> r.status != 0) ? 1 : 0;
    }
}

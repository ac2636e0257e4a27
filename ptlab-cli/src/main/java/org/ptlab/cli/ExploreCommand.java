package org.ptlab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.ptlab.explore.ExploreScenario;
import org.ptlab.explore.Explorer;
import org.ptlab.explore.Mutation;
import org.ptlab.explore.ScenarioFile;
import org.ptlab.explore.ScheduleFile;
import org.ptlab.kernel.LazyMmu;
import org.ptlab.kernel.Variants;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ptlab explore}: the concurrency explorer. Runs a scenario's CPUs under controlled
 * scheduling and either proves it safe within a preemption bound or prints the minimised
 * interleaving that breaks it, written to a replayable schedule file.
 * Exit status: 0 as expected (safe within the bound, or the violation the scenario's expect: or
 * --mutate asks for), 1 a violation nobody expected or an expected one not found, 2 bad input, 3
 * inconclusive (the budget ran out first; the covered fraction is printed).
 */
@Command(name = "explore",
        header = "Explore the interleavings of a concurrency scenario; prove it safe within a bound or print a counterexample.", mixinStandardHelpOptions = true,
        description = {"Explore the interleavings of a concurrency scenario (scenarios/concurrency/*.yaml or builtin:NAME).",
            "Examples:",
            "  ptlab explore scenarios/concurrency/seed000-split-race.yaml --bound 2",
            "  ptlab explore scenarios/concurrency/seed000-split-race.yaml --mutate no-split-lock --out cex.txt",
            "  ptlab explore --replay cex.txt",
            "  ptlab explore scenarios/concurrency/          (every scenario, checked against its expect:)",
            "  ptlab explore scenarios/concurrency/seed002-lazy-generic.yaml --each-variant lazy"})
final class ExploreCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "scenario file, or builtin:NAME")
    String file;

    @Option(names = "--strategy", defaultValue = "dfs", description = "dfs (exhaustive within --bound), random, or pct (default dfs)")
    String strategy;

    @Option(names = "--bound", defaultValue = "2", description = "dfs preemption bound (default 2); -1 = no bound")
    int bound;

    @Option(names = "--search", defaultValue = "dpor", description = "dfs search: dpor (source-DPOR with sleep sets, default) or plain (every schedule, no reduction)")
    String search;

    @Option(names = "--stats", description = "print the search's statistics: executions, equivalence classes among them, blocked and pruned executions, states, memory, time")
    boolean stats;

    @Option(names = "--split-depth", defaultValue = "0", paramLabel = "D",
            description = "explore the dfs as the independent subtrees below every schedule prefix of length D, one after the other (what a campaign distributes); 0 = one tree")
    int splitDepth;

    @Option(names = "--seed", defaultValue = "1", description = "seed of random and pct (default 1)")
    long seed;

    @Option(names = "--budget", defaultValue = "60s", description = "time budget, e.g. 60s, 5m, 500ms (default 60s)")
    String budget;

    @Option(names = "--executions", description = "stop after this many executions")
    Long executions;

    @Option(names = "--pct-depth", defaultValue = "3", description = "pct bug depth d (d-1 priority change points; default 3)")
    int pctDepth;

    /** The machine options of every command that builds a machine, laid over the scenario's machine: (--variant among them). */
    @picocli.CommandLine.Mixin
    MachineOptions machine = new MachineOptions();

    @Option(names = "--mutate", description = "deliberately broken version: no-split-lock, no-lazy-flush, cont-one-entry, counter-outside-lock, "
            + "or an alias of a known-bad kernel variant: no-tlb-flush, collapse-free-before-flush, bbml2-boot-cpu-only (see --list)")
    List<String> mutations = new ArrayList<>();

    @Option(names = "--each-variant", paramLabel = "FAMILY", description = "run once per variant of FAMILY (e.g. lazy) and print a table")
    String eachVariant;

    @Option(names = "--out", paramLabel = "FILE", description = "write the counterexample schedule here (default: ptlab-explore-NAME.txt in the temp directory)")
    Path out;

    @Option(names = "--replay", paramLabel = "FILE", description = "replay a counterexample schedule file and print its trace")
    Path replay;

    @Option(names = "--trace", description = "print the trace of the default (non-preemptive) execution")
    boolean trace;

    @Option(names = "--list", description = "list the built-in scenarios, operations and mutations")
    boolean list;

    @Option(names = "--quiet", description = "no progress lines on stderr")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (list) {
            return list(o);
        }
        if (replay != null) {
            return replay(o);
        }
        if (file == null) {
            throw new IllegalArgumentException("explore: expected a scenario FILE (or builtin:NAME), --replay FILE or --list");
        }
        if (Files.isDirectory(Path.of(file))) {
            return directory(o, err, Path.of(file));
        }
        ExploreScenario sc = withOptions(load(file, null));
        if (out != null) {
            org.ptlab.report.AtomicOutput.checkFile(out); // before the search
        }
        if (eachVariant != null) {
            return eachVariant(o, err, sc);
        }
        Explorer.Options opt = options(err);
        o.printf("scenario %s (%s)%s%n", sc.name(), sc.source(), sc.description().isEmpty() ? "" : ": " + sc.description());
        o.printf("machine: %s%s%n", sc.machineLabel(), sc.mutations().isEmpty() ? ""
                : ", mutations " + String.join(",", sc.mutations().stream().map(Mutation::label).toList()));
        o.printf("strategy %s%n", describe(opt));
        o.flush();
        Explorer.Result r = Explorer.explore(sc, opt);
        if (!quiet && org.ptlab.report.ProgressReporter.stderrIsTerminal()) {
            err.println();
            err.flush();
        }
        summary(o, sc, r);
        if (trace) {
            Explorer.Replay rp = Explorer.replay(sc, new int[0]);
            o.println("trace of the default (non-preemptive) execution:");
            rp.trace().forEach(l -> o.println("  " + l));
        }
        if (r.verdict() == Explorer.Verdict.VIOLATION) {
            Path f = out != null ? out : Path.of(System.getProperty("java.io.tmpdir"), "ptlab-explore-" + sc.name() + ".txt");
            new ScheduleFile(sc.source(), sc.machine().variants, sc.machine().settings(), sc.mutations(), r.counterexample().kind() + ": " + r.counterexample().violation(),
                    r.counterexample().schedule()).write(f);
            o.printf("schedule written to %s; replay: ptlab explore --replay %s%n", f, f);
        }
        o.flush();
        return status(sc, r);
    }

    /** Whether a violation is what this run expects (the scenario's expect: violation, or a mutation). */
    private boolean expectsViolation(ExploreScenario sc) {
        return !mutations.isEmpty() || sc.expect() == ExploreScenario.Expect.VIOLATION;
    }

    /**
     * The exit status of one search, the same for a file and for each file of a directory: 0 as
     * expected, 1 not as expected (an unexpected violation, or an expected one proved absent), 3
     * inconclusive (the budget ran out; random and pct never prove absence either).
     */
    private int status(ExploreScenario sc, Explorer.Result r) {
        if (r.verdict() == Explorer.Verdict.VIOLATION) {
            return expectsViolation(sc) ? Cli.OK : Cli.VIOLATION;
        }
        if (inconclusive(r)) {
            return Cli.INCONCLUSIVE;
        }
        return expectsViolation(sc) ? Cli.VIOLATION : Cli.OK;
    }

    static boolean inconclusive(Explorer.Result r) {
        return r.verdict() == Explorer.Verdict.INCONCLUSIVE || r.verdict() == Explorer.Verdict.NO_VIOLATION_FOUND;
    }

    /** The covered fraction as printed: "12.5% covered", "less than 0.001% covered". */
    static String covered(Explorer.Result r) {
        double p = 100 * r.coverage();
        return Double.isNaN(p) ? "coverage unknown: a random sample"
                : (p > 0 && p < 1e-3 ? "less than 0.001%" : p >= 1 || p == 0 ? String.format(java.util.Locale.ROOT, "%.1f%%", p)
                        : String.format(java.util.Locale.ROOT, "%.2g%%", p)) + " covered";
    }

    private Explorer.Options options(PrintWriter err) {
        Explorer.Options opt = new Explorer.Options();
        opt.strategy = Explorer.Strategy.parse(strategy);
        opt.search = Explorer.Search.parse(search);
        opt.stats = stats;
        if (splitDepth < 0) {
            throw new IllegalArgumentException("--split-depth must be 0 or more");
        }
        opt.splitDepth = splitDepth;
        opt.bound = bound;
        opt.seed = seed;
        opt.budgetMillis = parseDuration(budget);
        opt.pctDepth = pctDepth;
        if (pctDepth < 1) {
            throw new IllegalArgumentException("--pct-depth must be at least 1");
        }
        if (executions != null) {
            if (executions < 1) {
                throw new IllegalArgumentException("--executions must be at least 1");
            }
            opt.maxExecutions = executions;
        }
        if (!quiet) {
            boolean tty = org.ptlab.report.ProgressReporter.stderrIsTerminal();
            long[] last = {System.nanoTime()};
            opt.progress = p -> {
                if (tty) {
                    err.print("\rexplore: " + p + "   ");
                } else if (System.nanoTime() - last[0] >= 10_000_000_000L) { // plain lines for logs and pipes
                    last[0] = System.nanoTime();
                    err.println("explore: " + p);
                }
                err.flush();
            };
        }
        return opt;
    }

    private String describe(Explorer.Options opt) {
        return switch (opt.strategy) {
            case DFS -> "dfs" + (opt.search == Explorer.Search.DPOR ? " with partial-order reduction" : " without reduction")
                    + (opt.bound < 0 ? ", no preemption bound" : ", preemption bound " + opt.bound)
                    + (opt.splitDepth > 0 ? ", split at depth " + opt.splitDepth : "") + ", budget " + budget;
            case RANDOM -> "random, seed " + opt.seed + ", budget " + budget;
            case PCT -> "pct, depth " + opt.pctDepth + ", seed " + opt.seed + ", budget " + budget;
        };
    }

    private void summary(PrintWriter o, ExploreScenario sc, Explorer.Result r) {
        switch (r.verdict()) {
            case SAFE_WITHIN_BOUND -> o.printf("result: SAFE within the bound (%s)%n", r.searchNote());
            case NO_VIOLATION_FOUND -> o.printf("result: INCONCLUSIVE, no violation found by sampling (%s; %s)%n", covered(r), r.searchNote());
            case VIOLATION -> o.printf("result: VIOLATION %s: %s%n", r.counterexample().kind(), r.counterexample().violation());
            case INCONCLUSIVE -> o.printf("result: INCONCLUSIVE, no violation found but the search was not complete (%s; %s)%n",
                    covered(r), r.searchNote());
        }
        o.printf("%,d executions, %,d states, up to %d scheduling points per execution, %.2f s, %,.0f executions/s%n",
                r.executions(), r.states(), r.maxNodes(), r.elapsedMillis() / 1000.0, r.progress().rate());
        if (stats) {
            printStats(o, sc.name(), r);
        }
        boolean violation = r.verdict() == Explorer.Verdict.VIOLATION;
        boolean unknown = !violation && inconclusive(r);
        if (!mutations.isEmpty()) {
            o.printf("mutation %s: %s%n", String.join(",", mutations), violation ? "caught" : unknown ? "not caught yet (inconclusive)" : "NOT caught");
        } else if (sc.expect() != ExploreScenario.Expect.UNSPECIFIED) {
            boolean asExpected = violation == (sc.expect() == ExploreScenario.Expect.VIOLATION);
            o.printf("expected: %s (%s)%n", sc.expect().name().toLowerCase(java.util.Locale.ROOT),
                    unknown ? "inconclusive" : asExpected ? "as expected" : "NOT as expected");
        }
        Explorer.Replay rp = Explorer.replay(sc, new int[0]);
        if (rp.barrierPairs() + rp.deferred() > 0) {
            o.printf("lazy MMU (%s, default schedule): %d barrier pairs (dsb ishst; isb): %d immediate, %d flushes; %d writes deferred%n",
                    variantOf(sc, "lazy"), rp.barrierPairs(), rp.immediateBarriers(), rp.lazyFlushes(), rp.deferred());
        }
        if (r.counterexample() != null) {
            o.printf("counterexample (%d preemption%s, minimised), %d scheduling points:%n", r.counterexample().preemptions(),
                    r.counterexample().preemptions() == 1 ? "" : "s", r.counterexample().schedule().length);
            r.counterexample().trace().forEach(l -> o.println("  " + l));
        }
    }

    static String verdictWord(Explorer.Result r) {
        return switch (r.verdict()) {
            case SAFE_WITHIN_BOUND -> r.stats() != null && !r.stats().boundReached() && r.searchNote().contains("any number") ? "safe*" : "safe";
            case NO_VIOLATION_FOUND -> "no-bug";
            case VIOLATION -> "VIOLATION";
            case INCONCLUSIVE -> String.format("inc %.1f%%", 100 * r.coverage());
        };
    }

    /** The --stats block: one line per figure, and the ratio every change to the search is judged by. */
    static void printStats(PrintWriter o, String name, Explorer.Result r) {
        Explorer.Stats s = r.stats();
        o.printf("stats %s:%n", name);
        o.printf("  executions explored        %,d%n", s.executions());
        if (s.classes() >= 0) {
            long complete = s.executions() - s.blocked() - s.pruned();
            o.printf("  equivalence classes        %,d (distinct happens-before relations among the %,d complete executions)%n", s.classes(), complete);
            o.printf("  executions per class       %.2f%n", s.classes() == 0 ? 0.0 : (double) s.executions() / s.classes());
        }
        o.printf("  sleep-set blocked          %,d (redundant: an equivalent execution was explored)%n", s.blocked());
        o.printf("  beyond the bound           %,d executions cut, %,d race reversals refused%s%n", s.pruned(), s.refused(),
                s.boundReached() ? " (the bound cut the search: safe within the bound only)" : "");
        o.printf("  states (scheduling nodes)  %,d, deepest execution %,d%n", s.states(), s.maxDepth());
        if (s.stateLookups() > 0) {
            o.printf("  states reached before      %,d of %,d (%.1f%%: an equivalent prefix had reached the same state; what a state cache could save)%n",
                    s.stateRevisits(), s.stateLookups(), 100.0 * s.stateRevisits() / s.stateLookups());
        }
        o.printf("  peak heap in use           %,.1f MB (sampled)%n", s.peakHeapBytes() / 1e6);
        o.printf("  time                       %.2f s%n", s.elapsedMillis() / 1000.0);
    }

    private static String variantOf(ExploreScenario sc, String family) {
        Variants v = sc.bootMachine().build().cfg().variants;
        return family + "=" + v.get(family);
    }

    private int eachVariant(PrintWriter o, PrintWriter err, ExploreScenario sc) {
        org.ptlab.kernel.VariantRegistry reg = org.ptlab.kernel.VariantRegistry.standard();
        org.ptlab.kernel.VariantRegistry.Family fam = reg.family(eachVariant);
        if (fam == null) {
            throw new IllegalArgumentException("--each-variant: unknown family '" + eachVariant + "': expected one of " + reg.families().keySet());
        }
        List<org.ptlab.kernel.Variant> vs = fam.members();
        o.printf("scenario %s (%s), each %s variant, %s%n", sc.name(), sc.source(), eachVariant, describe(options(err)));
        o.printf("%-24s %-10s %10s %8s %9s %8s %8s  %s%n", "variant", "verdict", "executions", "barriers", "immediate", "flushes", "deferred", "violation");
        int rc = 0;
        for (org.ptlab.kernel.Variant v : vs) {
            ExploreScenario s = sc.with(Set.of(), List.of(eachVariant + "=" + v.name()));
            Explorer.Options opt = options(err);
            opt.progress = null;
            Explorer.Result r = Explorer.explore(s, opt);
            Explorer.Replay rp = Explorer.replay(s, new int[0]);
            String verdict = verdictWord(r);
            if (r.verdict() == Explorer.Verdict.VIOLATION) {
                rc = 1;
            } else if (inconclusive(r) && rc == 0) {
                rc = 3;
            }
            String vio = r.counterexample() == null ? "" : r.counterexample().violation();
            boolean clean = rp.violation() == null;
            o.printf("%-24s %-10s %10d %8s %9s %8s %8s  %s%n", eachVariant + "=" + v.name() + (fam.isDefault(v) ? "*" : ""), verdict, r.executions(),
                    clean ? rp.barrierPairs() : "-", clean ? rp.immediateBarriers() : "-", clean ? rp.lazyFlushes() : "-",
                    clean ? rp.deferred() : "-", vio);
        }
        o.println("(* default; barriers = dsb ishst; isb pairs on the default schedule; '-' where that execution fails)");
        o.flush();
        return rc;
    }

    /** Every *.yaml in a directory: one line each, exit 1 unless every verdict is the expected one. */
    private int directory(PrintWriter o, PrintWriter err, Path dir) throws IOException {
        List<Path> files;
        try (var st = Files.list(dir)) {
            files = st.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(dir + ": no .yaml scenario files");
        }
        Explorer.Options proto = options(err);
        o.printf("%d scenarios in %s, %s%n", files.size(), dir, describe(proto));
        o.printf("%-34s %-9s %-10s %11s %9s  %s%n", "scenario", "expected", "verdict", "executions", "seconds", "");
        int bad = 0;
        int unknown = 0;
        for (Path f : files) {
            ExploreScenario sc = withOptions(ScenarioFile.load(f));
            Explorer.Options opt = options(err);
            opt.progress = null;
            Explorer.Result r = Explorer.explore(sc, opt);
            boolean violation = r.verdict() == Explorer.Verdict.VIOLATION;
            String verdict = verdictWord(r);
            int st = status(sc, r);
            boolean ok = st == Cli.OK;
            if (st == Cli.INCONCLUSIVE) {
                unknown++;
            } else if (!ok) {
                bad++;
            }
            String exp = !mutations.isEmpty() ? "violation" : sc.expect().name().toLowerCase(java.util.Locale.ROOT);
            o.printf("%-34s %-9s %-10s %,11d %9.2f  %s%n", sc.name(), exp, verdict, r.executions(), r.elapsedMillis() / 1000.0,
                    ok ? "ok" : st == Cli.INCONCLUSIVE ? "inconclusive (" + covered(r) + ")"
                            : "NOT AS EXPECTED" + (violation ? ": " + r.counterexample().violation() : ""));
            if (stats) {
                printStats(o, sc.name(), r);
            }
            o.flush();
        }
        o.printf("%d of %d as expected%s%s%n", files.size() - bad - unknown, files.size(),
                unknown == 0 ? "" : ", " + unknown + " inconclusive (the budget ran out: raise --budget)",
                proto.search == Explorer.Search.DPOR ? " (safe* = every interleaving: the bound never cut the reduced search)" : "");
        o.flush();
        return bad > 0 ? Cli.VIOLATION : unknown > 0 ? Cli.INCONCLUSIVE : Cli.OK;
    }

    private int replay(PrintWriter o) throws IOException {
        ScheduleFile f = ScheduleFile.read(replay);
        // the machine the counterexample ran on (recorded in full), then its variants and mutations
        ExploreScenario sc = load(f.scenario(), replay).withMachine(f.machineSpec());
        sc = sc.with(f.mutations(), checkVariants(f.variants()));
        Explorer.Replay rp = Explorer.replay(sc, f.schedule());
        o.printf("replay of %s: scenario %s (%s)%n", replay, sc.name(), sc.source());
        o.printf("machine: %s%s%n", sc.machineLabel(), sc.mutations().isEmpty() ? ""
                : ", mutations " + String.join(",", sc.mutations().stream().map(Mutation::label).toList()));
        rp.trace().forEach(l -> o.println("  " + l));
        if (rp.violation() == null) {
            o.printf("result: no violation on this schedule (%d preemptions)%s%n", rp.preemptions(),
                    f.violation() != null && !f.violation().isEmpty() ? "; the file recorded: " + f.violation() : "");
            o.flush();
            return 0;
        }
        o.printf("result: VIOLATION %s: %s (%d preemption%s)%n", rp.kind(), rp.violation(), rp.preemptions(), rp.preemptions() == 1 ? "" : "s");
        o.flush();
        return 1;
    }

    private int list(PrintWriter o) {
        o.println("built-in scenarios (builtin:NAME):");
        for (String n : ScenarioFile.builtinNames()) {
            o.printf("  %-28s %s%n", n, ScenarioFile.builtin(n).description());
        }
        o.println("operations in scenario files:");
        ScenarioFile.OPS.forEach((k, v) -> o.printf("  %-28s %s%n", k, v));
        o.println("mutations (--mutate):");
        for (Mutation m : Mutation.values()) {
            o.printf("  %-28s %s%n", m.label(), m.description);
        }
        o.flush();
        return 0;
    }

    private static ExploreScenario load(String name, Path relativeTo) throws IOException {
        if (name.startsWith("builtin:")) {
            return ScenarioFile.builtin(name.substring("builtin:".length()));
        }
        Path p = Path.of(name);
        if (!Files.exists(p) && relativeTo != null && !p.isAbsolute()) {
            Path dir = relativeTo.toAbsolutePath().getParent();
            if (dir != null && Files.exists(dir.resolve(name))) {
                p = dir.resolve(name);
            }
        }
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(name + ": no such scenario file (expected a .yaml file or builtin:NAME)");
        }
        return ScenarioFile.load(p);
    }

    /**
     * The scenario as this command runs it: its machine: (over the explorer's defaults), then the
     * machine options (--mem, --kernel, --variant, ...), then the --mutate mutations.
     */
    private ExploreScenario withOptions(ExploreScenario sc) {
        if (machine.fromCapture != null) {
            throw new IllegalArgumentException("explore: --from-capture: the explorer boots a fresh machine for every execution and "
                    + "does not record a capture in its counterexamples; expected the machine options without --from-capture");
        }
        org.ptlab.kernel.MachineSpec over = machine.spec();
        checkVariants(over.variants);
        return sc.withMachine(over).with(parseMutations(mutations), List.of());
    }

    private static Set<Mutation> parseMutations(List<String> l) {
        Set<Mutation> s = EnumSet.noneOf(Mutation.class);
        for (String x : l) {
            for (String y : x.split(",")) {
                s.add(Mutation.parse(y));
            }
        }
        return s;
    }

    private static List<String> checkVariants(List<String> l) {
        for (String v : l) {
            Variants.none().with(v);
        }
        return l;
    }

    static long parseDuration(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        long mult;
        String num;
        if (t.endsWith("ms")) {
            mult = 1;
            num = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            mult = 1000;
            num = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            mult = 60_000;
            num = t.substring(0, t.length() - 1);
        } else if (t.endsWith("h")) {
            mult = 3_600_000;
            num = t.substring(0, t.length() - 1);
        } else {
            mult = 1000;
            num = t;
        }
        try {
            long v = Long.parseLong(num.trim());
            if (v <= 0) {
                throw new NumberFormatException();
            }
            return v * mult;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--budget: bad duration '" + s + "': expected e.g. 60s, 5m, 500ms");
        }
    }
}

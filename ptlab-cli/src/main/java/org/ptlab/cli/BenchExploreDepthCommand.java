package org.ptlab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ptlab.explore.ExploreScenario;
import org.ptlab.explore.Explorer;
import org.ptlab.explore.ScenarioFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ptlab bench explore-depth}: for every scenario of a directory and every preemption
 * bound asked for, the search without reduction (the explorer's search before issue 17) against
 * source-DPOR with sleep sets, in the same run: verdicts, executions, equivalence classes,
 * seconds, and the ratio of executions.
 */
@Command(name = "explore-depth", mixinStandardHelpOptions = true,
        description = {"Compare the dfs without reduction (--search plain) with source-DPOR (--search dpor) on every scenario",
            "of a directory at several preemption bounds: verdict, executions, classes, seconds.",
            "Example: ptlab bench explore-depth --bounds 2,3,4"})
final class BenchExploreDepthCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "scenario directory (default scenarios/concurrency)")
    Path dir = Path.of("scenarios/concurrency");

    @Option(names = "--bounds", defaultValue = "2,3,4", split = ",", description = "preemption bounds (default 2,3,4)")
    List<Integer> bounds = new ArrayList<>();

    @Option(names = "--budget", defaultValue = "60s", description = "budget of each DPOR search (default 60s)")
    String budget;

    @Option(names = "--plain-budget", defaultValue = "20s", description = "budget of each search without reduction (default 20s)")
    String plainBudget;

    @Option(names = "--no-plain", description = "skip the search without reduction")
    boolean noPlain;

    @Option(names = "--classes", description = "also count the equivalence classes among the plain search's executions "
            + "(--stats; the plain search then records footprints, so its time is not today's) and print executions per class before and after")
    boolean classes;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        List<Path> files;
        try (var st = Files.list(dir)) {
            files = st.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(dir + ": no .yaml scenario files");
        }
        long dporMs = ExploreCommand.parseDuration(budget);
        long plainMs = ExploreCommand.parseDuration(plainBudget);
        out.printf("bench explore-depth: %d scenarios in %s; plain budget %s, dpor budget %s; load average %s%n", files.size(), dir,
                plainBudget, budget, load());
        if (classes) {
            out.printf("%-34s %5s | %-10s %11s %8s %10s | %-10s %9s %8s %10s%n", "scenario", "bound", "plain", "executions", "classes",
                    "exec/class", "dpor", "execs", "classes", "exec/class");
        } else {
            out.printf("%-34s %5s %-9s | %-10s %11s %8s | %-10s %9s %8s %8s | %8s%n", "scenario", "bound", "expected",
                    "plain", "executions", "seconds", "dpor", "execs", "classes", "seconds", "ratio");
        }
        int bad = 0;
        for (Path f : files) {
            ExploreScenario sc = ScenarioFile.load(f);
            for (int b : bounds) {
                Explorer.Result plain = null;
                if (!noPlain) {
                    plain = Explorer.explore(sc, options(Explorer.Search.PLAIN, b, plainMs, classes));
                }
                Explorer.Result dpor = Explorer.explore(sc, options(Explorer.Search.DPOR, b, dporMs, true));
                boolean expectViolation = sc.expect() == ExploreScenario.Expect.VIOLATION;
                boolean ok = dpor.verdict() != Explorer.Verdict.INCONCLUSIVE
                        && (sc.expect() == ExploreScenario.Expect.UNSPECIFIED || (dpor.verdict() == Explorer.Verdict.VIOLATION) == expectViolation);
                if (!ok) {
                    bad++;
                }
                if (classes && plain != null) {
                    out.printf("%-34s %5d | %-10s %,11d %8s %10s | %-10s %,9d %8s %10s%s%n", sc.name(), b, ExploreCommand.verdictWord(plain),
                            plain.executions(), count(plain), perClass(plain), ExploreCommand.verdictWord(dpor), dpor.executions(), count(dpor),
                            perClass(dpor), ok ? "" : "  NOT AS EXPECTED");
                    out.flush();
                    continue;
                }
                String ratio = plain == null ? "-" : String.format("%s%.1f", plain.verdict() == Explorer.Verdict.INCONCLUSIVE ? ">" : "",
                        (double) plain.executions() / Math.max(1, dpor.executions()));
                out.printf("%-34s %5d %-9s | %-10s %,11d %8.2f | %-10s %,9d %8s %8.2f | %8s%s%n", sc.name(), b,
                        sc.expect().name().toLowerCase(java.util.Locale.ROOT),
                        plain == null ? "-" : ExploreCommand.verdictWord(plain), plain == null ? 0 : plain.executions(),
                        plain == null ? 0.0 : plain.elapsedMillis() / 1000.0,
                        ExploreCommand.verdictWord(dpor), dpor.executions(),
                        dpor.stats().classes() < 0 ? "-" : String.format("%,d", dpor.stats().classes()), dpor.elapsedMillis() / 1000.0,
                        ratio, ok ? "" : "  NOT AS EXPECTED");
                out.flush();
            }
        }
        out.printf("safe* = every interleaving (the bound never cut the reduced search); inc N%% = budget ran out, N%% of the tree covered;%n"
                + "ratio = plain executions / dpor executions ('>' where the plain search ran out of budget); load average now %s%n", load());
        out.printf("%s%n", bad == 0 ? "every scenario gave its expected verdict with dpor" : bad + " searches NOT as expected or inconclusive");
        out.flush();
        return bad == 0 ? 0 : 1;
    }

    private static String count(Explorer.Result r) {
        return r.stats().classes() < 0 ? "-" : String.format("%,d", r.stats().classes());
    }

    private static String perClass(Explorer.Result r) {
        return r.stats().classes() <= 0 ? "-" : String.format("%,.1f", (double) r.executions() / r.stats().classes());
    }

    private static Explorer.Options options(Explorer.Search s, int bound, long budgetMs, boolean stats) {
        Explorer.Options o = new Explorer.Options();
        o.search = s;
        o.bound = bound;
        o.budgetMillis = budgetMs;
        o.stats = stats;
        return o;
    }

    private static String load() {
        try {
            String l = Files.readString(Path.of("/proc/loadavg")).trim();
            return l.substring(0, l.indexOf(' ', l.indexOf(' ', l.indexOf(' ') + 1) + 1));
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}

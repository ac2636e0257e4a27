package org.ptlab.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.ptlab.explore.ExploreScenario;
import org.ptlab.explore.Explorer;
import org.ptlab.explore.ScenarioFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ptlab bench explore}: complete executions per second of the explorer on the 2-CPU
 * seed000-split-race-contpmd scenario (fresh kernel per execution, about 100 scheduling points),
 * exhaustive DFS within a preemption bound, repeated; median reported.
 */
@Command(name = "explore",
        header = "Measure the explorer's complete executions per second on a 2-CPU scenario.", mixinStandardHelpOptions = true,
        description = {"Measure the explorer's complete executions per second on a 2-CPU scenario of about 100",
            "scheduling points (builtin:seed000-split-race-contpmd, dfs).", "Example: ptlab bench explore"})
final class BenchExploreCommand implements Callable<Integer> {
    @Option(names = "--bound", defaultValue = "2", description = "preemption bound of the dfs (default 2)")
    int bound;

    @Option(names = "--repeat", defaultValue = "3", description = "measured repetitions after one warm-up (median reported)")
    int repeat;

    @Option(names = "--scenario", defaultValue = "seed000-split-race-contpmd", description = "built-in scenario")
    String scenario;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (repeat < 1) {
            throw new IllegalArgumentException("--repeat must be at least 1");
        }
        ExploreScenario sc = ScenarioFile.builtin(scenario);
        double[] rate = new double[repeat];
        Explorer.Result last = null;
        for (int r = -1; r < repeat; r++) {
            Explorer.Options o = new Explorer.Options();
            o.bound = bound;
            o.search = Explorer.Search.PLAIN; // raw execution throughput (bench explore-depth compares the searches)
            o.budgetMillis = 120_000;
            Explorer.Result res = Explorer.explore(sc, o);
            if (r >= 0) {
                rate[r] = res.progress().rate();
            }
            last = res;
        }
        Arrays.sort(rate);
        double median = rate[repeat / 2];
        out.printf("bench explore: builtin:%s (%s), dfs without reduction, bound %d%n", sc.name(), sc.machineLabel(), bound);
        out.printf("  %,d complete executions per search, %,d states, up to %d scheduling points per execution, verdict %s%n",
                last.executions(), last.states(), last.maxNodes(), last.verdict());
        out.printf("  %,.0f executions/s (median of %d; min %,.0f, max %,.0f)%n", median, repeat, rate[0], rate[repeat - 1]);
        out.flush();
        return 0;
    }
}

package org.ptlab.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.ptlab.explore.ExploreScenario;
import org.ptlab.explore.Explorer;
import org.ptlab.explore.Scenarios;

/**
 * The concurrency explorer: one exhaustive DFS (preemption bound 2) of the 2-CPU
 * seed000-split-race-contpmd scenario (about 100-140 scheduling points per execution, a fresh
 * kernel per execution). Executions per second = executions per search / time per search (the
 * search runs 522 executions). Run: java -jar ptlab-bench/target/benchmarks.jar ExploreBenchmark
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
public class ExploreBenchmark {
    @Param({"seed000-split-race-contpmd"})
    public String scenario;

    @Benchmark
    public long dfsBound2() {
        ExploreScenario sc = Scenarios.byName(scenario);
        Explorer.Options o = new Explorer.Options();
        o.bound = 2;
        o.search = Explorer.Search.PLAIN; // raw execution throughput: every schedule, no reduction
        Explorer.Result r = Explorer.explore(sc, o);
        if (r.verdict() != Explorer.Verdict.SAFE_WITHIN_BOUND) {
            throw new IllegalStateException("unexpected verdict " + r.verdict());
        }
        return r.executions();
    }
}

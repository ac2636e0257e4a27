package org.ptlab.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.ptlab.hw.CoreConfig;
import org.ptlab.hw.Presets;
import org.ptlab.run.TlbBench;

/**
 * Replay speed of the hardware model (accesses per second, one thread): a TLB-hit dominated stream
 * and a miss-dominated one where nearly every access walks four levels. Run:
 * {@code java -jar ptlab-bench/target/benchmarks.jar TlbReplayBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TlbReplayBench {
    static final int N = 1 << 20;

    @Param({"true", "false"})
    boolean data;

    /**
     * The walker's loads: "caches" through the preset's L1D / L2 / SLC model (neoverse-n1 as
     * shipped), "flat" each at the memory latency (the per-reference cost model of
     * scenarios/cores/n1-walk-latency.yaml).
     */
    @Param({"caches", "flat"})
    String walker;

    TlbBench hit;
    TlbBench miss;

    @Setup(Level.Trial)
    public void setup() {
        CoreConfig c = Presets.get(Presets.DEFAULT).copy();
        if ("flat".equals(walker)) {
            c.caches = new java.util.ArrayList<>();
        }
        c.modelDataAccesses = data;
        hit = TlbBench.hit(c, N);
        miss = TlbBench.miss(c, N);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long hitDominated() {
        return hit.run();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long missDominated() {
        return miss.run();
    }
}

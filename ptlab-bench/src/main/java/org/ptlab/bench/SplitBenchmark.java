package org.ptlab.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.VmStruct;
import org.ptlab.run.SplitBench;

/**
 * Live splitting and permission changes (docs/pageattr.md), the same workloads as
 * {@code ptlab bench split}:
 * <ul>
 *   <li>{@code roInOneGigBlock}: set_memory_ro of one page whose linear alias lies inside an untouched
 *       1G block (PUD and PMD split: two table allocations); 800 calls per measured batch, each on a
 *       fresh block, so the time per operation is the batch time / 800.
 *   <li>{@code roRwPair}: a set_memory_ro/rw pair on a random page of an already split 1 GiB range.
 * </ul>
 * Run: java -jar ptlab-bench/target/benchmarks.jar SplitBenchmark
 */
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class SplitBenchmark {
    static final int BATCH = 800;

    @State(Scope.Thread)
    public static class OneGig {
        Kernel k;
        VmStruct[] areas;
        int next;

        @Setup(Level.Iteration)
        public void setup() {
            k = SplitBench.bootBbml2(1L << 40);
            areas = SplitBench.oneGigAreas(k, BATCH);
            next = 0;
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 5, batchSize = BATCH)
    @Measurement(iterations = 10, batchSize = BATCH)
    public int roInOneGigBlock(OneGig s) {
        return SplitBench.roInOneGigBlock(s.k, s.areas[s.next++]);
    }

    @State(Scope.Benchmark)
    public static class SplitGig {
        Kernel k;
        VmStruct[] areas;
        SplittableRandom r = new SplittableRandom(42);

        @Setup(Level.Trial)
        public void setup() {
            k = SplitBench.bootBbml2(4L << 30);
            areas = SplitBench.splitGig(k);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 2, time = 2)
    @Measurement(iterations = 5, time = 2)
    public int roRwPair(SplitGig s) {
        return SplitBench.roRwPair(s.k, s.areas, s.r);
    }
}

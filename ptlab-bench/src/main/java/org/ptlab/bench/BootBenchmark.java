package org.ptlab.bench;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.MachineSpec;

/**
 * Painting the linear map: PTE-mapped (rodata=full without BBML2_NOABORT), block-mapped (with it),
 * and Arrays.fill over as many longs as the PTE-mapped tables hold, as the baseline.
 * Run: java -Xmx12g -jar ptlab-bench/target/benchmarks.jar BootBenchmark
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx12g", "-XX:+UseParallelGC"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class BootBenchmark {
    @Param({"1T"})
    public String mem;

    long[][] baseline;

    @Setup(Level.Trial)
    public void setup() {
        Kernel probe = boot("none");
        long longs = probe.linearTablePages() * probe.geo.ptrsPerTable;
        baseline = new long[(int) ((longs + (1 << 20) - 1) >> 20)][];
        for (int i = 0; i < baseline.length; i++) {
            baseline[i] = new long[(int) Math.min(1 << 20, longs - ((long) i << 20))];
        }
    }

    private Kernel boot(String bbml2) {
        MachineSpec s = new MachineSpec();
        s.mem = mem;
        s.rodata = "full";
        s.bbml2 = bbml2;
        MachineSpec.Built b = s.build();
        return Kernel.boot(b.cfg(), b.mem());
    }

    @Benchmark
    public long arraysFillBaseline() {
        for (long[] c : baseline) {
            Arrays.fill(c, 0x40000000000f07L);
        }
        return baseline.length;
    }

    @Benchmark
    public Kernel pteMapped() {
        return boot("none");
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public Kernel blockMapped() {
        return boot("noabort");
    }
}

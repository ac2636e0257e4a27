package org.ptlab.bench;

import java.util.ArrayList;
import java.util.List;
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
import org.ptlab.arch.Desc;
import org.ptlab.kernel.Cpu;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.KernelConfig;
import org.ptlab.kernel.MemoryLayout;

/**
 * Collapse costs: one fully uniform 2M range of non-contiguous PTEs coalesced into a PMD block
 * (table freed, walk cache flushed), and one background scan over every region of a 256 GiB
 * block-mapped linear map, once as booted (PUD blocks) and once held at PMD/contPMD blocks (one
 * read-only 2M block per GiB, so every PUD must be examined and refused).
 * Run: java -jar ptlab-bench/target/benchmarks.jar CollapseBenchmark
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-XX:+UseParallelGC"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class CollapseBenchmark {

    static Kernel boot(long mem) {
        KernelConfig c = new KernelConfig();
        c.cpus = new ArrayList<>(List.of(Cpu.parse("neoverse-v3")));
        c.variants = c.variants.with("collapse=background");
        return Kernel.boot(c, MemoryLayout.ofSize(mem));
    }

    /** A 4 GiB machine whose 2M at 1 GiB + 2M is split to plain PTEs before every invocation. */
    @State(Scope.Thread)
    public static class Split2M {
        Kernel k;
        long va;

        @Setup(Level.Trial)
        public void setup() {
            k = CollapseBenchmark.boot(4L << 30);
            va = k.physToVirt(0x8000_0000L + (2L << 20));
        }

        @Setup(Level.Invocation)
        public void split() {
            if (k.split.rangeSplitToPtes(va, va + (2L << 20)) != 0) {
                throw new IllegalStateException("split failed");
            }
        }
    }

    @Benchmark
    public int collapseUniform2M(Split2M s) {
        int n = s.k.collapse.collapseRange(s.va, 2L << 20, 2L << 20);
        if (n != 1) {
            throw new IllegalStateException("expected one PMD collapse, made " + n);
        }
        return n;
    }

    /** 256 GiB as booted: PUD blocks (and contPMD/PMD/contPTE around the image). */
    @State(Scope.Benchmark)
    public static class Booted256G {
        Kernel k;

        @Setup(Level.Trial)
        public void setup() {
            k = CollapseBenchmark.boot(256L << 30);
        }
    }

    @Benchmark
    public int scan256GBooted(Booted256G s) {
        return s.k.collapse.scan(s.k.collapse.linearSpan(), true);
    }

    /** 256 GiB held at PMD blocks: in every GiB one 2M block is read-only (so no PUD may form). */
    @State(Scope.Benchmark)
    public static class Pmd256G {
        Kernel k;

        @Setup(Level.Trial)
        public void setup() {
            k = CollapseBenchmark.boot(256L << 30);
            long base = k.physToVirt(0x4000_0000L);
            for (long g = 1; g < 256; g++) {
                long va = base + (g << 30) + (6L << 20);
                // split the PUD down to the 2M block's edges, then make that block read-only
                if (k.split.splitAt(va) != 0 || k.split.splitAt(va + (2L << 20)) != 0) {
                    throw new IllegalStateException("setup split failed");
                }
                ro(k, va);
            }
            k.collapse.scan(k.collapse.linearSpan(), true); // settle: contPMD groups folded where they can be
        }

        private static void ro(Kernel k, long va) {
            long table = k.swapper;
            for (int level = k.geo.startLevel; level < 2; level++) {
                table = org.ptlab.pgtable.Pgtable.tablePa(k.pg.read(table, k.geo.index(level, va)));
            }
            int idx = k.geo.index(2, va);
            long d = k.pg.read(table, idx);
            k.pg.write(table, idx, (d & ~Desc.WRITE) | Desc.RDONLY);
        }
    }

    @Benchmark
    public int scan256GPmdBlocks(Pmd256G s) {
        return s.k.collapse.scan(s.k.collapse.linearSpan(), true);
    }
}

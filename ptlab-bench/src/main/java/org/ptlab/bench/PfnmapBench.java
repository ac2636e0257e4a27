package org.ptlab.bench;

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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.TlbFlush;
import org.ptlab.user.Mm;
import org.ptlab.user.UserConfig;
import org.ptlab.user.UserProt;
import org.ptlab.user.UserSpace;

/**
 * Huge PFN maps (seed 004): remap_pfn_range of 64 GiB with PMD leaves (one deposited table each,
 * PUD leaves disabled), and fork of an mm holding 64 GiB of PMD PFN mappings (a new deposit per
 * leaf for the child). Targets: under 20 ms and under 50 ms. Run:
 * {@code java -jar ptlab-bench/target/benchmarks.jar PfnmapBench}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
public class PfnmapBench {
    static final long G = 1L << 30;

    @State(Scope.Thread)
    public static class Remap {
        @Param({"64"})
        public int gib;
        Pgtable pg;
        UserSpace us;
        Mm mm;

        @Setup(Level.Trial)
        public void trial() {
            pg = new Pgtable(Geometry.of(Granule.G4K, 48), (gib * G) >>> 21);
            UserConfig c = new UserConfig();
            c.pudPfnmap = false;
            us = new UserSpace(pg, new TlbFlush(pg, false), c);
        }

        @Setup(Level.Invocation)
        public void invocation() {
            mm = us.mmAlloc();
        }

        @TearDown(Level.Invocation)
        public void teardown() {
            us.exit(mm);
            if (pg.livePages() != 0) {
                throw new IllegalStateException("leak: " + pg.livePages());
            }
        }
    }

    /** mmap of a device whose ->mmap calls remap_pfn_range over 64 GiB, 2M aligned: 32768 PMD leaves. */
    @Benchmark
    public long remapPfnRange64GPmd(Remap s) {
        long a = s.us.mmapPfn(s.mm, 0, s.gib * G, UserProt.VM_READ | UserProt.VM_WRITE, UserProt.Cache.DEVICE, 0x1000000L);
        if (a < 0) {
            throw new IllegalStateException("mmap failed: " + a);
        }
        return a;
    }

    @State(Scope.Thread)
    public static class Forked {
        @Param({"64"})
        public int gib;
        Pgtable pg;
        UserSpace us;
        Mm parent;
        Mm child;

        @Setup(Level.Trial)
        public void trial() {
            pg = new Pgtable(Geometry.of(Granule.G4K, 48), 2 * ((gib * G) >>> 21));
            UserConfig c = new UserConfig();
            c.pudPfnmap = false;
            us = new UserSpace(pg, new TlbFlush(pg, false), c);
            parent = us.mmAlloc();
            if (us.mmapPfn(parent, 0, gib * G, UserProt.VM_READ | UserProt.VM_WRITE, UserProt.Cache.DEVICE, 0x1000000L) < 0) {
                throw new IllegalStateException("mmap failed");
            }
        }

        @TearDown(Level.Invocation)
        public void teardown() {
            us.exit(child);
        }
    }

    /** fork of an mm with 64 GiB of PMD PFN mappings: copy_huge_pmd with a deposit for the child per leaf. */
    @Benchmark
    public Mm fork64GPmd(Forked s) {
        s.child = s.us.fork(s.parent);
        return s.child;
    }
}

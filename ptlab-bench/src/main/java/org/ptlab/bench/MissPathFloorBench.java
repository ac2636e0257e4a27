package org.ptlab.bench;

import java.util.SplittableRandom;
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

/**
 * Not the model: the floor of its miss path on this host. The same work as
 * {@code TlbReplayBench.missDominated} (neoverse-n1: a 48-entry fully associative L1 TLB with hash
 * chains and an LRU list, a 1280-entry 5-way L2 TLB with LRU stamps, a four-level walk whose last
 * level is an arithmetic-run table, and optionally the walker's loads through a 64K 4-way / 1M
 * 8-way / 8M 16-way LRU line-cache hierarchy) written as one fixed-configuration loop over static
 * arrays, with no kinds, no attributes, no counters, no hazard hooks and no objects. It measures
 * what a fully specialised engine could reach, to size the gap of the general one. (It keeps the
 * LRU schemes the engine had when it was written, stamps and shifted tags; the engine now keeps
 * recency orders in nibbles, which is the same modelled work.)
 * Run: {@code java -jar ptlab-bench/target/benchmarks.jar MissPathFloorBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MissPathFloorBench {
    static final int N = 1 << 16;
    static final int E1 = 48;
    static final int H1 = 256;
    static final int W2 = 5;
    static final int S2 = 256;

    @Param({"true", "false"})
    boolean caches;

    long[] vas;
    final long[] k1 = new long[E1];
    final long[] v1 = new long[E1];
    final int[] head1 = new int[H1];
    final int[] next1 = new int[E1];
    final int[] bkt1 = new int[E1];
    final int[] lruNext = new int[E1 + 1];
    final int[] lruPrev = new int[E1 + 1];
    final int[] free1 = new int[E1];
    int nfree1;
    final long[] k2 = new long[W2 * S2];
    final long[] v2 = new long[W2 * S2];
    final long[] st2 = new long[W2 * S2];
    long clock;
    final long[] c1 = new long[1024];
    final long[] c2 = new long[16384];
    final long[] c3 = new long[131072];
    long cycles;
    final long[] upper = new long[3 * 512];
    final long[] runFirst = new long[128];
    final long[] runStep = new long[128];

    @Setup(Level.Trial)
    public void setup() {
        for (int i = 0; i < E1; i++) {
            free1[i] = E1 - 1 - i;
        }
        nfree1 = E1;
        lruNext[E1] = E1;
        lruPrev[E1] = E1;
        for (int i = 0; i < 128; i++) {
            upper[1024 + i] = i;
            runFirst[i] = 0x80_0000_0000L + i * (2L << 20);
            runStep[i] = 4096;
        }
        SplittableRandom r = new SplittableRandom(2);
        vas = new long[N];
        for (int i = 0; i < N; i++) {
            vas[i] = r.nextLong(256L << 20) & -8L;
        }
    }

    private static int hash(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32) ^ (int) h;
    }

    private static boolean line(long[] t, int ways, int mask, long pa) {
        long l = (pa >>> 6) + 1;
        int base = (int) ((l ^ (l >>> 17)) & mask) * ways;
        if (t[base] == l) {
            return true;
        }
        long carry = t[base];
        for (int i = base + 1, e = base + ways; i < e; i++) {
            long cur = t[i];
            t[i] = carry;
            if (cur == l) {
                t[base] = l;
                return true;
            }
            carry = cur;
        }
        t[base] = l;
        return false;
    }

    private void load(long pa) {
        if (!caches) {
            cycles += 300;
        } else if (line(c1, 4, 255, pa)) {
            cycles += 4;
        } else if (line(c2, 8, 2047, pa)) {
            cycles += 11;
        } else if (line(c3, 16, 8191, pa)) {
            cycles += 35;
        } else {
            cycles += 300;
        }
    }

    private void front(int w) {
        int f = lruNext[E1];
        lruNext[w] = f;
        lruPrev[f] = w;
        lruPrev[w] = E1;
        lruNext[E1] = w;
    }

    private long access(long va) {
        long key = (va >>> 12) + 1;
        int h = hash(key) & (H1 - 1);
        for (int e = head1[h]; e != 0; e = next1[e - 1]) {
            if (k1[e - 1] == key) {
                int w = e - 1;
                if (lruNext[E1] != w) {
                    lruNext[lruPrev[w]] = lruNext[w];
                    lruPrev[lruNext[w]] = lruPrev[w];
                    front(w);
                }
                return v1[w] + (va & 4095);
            }
        }
        int base = (int) ((va >>> 12) & (S2 - 1)) * W2;
        long pa = -1;
        for (int i = base; i < base + W2; i++) {
            if (k2[i] == key) {
                st2[i] = ++clock;
                pa = v2[i];
                break;
            }
        }
        if (pa < 0) {
            int i0 = (int) ((va >>> 39) & 511);
            load(0xf000_0000_0000L + i0 * 8L);
            int i1 = (int) ((va >>> 30) & 511);
            load(0xf000_0000_1000L + i1 * 8L);
            int i2 = (int) ((va >>> 21) & 511);
            load(0xf000_0000_2000L + i2 * 8L);
            int slot = (int) (upper[1024 + i2] + upper[i0] + upper[512 + i1]);
            int i3 = (int) ((va >>> 12) & 511);
            load(0xf000_0000_3000L + ((long) slot << 12) + i3 * 8L);
            pa = runFirst[slot] + i3 * runStep[slot];
            int victim = base;
            long best = Long.MAX_VALUE;
            for (int i = base; i < base + W2; i++) {
                if (k2[i] == 0) {
                    victim = i;
                    break;
                }
                if (st2[i] < best) {
                    best = st2[i];
                    victim = i;
                }
            }
            k2[victim] = key;
            v2[victim] = pa;
            st2[victim] = ++clock;
        }
        int w;
        if (nfree1 == 0) {
            w = lruPrev[E1];
            lruNext[lruPrev[w]] = lruNext[w];
            lruPrev[lruNext[w]] = lruPrev[w];
            int e = head1[bkt1[w]];
            if (e == w + 1) {
                head1[bkt1[w]] = next1[w];
            } else {
                while (next1[e - 1] != w + 1) {
                    e = next1[e - 1];
                }
                next1[e - 1] = next1[w];
            }
        } else {
            w = free1[--nfree1];
        }
        k1[w] = key;
        v1[w] = pa;
        bkt1[w] = h;
        next1[w] = head1[h];
        head1[h] = w + 1;
        front(w);
        return pa + (va & 4095);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long missDominatedFloor() {
        long s = 0;
        long[] v = vas;
        for (int i = 0; i < N; i++) {
            s += access(v[i]);
        }
        return s + cycles;
    }
}

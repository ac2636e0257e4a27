package org.ptlab.source;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.Consumer;
import org.ptlab.arch.MapSize;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.VmStruct;

/**
 * Generators that drive a kernel's linear map over a long modelled time, interleaved by an event
 * queue: module load / unload churn, BPF JIT programs, execmem ROX cache allocations (2M huge
 * chunks made ROX; each allocation turns its sub-range RW, "copies", and turns it back to ROX),
 * secretmem (memfd_secret) pages, KFENCE-like single-page invalidations, and, under
 * collapse=background, the collapse scanner. Physical placement is scattered (see
 * {@code PageAlloc.spread}) as in a long-running system. Samples of the linear map are taken at
 * regular intervals ({@link Sample}).
 */
public final class MixedWorkload {
    private final Kernel k;
    private final Driver d;
    private final WorkloadSettings s;
    private final Random r;
    private final long ps;
    private final PriorityQueue<Ev> queue = new PriorityQueue<>((a, b) -> Double.compare(a.t, b.t));
    private long seq;
    private double now;
    /** Operations made so far (loads, frees, allocations, scans). */
    public long operations;
    public final List<Sample> samples = new ArrayList<>();
    private final List<Chunk> cache = new ArrayList<>();
    private final long chunkSize;
    private final int chunkOrder;

    /** A point of the run: time in hours, DirectMap bytes by kind, page-table bytes, TLB entries. */
    public record Sample(double hours, long[] directMap, long tableBytes, long tlbEntries, long operations) {
        public long mappedBytes() {
            long t = 0;
            for (long b : directMap) {
                t += b;
            }
            return t;
        }

        /** Fraction of the linear map mapped by each kind. */
        public double fraction(MapSize m) {
            long t = mappedBytes();
            return t == 0 ? 0 : (double) directMap[m.ordinal()] / t;
        }
    }

    private record Ev(double t, long seq, Runnable action) {}

    /** A 2M chunk of the execmem ROX cache and which of its pages are handed out. */
    private static final class Chunk {
        final VmStruct area;
        final BitSet used = new BitSet();

        Chunk(VmStruct area) {
            this.area = area;
        }
    }

    public MixedWorkload(Kernel k, Driver d, WorkloadSettings s) {
        this.k = k;
        this.d = d;
        this.s = s;
        this.r = new Random(s.seed());
        this.ps = k.geo.pageSize;
        long pmd = k.geo.entrySize(2);
        this.chunkSize = pmd <= (32L << 20) ? pmd : k.geo.contPteSize;
        this.chunkOrder = Long.numberOfTrailingZeros(chunkSize) - k.geo.pageShift;
        k.pageAlloc.spread(new Random(s.seed() * 31 + 7));
    }

    private void at(double t, Runnable a) {
        if (t <= s.hours()) {
            queue.add(new Ev(t, seq++, a));
        }
    }

    private double exp(double mean) {
        return -mean * Math.log(1 - r.nextDouble());
    }

    /** Arrivals at a rate per hour, each running action. */
    private void poisson(double rate, Runnable action) {
        if (rate <= 0) {
            return;
        }
        Runnable[] self = new Runnable[1];
        self[0] = () -> {
            action.run();
            at(now + exp(1 / rate), self[0]);
        };
        at(exp(1 / rate), self[0]);
    }

    /** Run the whole workload; progress gets the fraction done after each sample. */
    public void run(Consumer<Double> progress) {
        poisson(s.moduleRate(), this::moduleLoad);
        poisson(s.bpfRate(), this::bpfProgram);
        poisson(s.execmemRate(), this::execmemAlloc);
        poisson(s.secretRate(), this::secretmem);
        poisson(s.kfenceRate(), this::kfence);
        if (k.collapse.policy.hasDaemon()) {
            double dt = s.scanSeconds() / 3600;
            Runnable[] scan = new Runnable[1];
            scan[0] = () -> {
                k.collapse.scan(s.scanBytes());
                operations++;
                at(now + dt, scan[0]);
            };
            at(dt, scan[0]);
        }
        double step = s.hours() / s.samples();
        sample();
        for (int i = 1; i <= s.samples(); i++) {
            double until = i == s.samples() ? s.hours() : step * i;
            while (!queue.isEmpty() && queue.peek().t <= until) {
                Ev e = queue.poll();
                now = e.t;
                e.action.run();
            }
            now = until;
            sample();
            if (progress != null) {
                progress.accept((double) i / s.samples());
            }
        }
    }

    public void sample() {
        long[] dm = k.directMapBytes();
        long tlb = 0;
        for (MapSize m : k.geo.mapSizes()) {
            tlb += dm[m.ordinal()] / k.geo.size(m);
        }
        samples.add(new Sample(now, dm, k.linearTableBytes(), tlb, operations));
    }

    private long pages(long maxBytes) {
        long max = Math.max(1, maxBytes / ps);
        return 1 + (long) (r.nextDouble() * max);
    }

    // ------------------------------------------------------------------ generators

    private void moduleLoad() {
        operations++;
        String name = "mod" + seq;
        long[] sizes = {pages(s.moduleTextMax()) * ps, pages(s.moduleTextMax() / 4) * ps, pages(s.moduleTextMax() / 8) * ps, ps};
        String[] parts = {"text", "rodata", "data", "ro_after_init"};
        List<VmStruct> areas = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            VmStruct a = d.vmalloc(sizes[i], VmStruct.VM_FLUSH_RESET_PERMS, 0, true, name + "." + parts[i]);
            if (a == null) {
                break;
            }
            areas.add(a);
            switch (parts[i]) {
                case "text": d.setMemory("rox", a, 0, a.nrPages); break;
                case "data": d.setMemory("nx", a, 0, a.nrPages); break;
                default: d.setMemory("ro", a, 0, a.nrPages); break;
            }
        }
        at(now + exp(s.moduleLife()), () -> {
            operations++;
            for (VmStruct a : areas) {
                d.vfree(a);
            }
        });
    }

    private void bpfProgram() {
        operations++;
        VmStruct a = d.vmalloc(pages(4 * ps) * ps, VmStruct.VM_FLUSH_RESET_PERMS, 0, true, "bpf" + seq);
        if (a == null) {
            return;
        }
        d.setMemory("rox", a, 0, a.nrPages);
        at(now + exp(s.bpfLife()), () -> {
            operations++;
            d.vfree(a);
        });
    }

    /** execmem_alloc() from the ROX cache: find room in a chunk (or add a chunk), RW, copy, ROX. */
    private void execmemAlloc() {
        operations++;
        int n = (int) Math.min(chunkSize / ps, pages(s.execmemMax()));
        Chunk c = null;
        int at = -1;
        for (Chunk x : cache) {
            at = findRun(x.used, n, (int) (chunkSize / ps));
            if (at >= 0) {
                c = x;
                break;
            }
        }
        if (c == null) {
            VmStruct a = d.vmalloc(chunkSize, VmStruct.VM_ALLOW_HUGE_VMAP | VmStruct.VM_FLUSH_RESET_PERMS, chunkOrder, true, "execmem-cache");
            if (a == null) {
                return;
            }
            // execmem_cache_populate: the new chunk is filled with trapping instructions and made ROX
            if (d.setMemory("rox", a, 0, a.nrPages) != 0) {
                d.vfree(a);
                return;
            }
            c = new Chunk(a);
            cache.add(c);
            at = 0;
        }
        Chunk chunk = c;
        int off = at;
        chunk.used.set(off, off + n);
        // the text is copied in through a writable window, then the range is ROX again
        d.setMemory("rw", chunk.area, off, n);
        d.setMemory("rox", chunk.area, off, n);
        at(now + exp(s.execmemLife()), () -> {
            operations++;
            chunk.used.clear(off, off + n);
            if (chunk.used.isEmpty() && cache.size() > 1) {
                cache.remove(chunk);
                d.vfree(chunk.area);
            }
        });
    }

    private static int findRun(BitSet used, int n, int total) {
        int i = used.nextClearBit(0);
        while (i + n <= total) {
            int next = used.nextSetBit(i);
            if (next < 0 || next >= i + n) {
                return i;
            }
            i = used.nextClearBit(next);
        }
        return -1;
    }

    private void secretmem() {
        operations++;
        int n = 1 + r.nextInt(s.secretPages());
        long[] pas = new long[n];
        int got = 0;
        for (int i = 0; i < n; i++) {
            long pa = k.pageAlloc.allocPages(0);
            if (pa < 0) {
                break;
            }
            pas[got++] = pa;
            d.directMapInvalid(pa, 1);
        }
        int m = got;
        at(now + exp(s.secretLife()), () -> {
            operations++;
            for (int i = 0; i < m; i++) {
                d.directMapDefault(pas[i], 1);
                k.pageAlloc.freePages(pas[i], 0);
            }
        });
    }

    private void kfence() {
        operations++;
        long pa = k.pageAlloc.allocPages(0);
        if (pa < 0) {
            return;
        }
        d.setValid(pa, 1, false);
        at(now + exp(s.kfenceLife()), () -> {
            operations++;
            d.setValid(pa, 1, true);
            k.pageAlloc.freePages(pa, 0);
        });
    }

    public double now() {
        return now;
    }
}

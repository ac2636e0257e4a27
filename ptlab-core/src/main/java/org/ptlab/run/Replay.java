package org.ptlab.run;

import java.io.IOException;
import org.ptlab.hw.HwModel;
import org.ptlab.hw.HwStats;
import org.ptlab.source.AccessTrace;

/**
 * Replays an access trace on one modelled CPU: each access's VA is placed in the target (a base for
 * generated offsets, or an {@link AddressMapper} for recorded traces) and run through
 * {@link HwModel#replay}. Batches of 4096 in reused arrays: nothing is allocated per access.
 */
public final class Replay {
    private Replay() {}

    /** Where a trace address lands in the modelled address space. */
    public interface Placement {
        long place(long va);
    }

    /** Offsets into a region at base. */
    public static Placement at(long base) {
        return va -> base + va;
    }

    /** Recorded VAs packed into a target by chunks. */
    public static Placement mapped(AddressMapper m) {
        return m::map;
    }

    /**
     * What the operating system does when a replayed access faults: fix the tables and return true
     * (the access is then retried once, as the CPU re-executes the faulting instruction, and counted
     * again), or return false (the fault stands).
     */
    public interface FaultHandler {
        boolean fault(long va, int type);
    }

    /**
     * Replay up to limit accesses (limit < 0: all) of a trace; returns the number replayed. The
     * trace's instruction count, if any, is added to the CPU's counters.
     */
    public static long run(HwModel hw, int cpu, AccessTrace trace, Placement where, long limit) throws IOException {
        return run(hw, cpu, trace, where, limit, null);
    }

    /** As {@link #run(HwModel, int, AccessTrace, Placement, long)}, with faults served by onFault (may be null). */
    public static long run(HwModel hw, int cpu, AccessTrace trace, Placement where, long limit, FaultHandler onFault) throws IOException {
        long[] va = new long[4096];
        byte[] ty = new byte[4096];
        long done = 0;
        long ins0 = trace.instructions();
        long left = limit < 0 ? Long.MAX_VALUE : limit;
        while (left > 0) {
            int n = trace.next(va, ty, (int) Math.min(va.length, left));
            if (n == 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                va[i] = where.place(va[i]);
            }
            for (int i = 0; i < n; i++) {
                i = hw.replay(cpu, va, ty, HwModel.LOAD, i, n);
                if (i < n && onFault != null && onFault.fault(va[i], ty[i])) {
                    hw.access(cpu, va[i], ty[i]);
                }
            }
            done += n;
            left -= n;
        }
        HwStats s = hw.cpu(cpu).stats;
        s.instructions += trace.instructions() - ins0;
        return done;
    }
}

package org.ptlab.explore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.kernel.KernelBug;
import org.ptlab.pgtable.Barrier;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.PgtableObserver;

/**
 * Which descriptor writes the hardware walkers are guaranteed to see (reference section 5, model
 * rule; invariant 14). A store that makes a descriptor valid is seen by other CPUs' walkers only
 * after the writing CPU's next {@code dsb} (ishst or ish), and by the writing CPU's own
 * instruction stream only after that {@code dsb} and an {@code isb} (else a speculatively cached
 * "invalid" result may fault). An access through a VA whose walk depends on such a write before
 * then is a hazard: the spurious fault of seed 002 ("BANG").
 */
public final class Visibility implements PgtableObserver {
    /** A valid-making write: slot address, writer, whether a dsb has followed it. */
    private static final class Pending {
        final long slot;
        final int cpu;
        boolean dsbDone;

        Pending(long slot, int cpu) {
            this.slot = slot;
            this.cpu = cpu;
        }
    }

    private final Pgtable pg;
    private final Geometry geo;
    /** Slot -> its latest valid-making write not yet visible everywhere. */
    private final Map<Long, Pending> pending = new HashMap<>();
    /** Per writer CPU: writes not yet followed by a dsb; writes past a dsb awaiting an isb. */
    @SuppressWarnings("unchecked")
    private final List<Pending>[] noDsb = new List[8];
    @SuppressWarnings("unchecked")
    private final List<Pending>[] noIsb = new List[8];
    private String hazard;
    /** Table pages allocated but not yet linked (their entries were never reachable). */
    private java.util.Set<Long> unpublished = java.util.Set.of();

    void setUnpublished(java.util.Set<Long> s) {
        this.unpublished = s;
    }

    Visibility(Pgtable pg) {
        this.pg = pg;
        this.geo = pg.geo;
        for (int i = 0; i < 8; i++) {
            noDsb[i] = new ArrayList<>();
            noIsb[i] = new ArrayList<>();
        }
    }

    /** Explorer: told the address of every descriptor slot a walk reads (its footprint), or null. */
    java.util.function.LongConsumer walkHook;

    /**
     * The slots of CPU {@code cpu}'s valid-making writes awaiting its dsb or isb: what a barrier
     * of that CPU reads and updates. Only that CPU adds to these lists and only its barriers
     * empty them, so an empty answer depends on that CPU's own history alone.
     */
    void outstandingSlots(int cpu, java.util.function.LongConsumer to) {
        for (Pending p : noDsb[cpu]) {
            to.accept(p.slot);
        }
        for (Pending p : noIsb[cpu]) {
            to.accept(p.slot);
        }
    }

    /** The first hazard seen, or null. */
    public String hazard() {
        return hazard;
    }

    @Override
    public void onWrite(int cpu, long tablePa, int level, int idx, long old, long val) {
        if (!unpublished.isEmpty() && unpublished.contains(tablePa)) {
            return; // never reachable while invalid: no stale translation can exist
        }
        long slot = tablePa + ((long) idx << 3);
        if (!pending.isEmpty()) {
            pending.remove(slot);
        }
        if (!Desc.valid(old) && Desc.valid(val)) {
            Pending p = new Pending(slot, cpu);
            pending.put(slot, p);
            noDsb[cpu].add(p);
        }
    }

    @Override
    public void onBarrier(int cpu, Barrier b) {
        if (pending.isEmpty()) {
            return;
        }
        if (b == Barrier.ISB) {
            for (Pending p : noIsb[cpu]) {
                if (pending.get(p.slot) == p) {
                    pending.remove(p.slot);
                }
            }
            noIsb[cpu].clear();
        } else {
            for (Pending p : noDsb[cpu]) {
                if (pending.get(p.slot) == p) {
                    p.dsbDone = true;
                    noIsb[cpu].add(p);
                }
            }
            noDsb[cpu].clear();
        }
    }

    /**
     * The walk CPU {@code cpu} does for an access to {@code va}: faults if the translation is
     * invalid, records a hazard if it depends on a write not yet visible to that CPU.
     */
    void checkAccess(int cpu, long root, long va, String what) {
        long table = root;
        for (int level = geo.startLevel; level <= 3; level++) {
            int idx = geo.index(level, va);
            long d = pg.peek(table, idx);
            long slot = table + ((long) idx << 3);
            if (walkHook != null) {
                walkHook.accept(slot);
            }
            Pending p = pending.isEmpty() ? null : pending.get(slot);
            if (p != null) {
                if (!p.dsbDone || p.cpu == cpu) {
                    String msg = String.format(
                            "BANG: CPU%d %s 0x%x walks %s[%d] = %s, written valid by CPU%d with its %s still deferred (lazy MMU)",
                            cpu, what, va, geo.levelName(level), idx, Desc.describe(level, d), p.cpu,
                            p.dsbDone ? "isb" : "dsb ishst; isb");
                    if (hazard == null) {
                        hazard = msg;
                    }
                    throw new Hazard(msg);
                }
            }
            if (!Desc.valid(d)) {
                throw new KernelBug(String.format("CPU%d %s 0x%x: translation fault at %s[%d] = %s", cpu, what, va,
                        geo.levelName(level), idx, Desc.describe(level, d)));
            }
            if (level == 3 || Desc.isLeaf(level, d)) {
                return;
            }
            table = Pgtable.tablePa(d);
        }
    }

    /** A visibility hazard, raised on the accessing CPU. */
    public static final class Hazard extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Hazard(String msg) {
            super(msg, null, false, false);
        }
    }
}

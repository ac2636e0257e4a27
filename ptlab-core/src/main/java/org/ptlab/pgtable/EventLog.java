package org.ptlab.pgtable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The maintenance record: an observer that logs, compactly, what each kernel operation did to the
 * shared translation state: operation begin/end, TLBI instructions, barriers, table allocation and
 * freeing, locks, and (optionally) every descriptor write, in program order per modelled CPU. The
 * hardware model replays it ({@link #replay}) to check that the maintenance was sufficient; reports
 * use the per-operation counts ({@link #stats}).
 *
 * <p>Storage: five longs per event in one growable array (header = kind | cpu | small argument,
 * then four arguments); operation names are interned. With {@code limit} events stored, later
 * events are only counted ({@link #dropped}).
 */
public final class EventLog implements PgtableObserver {
    /** Event kinds. */
    public enum Kind { OP_BEGIN, OP_END, TLBI, BARRIER, ALLOC, FREE, WRITE, WRITE_RUN, LOCK, UNLOCK }

    private static final Kind[] KINDS = Kind.values();
    private static final Tlbi[] TLBIS = Tlbi.values();
    private static final Barrier[] BARRIERS = Barrier.values();

    /** One decoded event. Fields a..d by kind: see {@link EventLog#get}. */
    public record Event(Kind kind, int cpu, int arg, long a, long b, long c, long d) {}

    /** Counts of what one operation (all its calls, including nested operations) did. */
    public static final class OpStats {
        public long calls;
        public long tlbi;
        /** Pages covered by TLBIs (a range TLBI counts its pages; VMALLE1IS counts 0). */
        public long tlbiPages;
        public long tlbiAll;
        public final long[] barriers = new long[BARRIERS.length];
        public long allocs;
        public long frees;
        public long writes;

        @Override
        public String toString() {
            return String.format("calls %d, TLBI %d (%d pages, %d all), DSB ISHST %d, DSB ISH %d, ISB %d, tables +%d -%d, writes %d",
                    calls, tlbi, tlbiPages, tlbiAll, barriers[Barrier.DSB_ISHST.ordinal()], barriers[Barrier.DSB_ISH.ordinal()],
                    barriers[Barrier.ISB.ordinal()], allocs, frees, writes);
        }
    }

    private final boolean recordWrites;
    private final long limit;
    private long[] buf = new long[5 * 1024];
    private int n;
    private long dropped;
    private final List<String> names = new ArrayList<>();
    private final Map<String, Integer> nameIds = new HashMap<>();
    private final Map<String, OpStats> stats = new LinkedHashMap<>();
    /** Op names are mostly literals: identity lookups first. */
    private final java.util.IdentityHashMap<String, OpStats> byIdentity = new java.util.IdentityHashMap<>();
    private final java.util.IdentityHashMap<String, Integer> idByIdentity = new java.util.IdentityHashMap<>();
    /** Per CPU: stack of open operations' stats. */
    @SuppressWarnings("unchecked")
    private ArrayList<OpStats>[] open = new ArrayList[4];
    private final List<KLock> locks = new ArrayList<>();

    /**
     * @param recordWrites also log every descriptor write (needed to replay into a hardware model)
     * @param limit maximum number of events stored (counts continue beyond it)
     */
    public EventLog(boolean recordWrites, long limit) {
        this.recordWrites = recordWrites;
        this.limit = limit;
    }

    public EventLog() {
        this(false, 1 << 24);
    }


    public int size() {
        return n;
    }

    public long dropped() {
        return dropped;
    }

    public void clear() {
        n = 0;
        dropped = 0;
        stats.clear();
        byIdentity.clear();
        open = new ArrayList[4];
    }

    /** Per-operation counts, in order of first appearance. */
    public Map<String, OpStats> stats() {
        return stats;
    }

    public String name(int id) {
        return names.get(id);
    }

    private int intern(String s) {
        Integer fast = idByIdentity.get(s);
        if (fast != null) {
            return fast;
        }
        Integer id = nameIds.get(s);
        if (id == null) {
            id = names.size();
            names.add(s);
            nameIds.put(s, id);
        }
        idByIdentity.put(s, id);
        return id;
    }

    private void add(Kind k, int cpu, int arg, long a, long b, long c, long d) {
        if (n >= limit) {
            dropped++;
            return;
        }
        int i = n * 5;
        if (i + 5 > buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        buf[i] = (long) k.ordinal() << 56 | (long) (cpu & 0xffff) << 32 | (arg & 0xffffffffL);
        buf[i + 1] = a;
        buf[i + 2] = b;
        buf[i + 3] = c;
        buf[i + 4] = d;
        n++;
    }

    /**
     * Event i. OP_BEGIN/OP_END: arg = name id ({@link #name}), a, b = the operation's arguments.
     * TLBI: arg = {@link Tlbi} ordinal, a = va, b = pages, c = asid. BARRIER: arg = {@link Barrier}
     * ordinal. ALLOC/FREE: a = table PA, b = level, c = owner. WRITE: a = table PA, b = level << 32
     * | index, c = old, d = new. WRITE_RUN: a = table PA, b = level << 32 | from, c = count, d = first
     * value (the step is {@link #runStep}). LOCK/UNLOCK: arg = lock id.
     */
    public Event get(int i) {
        int j = i * 5;
        long h = buf[j];
        return new Event(KINDS[(int) (h >>> 56)], (int) ((h >>> 32) & 0xffff), (int) h, buf[j + 1], buf[j + 2], buf[j + 3], buf[j + 4]);
    }

    private final Map<Integer, Long> runSteps = new HashMap<>();

    /** The step of the WRITE_RUN event i. */
    public long runStep(int i) {
        return runSteps.getOrDefault(i, 0L);
    }

    public List<KLock> locks() {
        return locks;
    }

    /**
     * Re-dispatch the stored events, in order, to another observer (writes only if they were
     * recorded). Reads and counter updates are not logged and are not replayed.
     */
    public void replay(PgtableObserver o) {
        for (int i = 0; i < n; i++) {
            Event e = get(i);
            switch (e.kind()) {
                case OP_BEGIN: o.onOp(e.cpu(), names.get(e.arg()), e.a(), e.b(), true); break;
                case OP_END: o.onOp(e.cpu(), names.get(e.arg()), e.a(), e.b(), false); break;
                case TLBI: o.onTlbi(e.cpu(), TLBIS[e.arg()], e.a(), e.b(), (int) e.c()); break;
                case BARRIER: o.onBarrier(e.cpu(), BARRIERS[e.arg()]); break;
                case ALLOC: o.onTableAlloc(e.cpu(), e.a(), (int) e.b(), (int) e.c()); break;
                case FREE: o.onTableFree(e.cpu(), e.a(), (int) e.b(), (int) e.c()); break;
                case WRITE: o.onWrite(e.cpu(), e.a(), (int) (e.b() >>> 32), (int) e.b(), e.c(), e.d()); break;
                case WRITE_RUN: o.onWriteRun(e.cpu(), e.a(), (int) (e.b() >>> 32), (int) e.b(), (int) e.c(), e.d(), runStep(i)); break;
                case LOCK: o.onLock(e.cpu(), locks.get(e.arg()), true); break;
                default: o.onLock(e.cpu(), locks.get(e.arg()), false); break;
            }
        }
    }

    private ArrayList<OpStats> stack(int cpu) {
        if (cpu >= open.length) {
            open = Arrays.copyOf(open, cpu + 4);
        }
        ArrayList<OpStats> l = open[cpu];
        if (l == null) {
            l = open[cpu] = new ArrayList<>();
        }
        return l;
    }

    // ------------------------------------------------------------------ observer

    @Override
    public void onOp(int cpu, String name, long a0, long a1, boolean begin) {
        add(begin ? Kind.OP_BEGIN : Kind.OP_END, cpu, intern(name), a0, a1, 0, 0);
        ArrayList<OpStats> st = stack(cpu);
        if (begin) {
            OpStats s = byIdentity.get(name);
            if (s == null) {
                s = stats.computeIfAbsent(name, x -> new OpStats());
                byIdentity.put(name, s);
            }
            s.calls++;
            st.add(s);
        } else if (!st.isEmpty()) {
            st.remove(st.size() - 1);
        }
    }

    @Override
    public void onTlbi(int cpu, Tlbi op, long va, long pages, int asid) {
        add(Kind.TLBI, cpu, op.ordinal(), va, pages, asid, 0);
        for (OpStats s : stack(cpu)) {
            s.tlbi++;
            s.tlbiPages += op.byVa() ? pages : 0;
            s.tlbiAll += op.byVa() ? 0 : 1;
        }
    }

    @Override
    public void onBarrier(int cpu, Barrier b) {
        add(Kind.BARRIER, cpu, b.ordinal(), 0, 0, 0, 0);
        for (OpStats s : stack(cpu)) {
            s.barriers[b.ordinal()]++;
        }
    }

    @Override
    public void onTableAlloc(int cpu, long pa, int level, int owner) {
        add(Kind.ALLOC, cpu, 0, pa, level, owner, 0);
        for (OpStats s : stack(cpu)) {
            s.allocs++;
        }
    }

    @Override
    public void onTableFree(int cpu, long pa, int level, int owner) {
        add(Kind.FREE, cpu, 0, pa, level, owner, 0);
        for (OpStats s : stack(cpu)) {
            s.frees++;
        }
    }

    @Override
    public void onWrite(int cpu, long tablePa, int level, int idx, long old, long val) {
        if (recordWrites) {
            add(Kind.WRITE, cpu, 0, tablePa, (long) level << 32 | idx, old, val);
        }
        for (OpStats s : stack(cpu)) {
            s.writes++;
        }
    }

    @Override
    public void onWriteRun(int cpu, long tablePa, int level, int from, int count, long first, long step) {
        if (recordWrites) {
            if (step != 0) {
                runSteps.put(n, step);
            }
            add(Kind.WRITE_RUN, cpu, 0, tablePa, (long) level << 32 | from, count, first);
        }
        for (OpStats s : stack(cpu)) {
            s.writes += count;
        }
    }

    @Override
    public void onLock(int cpu, KLock lock, boolean acquire) {
        int id = locks.indexOf(lock);
        if (id < 0) {
            id = locks.size();
            locks.add(lock);
        }
        add(acquire ? Kind.LOCK : Kind.UNLOCK, cpu, id, 0, 0, 0, 0);
    }

    /** A per-operation report, one line per operation. */
    public String report() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, OpStats> e : stats.entrySet()) {
            b.append(String.format("%-32s %s%n", e.getKey(), e.getValue()));
        }
        return b.toString();
    }
}

package org.ptlab.report;

import java.util.HashMap;
import java.util.Map;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.MapSize;
import org.ptlab.pgtable.TableWalk;
import org.ptlab.kernel.Kernel;
import org.ptlab.pgtable.Barrier;
import org.ptlab.pgtable.EventLog;
import org.ptlab.pgtable.PgtableObserver;
import org.ptlab.pgtable.Tlbi;

/**
 * Records a run for the reports: attached to a booted kernel as a {@link PgtableObserver}, it counts
 * what the run does after boot (linear-map tables installed and freed, TLBIs, barriers, per-operation
 * counts through an {@link EventLog} that stores no events) and takes a {@link RunRecord.Snapshot}
 * whenever the driver says a step ended. With {@code snapshotTopLevelOps} every outermost kernel
 * operation (one replayed trace event) is a step of its own.
 */
public final class Recorder implements PgtableObserver {
    /** Runs of the final linear map kept at most (a pathological map is cut off, and says so). */
    public static final int MAX_MAP_RUNS = 100_000;

    private final Kernel k;
    private final RunRecord rec;
    private final EventLog ops = new EventLog(false, 0);
    private final boolean snapshotTopLevelOps;
    private final Map<Integer, Integer> depth = new HashMap<>();
    private long splits;
    private long collapses;
    private long tlbi;
    private long tlbiPages;
    private long tlbiAll;
    private long dsb;
    private long isb;
    private long step;
    private java.util.function.LongSupplier tlbMisses;

    public Recorder(Kernel k, String source, String label, boolean snapshotTopLevelOps) {
        this.k = k;
        this.snapshotTopLevelOps = snapshotTopLevelOps;
        this.rec = new RunRecord();
        rec.source = source;
        rec.label = label;
        Geometry g = k.geo;
        rec.config.put("kernel", k.cfg.summary());
        rec.config.put("memory", memory(k));
        rec.config.put("variants", variants(k));
        for (MapSize s : g.mapSizes()) {
            rec.sizeNames.add(g.directMapName(s));
            rec.sizeKinds.add(s.name());
        }
        rec.pageSize = g.pageSize;
        rec.linearStart = g.pageOffset;
        rec.linearEnd = g.pageEnd;
        snapshot("boot");
        k.pg.addObserver(this);
        k.pg.addObserver(ops);
    }

    private static String memory(Kernel k) {
        long total = 0;
        for (var r : k.mem.memory()) {
            total += r.end() - r.start();
        }
        return String.format("%d MiB RAM in %d range(s), PHYS_OFFSET 0x%x", total >> 20, k.mem.memory().size(), k.physOffset);
    }

    private static String variants(Kernel k) {
        StringBuilder b = new StringBuilder();
        for (String f : k.cfg.variants.registry().families().keySet()) {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(f).append('=').append(k.cfg.variants.get(f));
        }
        return b.toString();
    }

    /**
     * Attach a hardware model's TLB miss count (cumulative); snapshots record it from then on, and
     * the HTML report plots it. Without one, snapshots say -1 (not measured).
     */
    public void measureTlbMisses(java.util.function.LongSupplier misses) {
        this.tlbMisses = misses;
        if (rec.steps.size() == 1) {
            rec.steps.get(0).tlbMisses = misses.getAsLong();
        }
    }

    public RunRecord record() {
        return rec;
    }

    public Kernel kernel() {
        return k;
    }

    /** The number of steps snapshotted so far (boot is step 0). */
    public long steps() {
        return step;
    }

    /** Take a snapshot: the state after the step that just ended. */
    public RunRecord.Snapshot snapshot(String label) {
        return snapshot(label, Double.NaN);
    }

    /** Take a snapshot at x in the record's xUnit (NaN: at the step number). */
    public RunRecord.Snapshot snapshot(String label, double x) {
        RunRecord.Snapshot s = new RunRecord.Snapshot();
        s.step = rec.steps.isEmpty() ? 0 : ++step;
        s.x = Double.isNaN(x) ? s.step : x;
        s.label = label;
        MapSize[] sizes = k.geo.mapSizes();
        s.directMapKb = new long[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            s.directMapKb[i] = k.directMap.bytes(sizes[i]) >> 10;
        }
        s.linearTablePages = k.linearTablePages();
        s.tablePages = k.pg.livePages();
        s.splits = splits;
        s.collapses = collapses;
        s.tlbi = tlbi;
        s.tlbiPages = tlbiPages;
        s.tlbiAll = tlbiAll;
        s.dsb = dsb;
        s.isb = isb;
        s.tlbMisses = tlbMisses == null ? -1 : tlbMisses.getAsLong();
        rec.steps.add(s);
        return s;
    }

    /** Record the first violation (the run stops there). */
    public void violation(String where, String invariant, String message, java.util.List<String> interleaving,
            java.util.List<String> ptdump) {
        RunRecord.ViolationRecord v = new RunRecord.ViolationRecord();
        v.step = step;
        v.where = where;
        v.invariant = invariant;
        v.message = message;
        v.interleaving.addAll(interleaving);
        v.ptdump.addAll(ptdump);
        rec.violations.add(v);
        rec.status = 1;
    }

    /** Finish: per-operation counts, the final linear map, warnings. Detaches from the kernel. */
    public RunRecord finish() {
        k.pg.removeObserver(this);
        k.pg.removeObserver(ops);
        for (Map.Entry<String, EventLog.OpStats> e : ops.stats().entrySet()) {
            EventLog.OpStats s = e.getValue();
            RunRecord.OpCount c = new RunRecord.OpCount();
            c.name = e.getKey();
            c.calls = s.calls;
            c.tlbi = s.tlbi;
            c.tlbiPages = s.tlbiPages;
            c.tlbiAll = s.tlbiAll;
            c.dsbIshst = s.barriers[Barrier.DSB_ISHST.ordinal()];
            c.dsbIsh = s.barriers[Barrier.DSB_ISH.ordinal()];
            c.isb = s.barriers[Barrier.ISB.ordinal()];
            c.tablesAllocated = s.allocs;
            c.tablesFreed = s.frees;
            c.writes = s.writes;
            rec.ops.add(c);
        }
        scanLinearMap();
        rec.warnings.addAll(k.warnings.subList(0, Math.min(8, k.warnings.size())));
        rec.warnCount = k.warnCount;
        return rec;
    }

    private void scanLinearMap() {
        Geometry g = k.geo;
        TableWalk.walk(k.pg, k.swapper, g.pageOffset, g.pageEnd, new TableWalk.Visitor() {
            @Override
            public void hole(long va, long size, int level) {
                add(va, va + size, "none", "");
            }

            @Override
            public void leaf(long va, int level, long desc, long table, int idx) {
                String state = !Desc.valid(desc) ? "invalid" : Desc.rdonly(desc) ? "ro" : "rw";
                add(va, va + g.entrySize(level), MapSize.of(level, Desc.cont(desc)).name(), state);
            }
        });
    }

    private void add(long start, long end, String size, String state) {
        var l = rec.linearMap;
        if (!l.isEmpty()) {
            RunRecord.MapRun last = l.get(l.size() - 1);
            if (last.end == start && last.size.equals(size) && last.state.equals(state)) {
                last.end = end;
                return;
            }
        }
        if (l.size() >= MAX_MAP_RUNS) {
            rec.linearMapTruncated = true;
            return;
        }
        RunRecord.MapRun r = new RunRecord.MapRun();
        r.start = start;
        r.end = end;
        r.size = size;
        r.state = state;
        l.add(r);
    }

    // ------------------------------------------------------------------ observer

    @Override
    public void onOp(int cpu, String name, long a0, long a1, boolean begin) {
        int d = depth.getOrDefault(cpu, 0) + (begin ? 1 : -1);
        depth.put(cpu, Math.max(0, d));
        if (!begin && d == 0 && snapshotTopLevelOps) {
            snapshot(String.format("%s 0x%x-0x%x", name, a0, a1));
        }
    }

    @Override
    public void onTableAlloc(int cpu, long pa, int level, int owner) {
        if (owner == k.linearOwner) {
            splits++;
        }
    }

    @Override
    public void onTableFree(int cpu, long pa, int level, int owner) {
        if (owner == k.linearOwner) {
            collapses++;
        }
    }

    @Override
    public void onTlbi(int cpu, Tlbi op, long va, long pages, int asid) {
        tlbi++;
        if (op.byVa()) {
            tlbiPages += pages;
        } else {
            tlbiAll++;
        }
    }

    @Override
    public void onBarrier(int cpu, Barrier b) {
        if (b == Barrier.ISB) {
            isb++;
        } else if (b == Barrier.DSB_ISH) {
            dsb++;
        }
    }
}

package org.ptlab.explore;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.pgtable.Barrier;
import org.ptlab.pgtable.KLock;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.PgtableObserver;
import org.ptlab.pgtable.Sched;
import org.ptlab.pgtable.Tlbi;

/**
 * Records an execution as a readable interleaving in kernel terms: one line per shared access,
 * prefixed with the CPU and the kernel operation it is in (from the {@code pg.op} markers), the
 * descriptor decoded with {@link Desc#describe}; the filling of a not yet published table is
 * summarised in one line.
 */
final class TraceRecorder implements PgtableObserver {
    private final List<String> lines = new ArrayList<>();
    private World w;
    private Pgtable pg;
    private Geometry geo;
    private Set<Long> privateTables;
    private final List<List<String>> opStack = new ArrayList<>();
    private final String[] scenarioOp = new String[8];
    private int lastCpu = -1;
    private int events;
    private final int[] fill = new int[8];
    private final long[] fillTable = new long[8];

    void attach(World world, Set<Long> priv) {
        this.w = world;
        this.pg = world.pg;
        this.geo = world.geo;
        this.privateTables = priv;
        for (int i = 0; i < 8; i++) {
            opStack.add(new ArrayList<>());
        }
        pg.addObserver(this);
    }

    List<String> lines() {
        return lines;
    }

    /** Close the trace with the violation the execution ended in. */
    void end(String kind, String violation) {
        flushPending();
        if (violation != null) {
            lines.add(String.format("%4d  ==> VIOLATION %s: %s", ++events, kind, violation));
        }
    }

    void opStart(int cpu, String text) {
        scenarioOp[cpu] = text;
        flushPending();
        switchLine(cpu);
        lines.add(String.format("%4d  CPU%d  %s", ++events, cpu, text));
    }

    private void switchLine(int cpu) {
        if (lastCpu >= 0 && cpu != lastCpu) {
            lines.add("      ---- CPU" + lastCpu + " -> CPU" + cpu + " ----");
        }
        lastCpu = cpu;
    }

    // a read not yet printed (it may be the first half of an update), and a run of updates
    private int readCpu = -1;
    private long readTable;
    private int readLevel;
    private int readIdx;
    private long readVal;
    /** First index of the pending read run [readFirst..readIdx] and the first value read. */
    private int readFirst;
    private long readFirstVal;
    private int runCpu = -1;
    private long runTable;
    private int runLevel;
    private int runFirst;
    private int runLast;
    private long runXor;
    private long runOld;
    private long runNew;
    private final long[][] counterRead = new long[8][64];

    private void flushPending() {
        if (runCpu >= 0) {
            int c = runCpu;
            runCpu = -1;
            if (runFirst == runLast) {
                line(c, "update " + slot(runTable, runLevel, runFirst) + ": " + Desc.describe(runLevel, runOld) + " -> "
                        + Desc.describe(runLevel, runNew));
            } else {
                line(c, String.format("update %s[%d..%d]@0x%x: %s (%d entries; %s[%d] now %s)", geo.levelName(runLevel), runFirst, runLast,
                        runTable, bits(runXor, runNew), runLast - runFirst + 1, geo.levelName(runLevel), runFirst,
                        Desc.describe(runLevel, runNew)));
            }
        }
        if (readCpu >= 0) {
            int c = readCpu;
            readCpu = -1;
            if (readFirst == readIdx) {
                line(c, "read  " + slot(readTable, readLevel, readIdx) + " = " + Desc.describe(readLevel, readVal));
            } else {
                line(c, String.format("read  %s[%d..%d]@0x%x (%d entries; %s[%d] = %s; %s[%d] = %s)", geo.levelName(readLevel), readFirst,
                        readIdx, readTable, readIdx - readFirst + 1, geo.levelName(readLevel), readFirst, Desc.describe(readLevel, readFirstVal),
                        geo.levelName(readLevel), readIdx, Desc.describe(readLevel, readVal)));
            }
        }
    }

    private static String bits(long xor, long nu) {
        StringBuilder b = new StringBuilder();
        long[] m = {Desc.CONT, Desc.VALID, Desc.RDONLY, Desc.WRITE, Desc.PRESENT_INVALID, Desc.PXN, Desc.UXN};
        String[] n = {"CONT", "VALID", "RDONLY", "DBM/WRITE", "nG/PRESENT_INVALID", "PXN", "UXN"};
        long rest = xor;
        for (int i = 0; i < m.length; i++) {
            if ((xor & m[i]) != 0) {
                b.append(b.length() == 0 ? "" : ", ").append(n[i]).append((nu & m[i]) != 0 ? " set" : " cleared");
                rest &= ~m[i];
            }
        }
        if (rest != 0) {
            b.append(b.length() == 0 ? "" : ", ").append(String.format("bits 0x%x changed", rest));
        }
        return b.length() == 0 ? "rewritten unchanged" : b.toString();
    }

    private void line(int cpu, String what) {
        switchLine(cpu);
        lines.add(String.format("%4d  CPU%d  %-28s %s", ++events, cpu, where(cpu), what));
    }

    private String where(int cpu) {
        List<String> s = opStack.get(cpu);
        return s.isEmpty() ? (scenarioOp[cpu] == null ? "" : scenarioOp[cpu]) : s.get(s.size() - 1);
    }

    private void emit(int cpu, String what) {
        flushPending();
        flushFill(cpu);
        line(cpu, what);
    }

    private void flushFill(int cpu) {
        if (fill[cpu] > 0) {
            int c = fill[cpu];
            fill[cpu] = 0;
            emit(cpu, String.format("fill %d entries of new %s table 0x%x (unpublished, not scheduling points)", c,
                    geo.levelName(pg.levelOf(fillTable[cpu])), fillTable[cpu]));
        }
    }

    void point(int cpu, Sched.Point kind, long addr) {
        if (kind == Sched.Point.COUNTER_READ) {
            int id = (int) addr;
            if (id < 64) {
                counterRead[cpu][id] = pg.counterValue(id);
            }
            emit(cpu, String.format("read  %s = %d kB", pg.counterName(id), pg.counterValue(id) >> 10));
        } else if (kind == Sched.Point.TRANSLATE) {
            emit(cpu, String.format("access 0x%x through the walker", addr));
        }
    }

    void blocked(int cpu, KLock l) {
        emit(cpu, "blocks on " + l.name + " (held by CPU" + l.holder() + ")");
    }

    private long store(long table, int idx) {
        return pg.isLiveTable(table) ? pg.peek(table, idx) : 0;
    }

    private String slot(long table, int level, int idx) {
        return String.format("%s[%d]@0x%x", geo.levelName(level), idx, table);
    }

    @Override
    public void onRead(int cpu, long tablePa, int level, int idx, long val) {
        if (readCpu == cpu && readTable == tablePa && idx == readIdx + 1 && (runCpu < 0 || runCpu == cpu)) {
            if (runCpu >= 0) {
                int keep = readCpu;
                readCpu = -1;
                flushPending();
                readCpu = keep;
            }
            readIdx = idx;
            readVal = val;
            return;
        }
        if (readCpu >= 0 || (runCpu >= 0 && runCpu != cpu)) {
            flushPending();
        }
        readFirst = idx;
        readFirstVal = val;
        flushFill(cpu);
        readCpu = cpu;
        readTable = tablePa;
        readLevel = level;
        readIdx = idx;
        readVal = val;
    }

    @Override
    public void onWrite(int cpu, long tablePa, int level, int idx, long old, long val) {
        if (privateTables.contains(tablePa)) {
            if (fill[cpu] == 0) {
                fillTable[cpu] = tablePa;
            }
            fill[cpu]++;
            return;
        }
        if (readCpu == cpu && readTable == tablePa && readIdx == idx) {
            if (readFirst != readIdx) {
                // a run of reads whose last one is the first half of this update
                int last = readIdx;
                readIdx = last - 1;
                readVal = store(tablePa, last - 1);
                flushPending();
            }
            readCpu = -1;
            long xor = old ^ val;
            if (runCpu == cpu && runTable == tablePa && runLevel == level && idx == runLast + 1 && xor == runXor) {
                runLast = idx;
                return;
            }
            flushPending();
            runCpu = cpu;
            runTable = tablePa;
            runLevel = level;
            runFirst = idx;
            runLast = idx;
            runXor = xor;
            runOld = old;
            runNew = val;
            return;
        }
        emit(cpu, "write " + slot(tablePa, level, idx) + " = " + Desc.describe(level, val) + "  (was " + Desc.describe(level, old) + ")");
    }

    @Override
    public void onTableAlloc(int cpu, long pa, int level, int owner) {
        emit(cpu, String.format("alloc %s table 0x%x", geo.levelName(level), pa));
    }

    @Override
    public void onTableFree(int cpu, long pa, int level, int owner) {
        emit(cpu, String.format("free  %s table 0x%x", geo.levelName(level), pa));
    }

    @Override
    public void onBarrier(int cpu, Barrier b) {
        emit(cpu, b.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
    }

    @Override
    public void onTlbi(int cpu, Tlbi op, long va, long pages, int asid) {
        emit(cpu, String.format("tlbi %s 0x%x x%d", op, va, pages));
    }

    @Override
    public void onCounter(int cpu, int id, long old, long val) {
        long read = id < 64 ? counterRead[cpu][id] : old;
        emit(cpu, String.format("write %s = %d kB%s", pg.counterName(id), val >> 10, read == old ? ""
                : String.format("   <-- LOST UPDATE: computed from the %d kB read earlier, but the counter held %d kB", read >> 10, old >> 10)));
    }

    @Override
    public void onLock(int cpu, KLock lock, boolean acquire) {
        emit(cpu, (acquire ? "lock   " : "unlock ") + lock.name);
    }

    @Override
    public void onOp(int cpu, String name, long a0, long a1, boolean begin) {
        List<String> s = opStack.get(cpu);
        if (begin) {
            s.add(name);
        } else if (!s.isEmpty()) {
            s.remove(s.size() - 1);
        }
    }
}

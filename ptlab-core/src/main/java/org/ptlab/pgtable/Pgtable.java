package org.ptlab.pgtable;

import java.util.Arrays;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;

/**
 * The accessor layer: the one way the model touches shared page-table state. Every descriptor read
 * ({@code READ_ONCE(*pXdp)}) and write ({@code WRITE_ONCE}), table allocation and free, counter
 * read-modify-write, lock, barrier and TLB maintenance goes through here, so observers (hardware
 * model, event log, statistics) see it and the explorer can schedule at it without touching the
 * algorithms, which stay plain sequential Java.
 *
 * <p>Tables are addressed by physical address. Table pages come from a modelled page-table page
 * pool at {@link #POOL_BASE}, distinct from modelled RAM, and are counted per owner (linear map,
 * vmalloc, a user mm, ...) and level. The allocator can be told to fail the Nth allocation, to
 * exercise -ENOMEM paths.
 *
 * <p>Threading: one modelled CPU runs at a time; {@link #cpu} names it.
 */
public final class Pgtable {
    /** Physical base of the modelled page-table page pool. */
    public static final long POOL_BASE = 0x0000_f000_0000_0000L;

    public final Geometry geo;
    private final TableStore store;
    private final int pageShift;
    private PgtableObserver[] observers = new PgtableObserver[0];
    private Sched sched;
    /** The modelled CPU currently executing. */
    public int cpu;

    private byte[] slotLevel = new byte[1024];
    private short[] slotOwner = new short[1024];
    private long[] slotAllocSeq = new long[1024];
    private final long[] ownerLevelPages = new long[64 * 8];
    private final String[] ownerNames = new String[64];
    private int owners;

    private long allocations;
    private long failAt = -1;
    private long failedAllocations;

    private long[] counters = new long[16];
    private final String[] counterNames = new String[64];
    private int nCounters;

    public Pgtable(Geometry geo, long expectedTables) {
        this.geo = geo;
        this.pageShift = geo.pageShift;
        this.store = new TableStore(geo.granule.tableBits(), expectedTables);
    }

    // ---------------------------------------------------------------- observers and scheduling

    public void addObserver(PgtableObserver o) {
        observers = Arrays.copyOf(observers, observers.length + 1);
        observers[observers.length - 1] = o;
    }

    public void removeObserver(PgtableObserver o) {
        observers = Arrays.stream(observers).filter(x -> x != o).toArray(PgtableObserver[]::new);
    }

    public void setSched(Sched s) {
        this.sched = s;
    }

    public Sched sched() {
        return sched;
    }

    // ---------------------------------------------------------------- owners

    /** Register an owner of table pages (e.g. "linear", "vmalloc", "mm 3"); returns its id. */
    public int owner(String name) {
        for (int i = 0; i < owners; i++) {
            if (ownerNames[i].equals(name)) {
                return i;
            }
        }
        if (owners == ownerNames.length) {
            throw new IllegalStateException("too many table owners");
        }
        ownerNames[owners] = name;
        return owners++;
    }

    public String ownerName(int id) {
        return ownerNames[id];
    }

    /** Table pages currently allocated by an owner at a level. */
    public long pages(int owner, int level) {
        return ownerLevelPages[owner * 8 + level + 1];
    }

    /** Table pages currently allocated by an owner, all levels. */
    public long pages(int owner) {
        long n = 0;
        for (int l = 0; l < 8; l++) {
            n += ownerLevelPages[owner * 8 + l];
        }
        return n;
    }

    /** Table pages allocated in total. */
    public int livePages() {
        return store.live();
    }

    public long heapBytes() {
        return store.heapBytes();
    }

    // ---------------------------------------------------------------- allocation

    /** Make the Nth allocation from now (1 = the next) fail; 0 or less disables. */
    public void failNthAllocation(long n) {
        failAt = n <= 0 ? -1 : allocations + n;
    }

    public long allocations() {
        return allocations;
    }

    public long failedAllocations() {
        return failedAllocations;
    }

    /**
     * Allocate a zeroed table page for a level ({@code pgtable_alloc}); returns its PA, or 0 (NULL)
     * when the fail-Nth switch fires.
     */
    public long allocTable(int level, int owner) {
        point(Sched.Point.ALLOC, 0);
        allocations++;
        if (allocations == failAt) {
            failAt = -1;
            failedAllocations++;
            return 0;
        }
        int slot = store.alloc();
        gen++;
        if (slot >= slotLevel.length) {
            int n = Math.max(slot + 1, slotLevel.length * 2);
            slotLevel = Arrays.copyOf(slotLevel, n);
            slotOwner = Arrays.copyOf(slotOwner, n);
            slotAllocSeq = Arrays.copyOf(slotAllocSeq, n);
        }
        slotLevel[slot] = (byte) level;
        slotOwner[slot] = (short) owner;
        slotAllocSeq[slot] = allocations;
        ownerLevelPages[owner * 8 + level + 1]++;
        long pa = POOL_BASE + ((long) slot << pageShift);
        for (PgtableObserver o : observers) {
            o.onTableAlloc(cpu, pa, level, owner);
        }
        return pa;
    }

    /** Free a table page ({@code pte_free_kernel}, {@code free_hotplug_pgtable_page}). */
    public void freeTable(long pa) {
        point(Sched.Point.FREE, pa);
        int slot = slot(pa);
        if (slotAllocSeq[slot] == 0) {
            throw new IllegalStateException("double free of table page 0x" + Long.toHexString(pa));
        }
        int level = slotLevel[slot];
        int owner = slotOwner[slot];
        slotAllocSeq[slot] = 0;
        ownerLevelPages[owner * 8 + level + 1]--;
        store.free(slot);
        gen++;
        for (PgtableObserver o : observers) {
            o.onTableFree(cpu, pa, level, owner);
        }
    }

    /** Whether a PA is a currently allocated table page. */
    public boolean isLiveTable(long pa) {
        long off = pa - POOL_BASE;
        if (off < 0 || (off & ((1L << pageShift) - 1)) != 0) {
            return false;
        }
        long s = off >>> pageShift;
        return s < slotAllocSeq.length && slotAllocSeq[(int) s] != 0;
    }

    /** Level a table page was allocated for. */
    public int levelOf(long tablePa) {
        return slotLevel[slot(tablePa)];
    }

    public int ownerOf(long tablePa) {
        return slotOwner[slot(tablePa)];
    }

    /** Dense index of a table page (for bitmaps in checkers). */
    public int slot(long tablePa) {
        return (int) ((tablePa - POOL_BASE) >>> pageShift);
    }

    /** Upper bound of slot indices handed out so far. */
    public int slotLimit() {
        return slotAllocSeq.length;
    }

    // ---------------------------------------------------------------- descriptors

    /**
     * Changes to table memory so far (descriptor writes and runs, table allocations and frees). A
     * reader that memoises what it read from the tables (the hardware model's walk memo) trusts
     * the memo only while this is unchanged. Single-threaded like the rest of the store.
     */
    private long gen;

    public long gen() {
        return gen;
    }

    /** {@code READ_ONCE(*(tablePa + idx))}. */
    public long read(long tablePa, int idx) {
        point(Sched.Point.READ, tablePa + ((long) idx << 3));
        int slot = slot(tablePa);
        long v = store.get(slot, idx);
        if (observers.length != 0) {
            int level = slotLevel[slot];
            for (PgtableObserver o : observers) {
                o.onRead(cpu, tablePa, level, idx, v);
            }
        }
        return v;
    }

    /** Read without notifying observers or scheduling: for checkers and dumps only. */
    public long peek(long tablePa, int idx) {
        return store.get(slot(tablePa), idx);
    }

    /** {@code WRITE_ONCE(*(tablePa + idx), val)} with no barrier (callers issue those). */
    public void write(long tablePa, int idx, long val) {
        point(Sched.Point.WRITE, tablePa + ((long) idx << 3));
        int slot = slot(tablePa);
        long old = store.get(slot, idx);
        store.set(slot, idx, val);
        gen++;
        if (observers.length != 0) {
            int level = slotLevel[slot];
            for (PgtableObserver o : observers) {
                o.onWrite(cpu, tablePa, level, idx, old, val);
            }
        }
    }

    /**
     * Initialise {@code count} entries that are all none with first, first+step, ... (the
     * {@code init_pte} loop over a new table). Callers guarantee the entries are none.
     */
    public void writeRun(long tablePa, int from, int count, long first, long step) {
        if (count <= 0) {
            return;
        }
        if (sched != null) {
            for (int i = 0; i < count; i++) {
                write(tablePa, from + i, first + step * i);
            }
            return;
        }
        int slot = slot(tablePa);
        store.fillRun(slot, from, count, first, step);
        gen++;
        if (observers.length != 0) {
            int level = slotLevel[slot];
            for (PgtableObserver o : observers) {
                o.onWriteRun(cpu, tablePa, level, from, count, first, step);
            }
        }
    }

    /**
     * Whether a table's entries currently form one arithmetic run (first + i * step), e.g. a PTE
     * table painted in one go; checkers and dumps use this to handle the table in O(1).
     */
    public boolean isRunTable(long tablePa) {
        return store.isRun(slot(tablePa));
    }

    /** First descriptor of a run table. */
    public long runFirst(long tablePa) {
        return store.runFirst(slot(tablePa));
    }

    /** Step between consecutive descriptors of a run table. */
    public long runStep(long tablePa) {
        return store.runStep(slot(tablePa));
    }

    /** Table pages whose entries are held explicitly (the rest are runs, held in 24 bytes). */
    public int materialisedPages() {
        return store.materialised();
    }

    /** Copy a table's entries out without observers (snapshots, checks). */
    public void copyTable(long tablePa, long[] dst) {
        store.copyOut(slot(tablePa), dst);
    }

    /** Table PA from a table descriptor. */
    public static long tablePa(long desc) {
        return desc & Desc.OA_MASK;
    }

    // ---------------------------------------------------------------- counters

    /** Register (or find) a shared counter word, e.g. a DirectMap bucket. */
    public int counter(String name) {
        for (int i = 0; i < nCounters; i++) {
            if (counterNames[i].equals(name)) {
                return i;
            }
        }
        if (nCounters == counterNames.length) {
            throw new IllegalStateException("too many counters");
        }
        if (nCounters == counters.length) {
            counters = Arrays.copyOf(counters, counters.length * 2);
        }
        counterNames[nCounters] = name;
        return nCounters++;
    }

    public String counterName(int id) {
        return counterNames[id];
    }

    public long counterValue(int id) {
        return counters[id];
    }

    /**
     * Non-atomic read-modify-write of a shared counter ({@code counter += delta}): a read and a
     * write, each a scheduling point, so concurrent updates can be lost exactly as in C.
     */
    public void counterAdd(int id, long delta) {
        point(Sched.Point.COUNTER_READ, id);
        long old = counters[id];
        point(Sched.Point.COUNTER_WRITE, id);
        long nu = old + delta;
        long was = counters[id];
        counters[id] = nu;
        for (PgtableObserver o : observers) {
            o.onCounter(cpu, id, was, nu);
        }
    }

    /** Set a counter outside any modelled operation (initialisation, snapshot restore). */
    public void counterSet(int id, long v) {
        counters[id] = v;
    }

    // ---------------------------------------------------------------- locks

    public void lock(KLock l) {
        point(Sched.Point.LOCK, 0);
        while (l.holder >= 0 && l.holder != cpu) {
            if (sched == null) {
                throw new IllegalStateException("CPU" + cpu + " would deadlock on " + l.name + " held by CPU" + l.holder);
            }
            sched.blockOn(cpu, l);
        }
        if (l.holder == cpu) {
            throw new IllegalStateException("CPU" + cpu + " recursive acquisition of " + l.name);
        }
        l.holder = cpu;
        for (PgtableObserver o : observers) {
            o.onLock(cpu, l, true);
        }
    }

    public void unlock(KLock l) {
        if (l.holder != cpu) {
            throw new IllegalStateException("CPU" + cpu + " releases " + l.name + " held by " + l.holder);
        }
        point(Sched.Point.UNLOCK, 0);
        l.holder = -1;
        for (PgtableObserver o : observers) {
            o.onLock(cpu, l, false);
        }
    }

    // ---------------------------------------------------------------- barriers and TLB maintenance

    public void barrier(Barrier b) {
        point(Sched.Point.BARRIER, 0);
        for (PgtableObserver o : observers) {
            o.onBarrier(cpu, b);
        }
    }

    public void dsbIshst() {
        barrier(Barrier.DSB_ISHST);
    }

    public void dsbIsh() {
        barrier(Barrier.DSB_ISH);
    }

    public void isb() {
        barrier(Barrier.ISB);
    }

    /** One TLBI instruction. */
    public void tlbi(Tlbi op, long va, long pages, int asid) {
        point(Sched.Point.TLBI, va);
        for (PgtableObserver o : observers) {
            o.onTlbi(cpu, op, va, pages, asid);
        }
    }

    /** Mark the start or end of a kernel operation for traces and hazard checks. */
    public void op(String name, long a0, long a1, boolean begin) {
        for (PgtableObserver o : observers) {
            o.onOp(cpu, name, a0, a1, begin);
        }
    }

    private void point(Sched.Point p, long addr) {
        if (sched != null) {
            sched.point(cpu, p, addr);
        }
    }
}

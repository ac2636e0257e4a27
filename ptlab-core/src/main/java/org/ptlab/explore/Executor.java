package org.ptlab.explore;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.ptlab.arch.Desc;
import org.ptlab.check.Invariants;
import org.ptlab.check.Violation;
import org.ptlab.kernel.KernelBug;
import org.ptlab.pgtable.KLock;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.PgtableObserver;
import org.ptlab.pgtable.Sched;

/**
 * Runs one execution of a scenario under a controlled schedule: a fresh {@link World}, each
 * modelled CPU's program on its own platform thread (threads are reused across executions), with
 * strict hand-off so that exactly one runs at a time. The scheduler is called at every
 * {@link Sched} point; there a {@link Chooser} decides which CPU performs its next shared access.
 *
 * <p>Accesses to a table page that its allocating CPU has not yet published (the child of a
 * split being filled) touch no shared state and are not scheduling points.
 */
final class Executor implements Sched, AutoCloseable {
    /** Decides at each scheduling node. */
    interface Chooser {
        /**
         * @param node index of this node in the execution
         * @param current the CPU that ran last and is still enabled, or -1
         * @param enabled bit mask of enabled CPUs (non-empty)
         * @return the CPU to run, or -1 to abandon the execution (sleep-set blocked, or beyond the
         *     preemption bound); the footprints of the events before {@code node} are complete
         *     in {@link Executor#run()} when this is called
         */
        int choose(int node, int current, int enabled);
    }

    /** What an execution did. */
    static final class Run {
        int[] choices = new int[64];
        int[] currents = new int[64];
        int[] enabled = new int[64];
        /**
         * Per node: the footprint of the event chosen there (what the chosen CPU's step touched
         * from that scheduling point to its next one; {@link Dpor} words), or null when not
         * recorded.
         */
        long[][] footprints = new long[64][];
        int width;
        int nodes;
        int steps;
        String violation;
        String violationKind;
        /** The chooser abandoned the execution (sleep-set blocked, or beyond the preemption bound). */
        boolean abandoned;

        void add(int current, int mask, int chosen) {
            if (nodes == choices.length) {
                choices = Arrays.copyOf(choices, nodes * 2);
                currents = Arrays.copyOf(currents, nodes * 2);
                enabled = Arrays.copyOf(enabled, nodes * 2);
                footprints = Arrays.copyOf(footprints, nodes * 2);
            }
            choices[nodes] = chosen;
            currents[nodes] = current;
            enabled[nodes] = mask;
            nodes++;
        }

        int[] schedule() {
            return Arrays.copyOf(choices, nodes);
        }

        int preemptions() {
            int p = 0;
            for (int i = 0; i < nodes; i++) {
                if (currents[i] >= 0 && choices[i] != currents[i]) {
                    p++;
                }
            }
            return p;
        }

        boolean failed() {
            return violation != null;
        }

        /** Ended before every CPU finished without a violation: failed or abandoned. */
        boolean stopped() {
            return violation != null || abandoned;
        }
    }

    /** Unwinds a CPU's program when its execution is abandoned. */
    private static final class Abort extends Error {
        private static final long serialVersionUID = 1L;

        Abort() {
            super(null, null, false, false);
        }
    }

    private static final Abort ABORT = new Abort();
    private static final int CONTROLLER = -1;

    private final int n;
    private final Thread[] threads;
    private final Thread controller;
    private final Runnable[] tasks;
    private volatile int turn = CONTROLLER;
    private volatile boolean shutdown;

    // per execution
    private ExploreScenario scenario;
    private World world;
    private org.ptlab.hw.HwModel hw;
    private Pgtable pg;
    private Chooser chooser;
    private Run run;
    private final boolean[] finished;
    private final KLock[] blocked;
    private final boolean[] started;
    /** Next access of each CPU: a Sched.Point ordinal, or START / DONE. */
    private final int[] pendingKind;
    private final long[] pendingAddr;
    static final int START = -1;
    static final int DONE = -2;
    private boolean aborting;
    private int maxSteps;
    private final Set<Long> privateTables = new HashSet<>();
    private long tableMask;
    private TraceRecorder trace;
    /** Record each event's footprint ({@link Dpor}) into the run. */
    private boolean recordFootprints;
    private long[] fpBuf = new long[64];
    private int fpLen;
    private final FootprintObserver footprint = new FootprintObserver();

    Executor(int cpus) {
        this.n = cpus;
        this.threads = new Thread[cpus];
        this.tasks = new Runnable[cpus];
        this.finished = new boolean[cpus];
        this.started = new boolean[cpus];
        this.pendingKind = new int[cpus];
        this.pendingAddr = new long[cpus];
        this.blocked = new KLock[cpus];
        this.controller = Thread.currentThread();
        threads[0] = controller;
        for (int i = 1; i < cpus; i++) {
            final int me = i;
            Thread t = new Thread(() -> workerLoop(me), "ptlab-cpu" + i);
            t.setDaemon(true);
            threads[i] = t;
            t.start();
        }
    }

    int cpus() {
        return n;
    }

    // ------------------------------------------------------------------ hand-off

    private void handTo(int next) {
        if (next >= 0 && pg != null) {
            pg.cpu = next;
        }
        started[next < 0 ? 0 : next] |= next >= 0;
        turn = next;
        LockSupport.unpark(next == CONTROLLER ? controller : threads[next]);
    }

    /**
     * Give control back to the controller: when CPU0 (whose program runs on the controller
     * thread) is in the middle of its program, wake it to unwind it first.
     */
    private void handToController() {
        if (started[0] && !finished[0]) {
            aborting = true;
            handTo(0);
        } else {
            handTo(CONTROLLER);
        }
    }

    private void runProgram(int me) {
        Runnable t = tasks[me];
        tasks[me] = null;
        try {
            t.run();
        } catch (Abort a) {
            // abandoned execution
        } catch (Visibility.Hazard h) {
            fail("hazard", h.getMessage());
        } catch (KernelBug b) {
            fail("kernel-bug", "CPU" + me + ": " + b.getMessage());
        } catch (Throwable e) {
            fail("exception", "CPU" + me + ": " + e);
        }
        cpuFinished(me);
    }

    private static final int SPIN = Integer.getInteger("ptlab.explore.spin", 0);

    private void waitTurn(int me) {
        for (int i = 0; i < SPIN && turn != me; i++) {
            Thread.onSpinWait();
        }
        while (turn != me) {
            LockSupport.park(this);
        }
    }

    /** The controller thread, which is also CPU0, waits for either role. */
    private int waitControllerOrCpu0() {
        int t;
        while ((t = turn) != CONTROLLER && t != 0) {
            LockSupport.park(this);
        }
        return t;
    }

    private void workerLoop(int me) {
        while (true) {
            waitTurn(me);
            if (shutdown) {
                return;
            }
            runProgram(me);
        }
    }

    @Override
    public void close() {
        shutdown = true;
        for (int i = 1; i < n; i++) {
            turn = i;
            LockSupport.unpark(threads[i]);
            try {
                threads[i].join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ------------------------------------------------------------------ one execution

    /** Execute the scenario once; trace may be null. */
    Run execute(ExploreScenario sc, Chooser ch, int stepLimit, TraceRecorder tr) {
        return execute(sc, ch, stepLimit, tr, false);
    }

    /** The execution in progress (or the last one). */
    Run run() {
        return run;
    }

    /** Execute the scenario once, recording every event's footprint when asked. */
    Run execute(ExploreScenario sc, Chooser ch, int stepLimit, TraceRecorder tr, boolean footprints) {
        if (Thread.currentThread() != controller) {
            throw new IllegalStateException("executor used from another thread");
        }
        this.scenario = sc;
        this.chooser = ch;
        this.run = new Run();
        run.width = n;
        this.recordFootprints = footprints;
        this.fpLen = 0;
        Arrays.fill(pendingKind, START);
        Arrays.fill(pendingAddr, 0);
        this.maxSteps = stepLimit;
        this.aborting = false;
        Arrays.fill(finished, false);
        Arrays.fill(started, false);
        Arrays.fill(blocked, null);
        privateTables.clear();
        this.world = sc.newWorld();
        this.setupWarnings = world.k.warnCount;
        this.pg = world.pg;
        this.hw = world.hw;
        this.tableMask = ~(pg.geo.pageSize - 1);
        this.trace = tr;
        PgtableObserver priv = new PgtableObserver() {
            @Override
            public void onTableAlloc(int cpu, long pa, int level, int owner) {
                privateTables.add(pa);
            }

            @Override
            public void onWrite(int cpu, long tablePa, int level, int idx, long old, long val) {
                if (level < 3 && Desc.isTable(val) && !privateTables.isEmpty()) {
                    privateTables.remove(Pgtable.tablePa(val));
                }
            }
        };
        pg.addObserver(priv);
        if (footprints) {
            pg.addObserver(footprint);
            world.visibility.walkHook = slot -> {
                fp(Dpor.SLOT, slot, false);
                fp(Dpor.PAGE, slot & tableMask, false);
                fp(Dpor.VIS, slot, false); // whether a write to it is still invisible to this CPU
            };
        }
        world.visibility.setUnpublished(privateTables);
        if (tr != null) {
            tr.attach(world, privateTables);
        }
        pg.setSched(this);
        List<List<ExploreScenario.Op>> progs = sc.cpus();
        for (int c = 0; c < n; c++) {
            final List<ExploreScenario.Op> prog = progs.get(c);
            final World w = world;
            tasks[c] = () -> {
                for (ExploreScenario.Op op : prog) {
                    if (trace != null) {
                        trace.opStart(w.pg.cpu, op.text());
                    }
                    op.action().accept(w);
                }
            };
        }
        turn = CONTROLLER;
        int first = decide(-1, enabledMask());
        if (first < 0) {
            pg.setSched(null);
            pg.removeObserver(priv);
            pg.removeObserver(footprint);
            return run;
        }
        handTo(first);
        // The controller thread is CPU0: run its program when it is first chosen; afterwards
        // wait until control comes back (turn CONTROLLER, or 0 left over from CPU0's own end).
        while (waitControllerOrCpu0() == 0 && !finished[0]) {
            runProgram(0);
        }
        closeEvent();
        if (run.stopped()) {
            aborting = true;
            for (int c = 1; c < n; c++) {
                if (started[c] && !finished[c]) {
                    handTo(c);
                    waitTurn(CONTROLLER);
                }
            }
            for (int c = 1; c < n; c++) {
                if (!started[c]) {
                    tasks[c] = null;
                }
            }
        } else {
            finalChecks();
        }
        pg.setSched(null);
        pg.removeObserver(priv);
        if (footprints) {
            pg.removeObserver(footprint);
            world.visibility.walkHook = null;
        }
        return run;
    }

    // ------------------------------------------------------------------ footprints

    private void fp(long tag, long id, boolean write) {
        if (fpLen == fpBuf.length) {
            fpBuf = Arrays.copyOf(fpBuf, fpLen * 2);
        }
        fpBuf[fpLen++] = Dpor.word(tag, id, write);
    }

    /** End the event of the last node: its footprint is what was collected since it was chosen. */
    private void closeEvent() {
        if (recordFootprints && run.nodes > 0 && run.footprints[run.nodes - 1] == null) {
            run.footprints[run.nodes - 1] = Dpor.normalise(fpBuf, fpLen);
        }
        fpLen = 0;
    }

    /** The first access of a chosen CPU's event: what its scheduling point announced. */
    private void openEvent(int c) {
        if (!recordFootprints) {
            return;
        }
        int k = pendingKind[c];
        if (k == Point.COUNTER_READ.ordinal()) {
            fp(Dpor.COUNTER, pendingAddr[c], false);
        } else if (k == Point.BARRIER.ordinal()) {
            world.visibility.outstandingSlots(c, slot -> fp(Dpor.VIS, slot, true));
            if (hw != null) {
                fp(Dpor.HW, 0, true);
            }
        } else if (k == Point.TRANSLATE.ordinal()) {
            // the walk's slots (and their visibility) come from Visibility.walkHook
            if (hw != null) {
                fp(Dpor.HW, 0, true);
            }
        }
        // READ, WRITE, COUNTER_WRITE, LOCK, UNLOCK, ALLOC, FREE, TLBI: the observer callbacks
    }

    /** Records what a step touches through the accessor layer (see {@link Dpor} for why). */
    private final class FootprintObserver implements PgtableObserver {
        @Override
        public void onRead(int cpu, long tablePa, int level, int idx, long val) {
            fp(Dpor.SLOT, tablePa + ((long) idx << 3), false);
            fp(Dpor.PAGE, tablePa, false);
        }

        @Override
        public void onWrite(int cpu, long tablePa, int level, int idx, long old, long val) {
            fp(Dpor.SLOT, tablePa + ((long) idx << 3), true);
            fp(Dpor.PAGE, tablePa, false);
            fp(Dpor.VIS, tablePa + ((long) idx << 3), true); // retires or creates the slot's pending entry
            if (hw != null) {
                fp(Dpor.HW, 0, true);
            }
        }

        @Override
        public void onWriteRun(int cpu, long tablePa, int level, int from, int count, long first, long step) {
            for (int i = 0; i < count; i++) {
                fp(Dpor.SLOT, tablePa + ((long) (from + i) << 3), true);
            }
            fp(Dpor.PAGE, tablePa, false);
            if (hw != null) {
                fp(Dpor.HW, 0, true);
            }
        }

        @Override
        public void onTableAlloc(int cpu, long pa, int level, int owner) {
            fp(Dpor.ALLOCATOR, 0, true);
            fp(Dpor.PAGE, pa, true);
        }

        @Override
        public void onTableFree(int cpu, long pa, int level, int owner) {
            fp(Dpor.ALLOCATOR, 0, true);
            fp(Dpor.PAGE, pa, true);
            if (hw != null) {
                fp(Dpor.HW, 0, true);
            }
        }

        @Override
        public void onTlbi(int cpu, org.ptlab.pgtable.Tlbi op, long va, long pages, int asid) {
            if (hw != null) {
                fp(Dpor.HW, 0, true);
            }
        }

        @Override
        public void onCounter(int cpu, int id, long old, long val) {
            fp(Dpor.COUNTER, id, true);
        }

        @Override
        public void onLock(int cpu, KLock lock, boolean acquire) {
            fp(Dpor.LOCK, lock.name.hashCode() & 0xffff_ffffL, true);
        }

        @Override
        public void onOp(int cpu, String name, long arg0, long arg1, boolean begin) {
            if (hw != null) {
                fp(Dpor.HW, 0, true);
            }
        }
    }

    /** The kernel's WARN count after the setup steps (a WARN after it is a violation). */
    private long setupWarnings;

    World world() {
        return world;
    }

    private void finalChecks() {
        if (hw != null && hw.hazardCount() != 0) {
            fail("hw-hazard", hw.hazards().get(0).toString());
            return;
        }
        if (world.k.warnCount > setupWarnings) {
            // a WARN of the kernel's code (e.g. the pageattr walk meeting a block its own split
            // should have removed) is a violation, as the scenario-local operations' KernelBug was
            int i = (int) setupWarnings;
            fail("warn", "WARN: " + (i < world.k.warnings.size() ? world.k.warnings.get(i) : "(message not kept)"));
            return;
        }
        List<KLock> locks = new java.util.ArrayList<>(List.of(world.k.pgtableSplitLock, world.k.initMmLock, world.k.fixmapLock));
        locks.addAll(world.mutexes());
        for (KLock l : locks) {
            if (l.held()) {
                fail("lock", l.name + " still held by CPU" + l.holder() + " when every CPU has finished");
                return;
            }
        }
        for (int c = 0; c < n; c++) {
            pg.cpu = c;
            if (world.lazy.active() || world.lazy.pending()) {
                fail("lazy", "CPU" + c + " finished inside a lazy MMU section"
                        + (world.lazy.pending() ? " with deferred barriers (TIF_LAZY_MMU_PENDING)" : ""));
                return;
            }
        }
        String promise = world.checkPromises();
        if (promise != null) {
            fail("postcondition", promise);
            return;
        }
        List<Violation> v = Invariants.check(world.k);
        if (!v.isEmpty()) {
            fail(v.get(0).invariant(), v.get(0).message() + (v.size() > 1 ? " (+" + (v.size() - 1) + " more)" : ""));
        }
    }

    private void fail(String kind, String msg) {
        if (run.violation == null) {
            run.violation = msg;
            run.violationKind = kind;
        }
    }

    private boolean allFinished() {
        for (boolean f : finished) {
            if (!f) {
                return false;
            }
        }
        return true;
    }

    private int enabledMask() {
        int m = 0;
        for (int c = 0; c < n; c++) {
            if (finished[c]) {
                continue;
            }
            KLock l = blocked[c];
            if (l == null || l.holder() < 0 || l.holder() == c) {
                m |= 1 << c;
            }
        }
        return m;
    }

    /** A scheduling node: end the last event, let the chooser pick; -1 = abandoned. */
    private int decide(int current, int mask) {
        closeEvent();
        int cur = current >= 0 && (mask & (1 << current)) != 0 ? current : -1;
        int c = chooser.choose(run.nodes, cur, mask);
        if (c < 0) {
            run.abandoned = true;
            return -1;
        }
        if ((mask & (1 << c)) == 0) {
            throw new IllegalStateException("chooser picked disabled CPU" + c);
        }
        run.add(cur, mask, c);
        openEvent(c);
        return c;
    }

    private void deadlock() {
        StringBuilder b = new StringBuilder("deadlock:");
        for (int c = 0; c < n; c++) {
            if (!finished[c] && blocked[c] != null) {
                b.append(" CPU").append(c).append(" waits for ").append(blocked[c].name).append(" held by CPU").append(blocked[c].holder()).append(';');
            }
        }
        fail("deadlock", b.toString());
    }

    private void cpuFinished(int me) {
        finished[me] = true;
        pendingKind[me] = DONE;
        if (hw != null && hw.hazardCount() != 0) {
            fail("hw-hazard", hw.hazards().get(0).toString());
        }
        if (aborting || run.stopped()) {
            if (me == 0) {
                return; // already on the controller thread
            }
            handToController();
            return;
        }
        int mask = enabledMask();
        if (mask == 0) {
            if (!allFinished()) {
                deadlock();
            }
            if (me != 0) {
                handToController();
            }
            return;
        }
        int next = decide(-1, mask);
        if (next < 0) {
            if (me != 0) {
                handToController();
            }
            return;
        }
        handTo(next);
    }

    // ------------------------------------------------------------------ Sched

    @Override
    public void point(int cpu, Point kind, long addr) {
        if ((kind == Point.READ || kind == Point.WRITE) && !privateTables.isEmpty() && privateTables.contains(addr & tableMask)) {
            return;
        }
        pendingKind[cpu] = kind.ordinal();
        pendingAddr[cpu] = addr;
        if (hw != null && hw.hazardCount() != 0) {
            fail("hw-hazard", hw.hazards().get(0).toString());
            throw ABORT;
        }
        if (++run.steps > maxSteps) {
            fail("step-limit", "more than " + maxSteps + " scheduling points in one execution (livelock?)");
            throw ABORT;
        }
        int next = decide(cpu, enabledMask());
        if (next < 0) {
            throw ABORT;
        }
        if (next != cpu) {
            handTo(next);
            waitTurn(cpu);
            if (aborting) {
                throw ABORT;
            }
        }
        if (trace != null) {
            trace.point(cpu, kind, addr);
        }
    }

    @Override
    public void blockOn(int cpu, KLock lock) {
        if (recordFootprints) {
            fp(Dpor.LOCK, lock.name.hashCode() & 0xffff_ffffL, false); // the failed attempt read the lock
        }
        blocked[cpu] = lock;
        pendingKind[cpu] = Point.LOCK.ordinal();
        pendingAddr[cpu] = 0;
        int mask = enabledMask();
        if (mask == 0) {
            deadlock();
            throw ABORT;
        }
        int next = decide(cpu, mask);
        if (next < 0) {
            throw ABORT;
        }
        if (trace != null) {
            trace.blocked(cpu, lock);
        }
        handTo(next);
        waitTurn(cpu);
        blocked[cpu] = null;
        if (aborting) {
            throw ABORT;
        }
    }
}

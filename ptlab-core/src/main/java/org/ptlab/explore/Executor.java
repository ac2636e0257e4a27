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
         */
        int choose(int node, int current, int enabled);
    }

    /** What an execution did. */
    static final class Run {
        int[] choices = new int[64];
        int[] currents = new int[64];
        int[] enabled = new int[64];
        /** Per node: the pending access of every CPU before the choice (n per node): kind, addr. */
        int[] pendKind = new int[64 * 8];
        long[] pendAddr = new long[64 * 8];
        int width;
        int nodes;
        int steps;
        String violation;
        String violationKind;

        void add(int current, int mask, int chosen, int[] pk, long[] pa) {
            if (nodes == choices.length) {
                choices = Arrays.copyOf(choices, nodes * 2);
                currents = Arrays.copyOf(currents, nodes * 2);
                enabled = Arrays.copyOf(enabled, nodes * 2);
                pendKind = Arrays.copyOf(pendKind, nodes * 2 * width);
                pendAddr = Arrays.copyOf(pendAddr, nodes * 2 * width);
            }
            System.arraycopy(pk, 0, pendKind, nodes * width, width);
            System.arraycopy(pa, 0, pendAddr, nodes * width, width);
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
    private PgtableObserver extraObserver;
    private TraceRecorder trace;

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
        if (Thread.currentThread() != controller) {
            throw new IllegalStateException("executor used from another thread");
        }
        this.scenario = sc;
        this.chooser = ch;
        this.run = new Run();
        run.width = n;
        run.pendKind = new int[64 * n];
        run.pendAddr = new long[64 * n];
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
        handTo(first);
        // The controller thread is CPU0: run its program when it is first chosen; afterwards
        // wait until control comes back (turn CONTROLLER, or 0 left over from CPU0's own end).
        while (waitControllerOrCpu0() == 0 && !finished[0]) {
            runProgram(0);
        }
        if (run.failed()) {
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
        return run;
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

    private int decide(int current, int mask) {
        int cur = current >= 0 && (mask & (1 << current)) != 0 ? current : -1;
        int c = chooser.choose(run.nodes, cur, mask);
        if ((mask & (1 << c)) == 0) {
            throw new IllegalStateException("chooser picked disabled CPU" + c);
        }
        run.add(cur, mask, c, pendingKind, pendingAddr);
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
        if (aborting || run.failed()) {
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
        handTo(decide(-1, mask));
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
        blocked[cpu] = lock;
        pendingKind[cpu] = Point.LOCK.ordinal();
        pendingAddr[cpu] = 0;
        int mask = enabledMask();
        if (mask == 0) {
            deadlock();
            throw ABORT;
        }
        int next = decide(cpu, mask);
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

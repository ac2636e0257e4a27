package org.ptlab.explore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The concurrency explorer (issue 6): stateless model checking of a scenario by re-execution from
 * a fresh kernel along recorded schedule prefixes.
 *
 * <ul>
 *   <li>{@code dfs}: exhaustive depth-first search over every scheduling choice with at most
 *       {@code bound} preemptions (a switch away from a CPU that could have continued; switches
 *       forced by a CPU finishing or blocking are free). Finishing the search proves the
 *       scenario safe within the bound. A negative bound means unbounded.
 *   <li>{@code random}: each execution picks uniformly among the enabled CPUs at every point.
 *   <li>{@code pct}: probabilistic concurrency testing: random CPU priorities and {@code depth - 1}
 *       random priority change points per execution; the highest-priority enabled CPU runs.
 * </ul>
 * A seed makes every run reproducible. A violation is minimised (fewest preemptions, then
 * shortest prefix) and returned with its schedule and a readable trace.
 */
public final class Explorer {
    public enum Strategy {
        DFS, RANDOM, PCT;

        public static Strategy parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown strategy '" + s + "': expected dfs, random or pct");
            }
        }
    }

    /** Search options. */
    public static final class Options {
        public Strategy strategy = Strategy.DFS;
        public int bound = 2;
        public long seed = 1;
        public long budgetMillis = 60_000;
        public long maxExecutions = Long.MAX_VALUE;
        public int pctDepth = 3;
        public int stepLimit = 100_000;
        public boolean minimise = true;
        /** Tests: called with each execution's world after it completes. */
        java.util.function.Consumer<World> onExecution;
        /** Called about once a second. */
        public Consumer<Progress> progress;
        /**
         * DFS only: explore just the subtree below this schedule prefix (see {@link #prefixes}); null =
         * the whole tree. The subtrees of every prefix at one depth partition the bounded tree.
         */
        public int[] subtree;
        /**
         * Time budget of each bounded retry that looks for a counterexample with fewer preemptions
         * (besides its 20,000 executions). Sweeps set it to Long.MAX_VALUE so that the minimised
         * counterexample does not depend on the machine's load.
         */
        public long retryBudgetMillis = 3000;
    }

    public record Progress(long executions, long states, long elapsedMillis) {
        public double rate() {
            return elapsedMillis == 0 ? 0 : executions * 1000.0 / elapsedMillis;
        }

        @Override
        public String toString() {
            return String.format("%,d executions, %,d states, %,.0f executions/s", executions, states, rate());
        }
    }

    public enum Verdict { SAFE_WITHIN_BOUND, NO_VIOLATION_FOUND, VIOLATION }

    /** A failing execution: its schedule, what broke, and the trace. */
    public record Counterexample(int[] schedule, String kind, String violation, int preemptions, List<String> trace) {}

    public record Result(Verdict verdict, long executions, long states, long elapsedMillis, int maxNodes,
            Counterexample counterexample, String searchNote) {
        public Progress progress() {
            return new Progress(executions, states, elapsedMillis);
        }
    }

    private Explorer() {}

    // ------------------------------------------------------------------ search

    public static Result explore(ExploreScenario sc, Options o) {
        try (Executor ex = new Executor(sc.machine().cpus())) {
            return new Search(ex, sc, o).run();
        }
    }

    /**
     * The schedule prefixes of {@code depth} scheduling points (shorter where an execution ends sooner)
     * within the preemption bound, in the order the DFS meets them. Their subtrees ({@link Options#subtree})
     * partition the bounded DFS tree, so exploring each and taking the first violation in this order gives
     * the whole search's verdict and counterexample (issue 15's hand-off by prefix; minimal, local API).
     */
    public static List<int[]> prefixes(ExploreScenario sc, int bound, int depth, int stepLimit) {
        if (bound < 0 || depth < 0) {
            throw new IllegalArgumentException("prefixes need a preemption bound >= 0 and a depth >= 0");
        }
        Options o = new Options();
        o.bound = bound;
        o.stepLimit = stepLimit;
        o.budgetMillis = Long.MAX_VALUE;
        try (Executor ex = new Executor(sc.machine().cpus())) {
            return new Search(ex, sc, o).prefixes(depth);
        }
    }

    /** Execute one schedule (entries beyond its end: keep running the current CPU). */
    public static Replay replay(ExploreScenario sc, int[] schedule) {
        try (Executor ex = new Executor(sc.machine().cpus())) {
            TraceRecorder tr = new TraceRecorder();
            Executor.Run r = ex.execute(sc, prefixChooser(schedule), 1_000_000, tr);
            tr.end(r.violationKind, r.violation);
            World w = ex.world();
            return new Replay(r.violationKind, r.violation, r.schedule(), r.preemptions(), tr.lines(),
                    w.lazy.barrierPairs(), w.lazy.flushes(), w.lazy.immediateBarriers(), w.lazy.deferred());
        }
    }

    /** A replayed execution with its trace and lazy MMU statistics. */
    public record Replay(String kind, String violation, int[] schedule, int preemptions, List<String> trace,
            long barrierPairs, long lazyFlushes, long immediateBarriers, long deferred) {}

    static Executor.Chooser prefixChooser(int[] prefix) {
        return (node, current, mask) -> {
            if (node < prefix.length && (mask & (1 << prefix[node])) != 0) {
                return prefix[node];
            }
            return current >= 0 ? current : Integer.numberOfTrailingZeros(mask);
        };
    }

    private static final class Search {
        final Executor ex;
        final ExploreScenario sc;
        final Options o;
        final long start = System.nanoTime();
        long executions;
        long states;
        long lastReport;
        int maxNodes;

        Search(Executor ex, ExploreScenario sc, Options o) {
            this.ex = ex;
            this.sc = sc;
            this.o = o;
        }

        long elapsed() {
            return (System.nanoTime() - start) / 1_000_000;
        }

        boolean outOfBudget() {
            return executions >= o.maxExecutions || elapsed() >= o.budgetMillis;
        }

        void tick() {
            executions++;
            if (o.progress != null) {
                long e = elapsed();
                if (e - lastReport >= 1000) {
                    lastReport = e;
                    o.progress.accept(new Progress(executions, states, e));
                }
            }
        }

        Executor.Run exec(Executor.Chooser ch) {
            Executor.Run r = ex.execute(sc, ch, o.stepLimit, null);
            if (o.onExecution != null) {
                o.onExecution.accept(ex.world());
            }
            maxNodes = Math.max(maxNodes, r.nodes);
            tick();
            return r;
        }

        Result run() {
            return switch (o.strategy) {
                case DFS -> o.bound < 0 ? dpor() : dfs();
                case RANDOM, PCT -> randomised();
            };
        }

        Result found(Executor.Run r, String note) {
            Counterexample c = counterexample(r);
            return new Result(Verdict.VIOLATION, executions, states, elapsed(), maxNodes, c, note);
        }

        Counterexample counterexample(Executor.Run r) {
            int[] s = r.schedule();
            if (o.minimise) {
                if (r.preemptions() > 1) {
                    // a random or PCT schedule is dense with switches: first look for the same
                    // kind of violation with fewer preemptions by a small bounded search
                    int[] fewer = boundedRetry(r.violationKind, Math.min(2, r.preemptions() - 1));
                    if (fewer != null) {
                        s = fewer;
                    }
                }
                s = Minimiser.minimise(ex, sc, s, r.violationKind, o.stepLimit);
            }
            TraceRecorder tr = new TraceRecorder();
            Executor.Run rr = ex.execute(sc, prefixChooser(s), o.stepLimit, tr);
            if (!rr.failed()) {
                // minimisation is checked run by run, so this cannot happen; keep the original
                tr = new TraceRecorder();
                rr = ex.execute(sc, prefixChooser(r.schedule()), o.stepLimit, tr);
            }
            tr.end(rr.violationKind, rr.violation);
            return new Counterexample(trim(rr), rr.violationKind, rr.violation, rr.preemptions(), tr.lines());
        }

        /** A schedule with at most maxBound preemptions giving the same kind of violation, or null. */
        int[] boundedRetry(String kind, int maxBound) {
            for (int b = 0; b <= maxBound; b++) {
                Options q = new Options();
                q.bound = b;
                q.minimise = false;
                q.budgetMillis = o.retryBudgetMillis;
                q.maxExecutions = 20_000;
                q.stepLimit = o.stepLimit;
                Result res = new Search(ex, sc, q).dfs();
                if (res.verdict() == Verdict.VIOLATION && kind.equals(res.counterexample().kind())) {
                    return res.counterexample().schedule();
                }
            }
            return null;
        }

        /** DFS with a preemption bound over the tree of scheduling choices. */
        Result dfs() {
            // frame arrays, grown as needed
            int cap = 256;
            int[] mask = new int[cap];
            int[] cur = new int[cap];
            int[] chosen = new int[cap];
            int[] tried = new int[cap];
            int[] pre = new int[cap];
            int depth = 0; // frames valid
            int[] prefix = o.subtree == null ? new int[0] : o.subtree.clone();
            int floor = prefix.length; // frames above the subtree's root are fixed
            int bound = o.bound < 0 ? Integer.MAX_VALUE : o.bound;
            while (true) {
                final int[] p = prefix;
                Executor.Run r = exec(prefixChooser(p));
                // extend frames with the nodes beyond the prefix
                if (r.nodes > cap) {
                    cap = Math.max(cap * 2, r.nodes);
                    mask = Arrays.copyOf(mask, cap);
                    cur = Arrays.copyOf(cur, cap);
                    chosen = Arrays.copyOf(chosen, cap);
                    tried = Arrays.copyOf(tried, cap);
                    pre = Arrays.copyOf(pre, cap);
                }
                for (int i = depth; i < r.nodes; i++) {
                    mask[i] = r.enabled[i];
                    cur[i] = r.currents[i];
                    chosen[i] = r.choices[i];
                    tried[i] = 1 << r.choices[i];
                    int before = i == 0 ? 0 : pre[i - 1] + (cur[i - 1] >= 0 && chosen[i - 1] != cur[i - 1] ? 1 : 0);
                    pre[i] = before;
                    states++;
                }
                depth = r.nodes;
                if (r.failed()) {
                    return found(r, "dfs, preemption bound " + (o.bound < 0 ? "none" : o.bound));
                }
                // backtrack
                int f = depth - 1;
                int next = -1;
                for (; f >= floor; f--) {
                    int cand = mask[f] & ~tried[f];
                    while (cand != 0) {
                        int c = Integer.numberOfTrailingZeros(cand);
                        cand &= cand - 1;
                        int cost = cur[f] >= 0 && c != cur[f] ? 1 : 0;
                        if (pre[f] + cost <= bound) {
                            next = c;
                            break;
                        }
                        tried[f] |= 1 << c; // never affordable at this frame
                    }
                    if (next >= 0) {
                        break;
                    }
                }
                if (f < floor) {
                    return new Result(Verdict.SAFE_WITHIN_BOUND, executions, states, elapsed(), maxNodes, null,
                            (floor > 0 ? "subtree " + ScheduleFile.encode(o.subtree) + ": " : "") + "dfs exhausted every schedule with " + (o.bound < 0 ? "any number of" : "at most " + o.bound) + " preemptions");
                }
                tried[f] |= 1 << next;
                chosen[f] = next;
                depth = f + 1;
                prefix = Arrays.copyOf(chosen, depth);
                if (outOfBudget()) {
                    return new Result(Verdict.NO_VIOLATION_FOUND, executions, states, elapsed(), maxNodes, null,
                            "dfs stopped by its budget before exhausting the bound");
                }
            }
        }

        /** The bounded DFS cut at depth: each distinct prefix once, in DFS order. */
        List<int[]> prefixes(int cut) {
            List<int[]> out = new ArrayList<>();
            int[] mask = new int[Math.max(1, cut)];
            int[] cur = new int[mask.length];
            int[] chosen = new int[mask.length];
            int[] tried = new int[mask.length];
            int[] pre = new int[mask.length];
            int depth = 0;
            int[] prefix = new int[0];
            while (true) {
                Executor.Run r = exec(prefixChooser(prefix));
                int n = Math.min(r.nodes, cut);
                for (int i = depth; i < n; i++) {
                    mask[i] = r.enabled[i];
                    cur[i] = r.currents[i];
                    chosen[i] = r.choices[i];
                    tried[i] = 1 << r.choices[i];
                    pre[i] = i == 0 ? 0 : pre[i - 1] + (cur[i - 1] >= 0 && chosen[i - 1] != cur[i - 1] ? 1 : 0);
                }
                depth = n;
                out.add(Arrays.copyOf(chosen, n));
                int f = depth - 1;
                int next = -1;
                for (; f >= 0; f--) {
                    int cand = mask[f] & ~tried[f];
                    while (cand != 0) {
                        int c = Integer.numberOfTrailingZeros(cand);
                        cand &= cand - 1;
                        if (pre[f] + (cur[f] >= 0 && c != cur[f] ? 1 : 0) <= o.bound) {
                            next = c;
                            break;
                        }
                        tried[f] |= 1 << c;
                    }
                    if (next >= 0) {
                        break;
                    }
                }
                if (f < 0) {
                    return out;
                }
                tried[f] |= 1 << next;
                chosen[f] = next;
                depth = f + 1;
                prefix = Arrays.copyOf(chosen, depth);
            }
        }

        /** Unbounded exhaustive search with dynamic partial-order reduction. */
        Result dpor() {
            int cap = 256;
            int[] mask = new int[cap];
            int[] chosen = new int[cap];
            int[] done = new int[cap];
            int[] back = new int[cap];
            int depth = 0;
            int[] prefix = new int[0];
            while (true) {
                Executor.Run r = exec(prefixChooser(prefix));
                if (r.nodes > cap) {
                    cap = Math.max(cap * 2, r.nodes);
                    mask = Arrays.copyOf(mask, cap);
                    chosen = Arrays.copyOf(chosen, cap);
                    done = Arrays.copyOf(done, cap);
                    back = Arrays.copyOf(back, cap);
                }
                for (int i = depth; i < r.nodes; i++) {
                    mask[i] = r.enabled[i];
                    chosen[i] = r.choices[i];
                    done[i] = 1 << r.choices[i];
                    back[i] = 1 << r.choices[i];
                    states++;
                }
                depth = r.nodes;
                if (r.failed()) {
                    return found(r, "dfs with partial-order reduction, no preemption bound");
                }
                Dpor.analyse(r, back);
                int f = depth - 1;
                int next = -1;
                for (; f >= 0; f--) {
                    int cand = back[f] & mask[f] & ~done[f];
                    if (cand != 0) {
                        next = Integer.numberOfTrailingZeros(cand);
                        break;
                    }
                }
                if (f < 0) {
                    return new Result(Verdict.SAFE_WITHIN_BOUND, executions, states, elapsed(), maxNodes, null,
                            "dfs with partial-order reduction explored every interleaving class: safe for any number of preemptions");
                }
                done[f] |= 1 << next;
                chosen[f] = next;
                depth = f + 1;
                prefix = Arrays.copyOf(chosen, depth);
                if (outOfBudget()) {
                    return new Result(Verdict.NO_VIOLATION_FOUND, executions, states, elapsed(), maxNodes, null,
                            "dfs with partial-order reduction stopped by its budget");
                }
            }
        }

        Result randomised() {
            SplittableRandom root = new SplittableRandom(o.seed);
            int n = ex.cpus();
            int estimate = 0;
            while (!outOfBudget()) {
                SplittableRandom rnd = root.split();
                Executor.Chooser ch;
                if (o.strategy == Strategy.RANDOM) {
                    ch = (node, current, m) -> {
                        int k = rnd.nextInt(Integer.bitCount(m));
                        int mm = m;
                        for (int i = 0; i < k; i++) {
                            mm &= mm - 1;
                        }
                        return Integer.numberOfTrailingZeros(mm);
                    };
                } else {
                    int d = Math.max(1, o.pctDepth);
                    int[] prio = new int[n];
                    List<Integer> perm = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        perm.add(i);
                    }
                    for (int i = n - 1; i > 0; i--) {
                        int j = rnd.nextInt(i + 1);
                        Integer t = perm.get(i);
                        perm.set(i, perm.get(j));
                        perm.set(j, t);
                    }
                    for (int i = 0; i < n; i++) {
                        prio[perm.get(i)] = d + i;
                    }
                    int k = Math.max(estimate, 16);
                    int[] change = new int[d - 1];
                    for (int i = 0; i < change.length; i++) {
                        change[i] = rnd.nextInt(k);
                    }
                    int[] last = {-1};
                    ch = (node, current, m) -> {
                        for (int i = 0; i < change.length; i++) {
                            if (change[i] == node && last[0] >= 0) {
                                prio[last[0]] = i; // lower the running CPU below every initial priority
                            }
                        }
                        int best = -1;
                        for (int c = 0; c < n; c++) {
                            if ((m & (1 << c)) != 0 && (best < 0 || prio[c] > prio[best])) {
                                best = c;
                            }
                        }
                        last[0] = best;
                        return best;
                    };
                }
                Executor.Run r = exec(ch);
                states += r.nodes;
                estimate = Math.max(estimate, r.nodes);
                if (r.failed()) {
                    return found(r, o.strategy.name().toLowerCase(Locale.ROOT) + ", seed " + o.seed + ", execution " + executions);
                }
            }
            return new Result(Verdict.NO_VIOLATION_FOUND, executions, states, elapsed(), maxNodes, null,
                    o.strategy.name().toLowerCase(Locale.ROOT) + " found no violation within its budget (not a proof)");
        }
    }

    /** The schedule up to its last non-default choice (the rest follows by default). */
    static int[] trim(Executor.Run r) {
        int last = -1;
        for (int i = 0; i < r.nodes; i++) {
            int def = r.currents[i] >= 0 ? r.currents[i] : Integer.numberOfTrailingZeros(r.enabled[i]);
            if (r.choices[i] != def) {
                last = i;
            }
        }
        return Arrays.copyOf(r.choices, last + 1);
    }
}

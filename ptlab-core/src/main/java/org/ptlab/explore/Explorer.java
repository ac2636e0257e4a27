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

    /** Which exhaustive search {@code dfs} runs. */
    public enum Search {
        /**
         * Source-DPOR with sleep sets over the events' footprints ({@link Dpor}), the preemption
         * bound (if any) on top: each Mazurkiewicz trace once or close to it.
         */
        DPOR,
        /** Every scheduling choice within the bound, no reduction (the search before issue 17). */
        PLAIN;

        public static Search parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown search '" + s + "': expected dpor or plain");
            }
        }
    }

    /** Search options. */
    public static final class Options {
        public Strategy strategy = Strategy.DFS;
        public Search search = Search.DPOR;
        public int bound = 2;
        public long seed = 1;
        public long budgetMillis = 60_000;
        public long maxExecutions = Long.MAX_VALUE;
        public int pctDepth = 3;
        public int stepLimit = 100_000;
        public boolean minimise = true;
        /**
         * Count distinct equivalence classes (canonical hashes of the executions' happens-before
         * relations; costs a footprint per event and a set of hashes).
         */
        public boolean stats;
        /**
         * Cut the dfs into subtrees at this depth ({@link #prefixes}) and explore them one after
         * the other, exactly as a campaign that explores each elsewhere and {@link #merge}s the
         * results; 0 = one tree.
         */
        public int splitDepth;
        /** Tests: called with each execution's world after it completes. */
        java.util.function.Consumer<World> onExecution;
        /** Tests: called with each execution's record (schedule, footprints) after it completes or is abandoned. */
        java.util.function.Consumer<Executor.Run> onRun;
        /** Called about once a second. */
        public Consumer<Progress> progress;

        public Options copy() {
            Options c = new Options();
            c.strategy = strategy;
            c.search = search;
            c.bound = bound;
            c.seed = seed;
            c.budgetMillis = budgetMillis;
            c.maxExecutions = maxExecutions;
            c.pctDepth = pctDepth;
            c.stepLimit = stepLimit;
            c.minimise = minimise;
            c.stats = stats;
            c.splitDepth = splitDepth;
            c.onExecution = onExecution;
            c.onRun = onRun;
            c.progress = progress;
            return c;
        }
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

    /**
     * SAFE_WITHIN_BOUND: the dfs exhausted its tree. NO_VIOLATION_FOUND: random or pct ran out of
     * budget (never a proof). VIOLATION: a counterexample. INCONCLUSIVE: the dfs ran out of
     * budget before exhausting its tree ({@link Result#coverage} says how far it got).
     */
    public enum Verdict { SAFE_WITHIN_BOUND, NO_VIOLATION_FOUND, VIOLATION, INCONCLUSIVE }

    /** A failing execution: its schedule, what broke, and the trace. */
    public record Counterexample(int[] schedule, String kind, String violation, int preemptions, List<String> trace)
            implements java.io.Serializable {}

    /**
     * What a search did, for {@code --stats}: executions run; distinct equivalence classes among
     * them (-1 when not counted); executions abandoned as sleep-set blocked (redundant: an
     * equivalent one was explored) and beyond the preemption bound; races whose reversal the
     * bound refused; scheduling states (tree nodes) visited; deepest execution; the peak heap in
     * use (sampled); time. {@code boundReached} = the bound cut something off, so a safe verdict
     * holds within the bound only. {@code stateLookups}/{@code stateRevisits}: the scheduling
     * states first reached by an execution, and how many of them had been reached before by an
     * equivalent prefix (same happens-before hash, so the same modelled state): what a state
     * cache could have saved.
     */
    public record Stats(long executions, long classes, long blocked, long pruned, long refused, long states,
            int maxDepth, long peakHeapBytes, long elapsedMillis, boolean boundReached, long stateLookups, long stateRevisits)
            implements java.io.Serializable {
        static Stats sum(List<Stats> l) {
            long e = 0, c = 0, b = 0, p = 0, r = 0, s = 0, h = 0, t = 0, sl = 0, sr = 0;
            int d = 0;
            boolean any = false;
            boolean counted = true;
            for (Stats x : l) {
                e += x.executions;
                counted &= x.classes >= 0;
                c += Math.max(0, x.classes);
                b += x.blocked;
                p += x.pruned;
                r += x.refused;
                s += x.states;
                d = Math.max(d, x.maxDepth);
                h = Math.max(h, x.peakHeapBytes);
                t += x.elapsedMillis;
                any |= x.boundReached;
                sl += x.stateLookups;
                sr += x.stateRevisits;
            }
            return new Stats(e, counted ? c : -1, b, p, r, s, d, h, t, any, sl, sr);
        }
    }

    /**
     * The outcome. {@code coverage}: 1 for an exhausted tree, the completed fraction of the
     * dfs tree for INCONCLUSIVE (each node's weight shared equally among the choices known
     * there), NaN for random and pct.
     */
    public record Result(Verdict verdict, long executions, long states, long elapsedMillis, int maxNodes,
            Counterexample counterexample, String searchNote, double coverage, Stats stats) implements java.io.Serializable {
        public Progress progress() {
            return new Progress(executions, states, elapsedMillis);
        }
    }

    private Explorer() {}

    // ------------------------------------------------------------------ search

    public static Result explore(ExploreScenario sc, Options o) {
        if (o.strategy == Strategy.DFS && o.splitDepth > 0) {
            return exploreSplit(sc, o);
        }
        try (Executor ex = new Executor(sc.cpus().size())) {
            return new Searcher(ex, sc, o).run();
        }
    }

    // ------------------------------------------------------------------ campaign hand-off

    /**
     * The schedule prefixes of length {@code depth} (shorter where an execution ends sooner)
     * that cut the dfs tree into independent subtrees: every choice of an enabled CPU at each of
     * the first {@code depth} scheduling points (no reduction there) within the preemption
     * bound, in the dfs's order (at each point the default choice, the current CPU or else the
     * lowest, then the others by number). One partial execution per inner node of that top tree.
     */
    public static List<int[]> prefixes(ExploreScenario sc, Options o, int depth) {
        List<int[]> out = new ArrayList<>();
        try (Executor ex = new Executor(sc.cpus().size())) {
            int bound = o.bound < 0 ? Integer.MAX_VALUE : o.bound;
            enumerate(ex, sc, o, new int[0], 0, depth, bound, out);
        }
        return out;
    }

    private static void enumerate(Executor ex, ExploreScenario sc, Options o, int[] prefix, int preemptions, int depth,
            int bound, List<int[]> out) {
        if (prefix.length == depth) {
            out.add(prefix);
            return;
        }
        int[] at = {-1, -1};
        int k = prefix.length;
        Executor.Run r = ex.execute(sc, (node, current, mask) -> {
            if (node < k) {
                return prefix[node];
            }
            at[0] = mask;
            at[1] = current;
            return -1;
        }, o.stepLimit, null);
        if (at[0] < 0) {
            out.add(prefix); // the execution ended (or failed) before this depth
            return;
        }
        if (r.failed()) {
            out.add(prefix);
            return;
        }
        // the dfs's own order: the default choice (the current CPU, else the lowest) first
        int def = at[1] >= 0 ? at[1] : Integer.numberOfTrailingZeros(at[0]);
        for (int i = -1; i < 32; i++) {
            int c = i < 0 ? def : i;
            if ((at[0] & (1 << c)) == 0 || (i >= 0 && c == def)) {
                continue;
            }
            int cost = at[1] >= 0 && c != at[1] ? 1 : 0;
            if (preemptions + cost > bound) {
                continue;
            }
            int[] p = Arrays.copyOf(prefix, k + 1);
            p[k] = c;
            enumerate(ex, sc, o, p, preemptions + cost, depth, bound, out);
        }
    }

    /**
     * Explore the subtree below one schedule prefix ({@link #prefixes}): the same dfs as
     * {@link #explore}, with the prefix's choices fixed. Results of all prefixes of one depth
     * {@link #merge} into the result of {@code explore} with {@code splitDepth} = that depth.
     */
    public static Result exploreSubtree(ExploreScenario sc, Options o, int[] prefix) {
        if (o.strategy != Strategy.DFS) {
            throw new IllegalArgumentException("subtrees exist for the dfs strategy only");
        }
        try (Executor ex = new Executor(sc.cpus().size())) {
            return new Searcher(ex, sc, o).dfsFrom(prefix);
        }
    }

    /**
     * Merge subtree results given in the order of {@link #prefixes} into one: the first violation
     * in that order (its counterexample, minimised in its subtree, is the one a single run with
     * the same split depth reports: that run explores the subtrees in the same order and stops
     * at the first violation); otherwise inconclusive if any subtree ran out of budget (coverage:
     * the mean over subtrees), otherwise safe. Sums executions, states and time; the class count
     * is the sum over subtrees (equivalent executions in two subtrees count twice).
     */
    public static Result merge(List<Result> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge");
        }
        long ex = 0, st = 0, ms = 0;
        int mx = 0;
        List<Stats> stats = new ArrayList<>();
        Result firstViolation = null;
        boolean inconclusive = false;
        double cov = 0;
        boolean bounded = false;
        for (Result r : parts) {
            ex += r.executions();
            st += r.states();
            ms += r.elapsedMillis();
            mx = Math.max(mx, r.maxNodes());
            stats.add(r.stats());
            cov += r.verdict() == Verdict.INCONCLUSIVE ? r.coverage() : 1;
            bounded |= r.stats().boundReached();
            if (r.verdict() == Verdict.VIOLATION && firstViolation == null) {
                firstViolation = r;
            }
            inconclusive |= r.verdict() == Verdict.INCONCLUSIVE;
        }
        Stats s = Stats.sum(stats);
        String n = parts.size() + " subtrees";
        if (firstViolation != null) {
            return new Result(Verdict.VIOLATION, ex, st, ms, mx, firstViolation.counterexample(),
                    firstViolation.searchNote() + ", " + n, 1, s);
        }
        if (inconclusive) {
            double c = cov / parts.size();
            return new Result(Verdict.INCONCLUSIVE, ex, st, ms, mx, null,
                    String.format("dfs stopped by its budget in some of %s: %.1f%% covered", n, 100 * c), c, s);
        }
        return new Result(Verdict.SAFE_WITHIN_BOUND, ex, st, ms, mx, null, parts.get(0).searchNote() + (bounded
                && !parts.get(0).stats().boundReached() ? " (the bound cut off part of another subtree: safe within the bound)" : "")
                + ", " + n, 1, s);
    }

    private static Result exploreSplit(ExploreScenario sc, Options o) {
        long start = System.nanoTime();
        List<int[]> ps = prefixes(sc, o, o.splitDepth);
        List<Result> parts = new ArrayList<>();
        for (int[] p : ps) {
            Options q = o.copy();
            long used = (System.nanoTime() - start) / 1_000_000;
            q.budgetMillis = Math.max(1, o.budgetMillis - used);
            Result r = exploreSubtree(sc, q, p);
            parts.add(r);
            if (r.verdict() == Verdict.VIOLATION) {
                break;
            }
        }
        return merge(parts);
    }

    /** Execute one schedule (entries beyond its end: keep running the current CPU). */
    public static Replay replay(ExploreScenario sc, int[] schedule) {
        try (Executor ex = new Executor(sc.cpus().size())) {
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

    /** A set of longs (class hashes) without boxing. */
    static final class LongSet {
        private long[] t = new long[1024];
        private boolean zero;
        private int size;

        boolean add(long v) {
            if (v == 0) {
                boolean was = zero;
                zero = true;
                if (!was) {
                    size++;
                }
                return !was;
            }
            if (size * 2 >= t.length) {
                long[] old = t;
                t = new long[old.length * 2];
                for (long x : old) {
                    if (x != 0) {
                        put(x);
                    }
                }
            }
            boolean added = put(v);
            if (added) {
                size++;
            }
            return added;
        }

        private boolean put(long v) {
            int m = t.length - 1;
            int i = (int) Dpor.mix(v) & m;
            while (t[i] != 0) {
                if (t[i] == v) {
                    return false;
                }
                i = (i + 1) & m;
            }
            t[i] = v;
            return true;
        }

        int size() {
            return size;
        }
    }

    static boolean SLEEP_WITH_BOUND = Boolean.getBoolean("ptlab.explore.sleepWithBound");

    private static final class Searcher {
        final Executor ex;
        final ExploreScenario sc;
        final Options o;
        final long start = System.nanoTime();
        long executions;
        long states;
        long lastReport;
        int maxNodes;
        long blocked;
        long pruned;
        long refused;
        long peakHeap;
        LongSet classes;
        LongSet seenStates;
        long stateLookups;
        long stateRevisits;
        long[] prefixHash = new long[256];

        /** Stats: count the fresh nodes [fresh, n) whose state an equivalent prefix reached before. */
        long analyseForStats(Executor.Run r, Dpor.RaceSink sink, int from, int fresh) {
            if (seenStates == null) {
                return Dpor.analyse(r, sink, from);
            }
            if (prefixHash.length < r.nodes) {
                prefixHash = new long[Math.max(r.nodes, prefixHash.length * 2)];
            }
            long h = Dpor.analyse(r, sink, from, prefixHash);
            for (int k = Math.max(0, fresh); k < r.nodes; k++) {
                stateLookups++;
                if (!seenStates.add(prefixHash[k])) {
                    stateRevisits++;
                }
            }
            return h;
        }

        Searcher(Executor ex, ExploreScenario sc, Options o) {
            this.ex = ex;
            this.sc = sc;
            this.o = o;
            if (o.stats) {
                classes = new LongSet();
                seenStates = new LongSet();
            }
        }

        long elapsed() {
            return (System.nanoTime() - start) / 1_000_000;
        }

        boolean outOfBudget() {
            return executions >= o.maxExecutions || elapsed() >= o.budgetMillis;
        }

        void tick() {
            executions++;
            if ((executions & 63) == 1) {
                Runtime rt = Runtime.getRuntime();
                peakHeap = Math.max(peakHeap, rt.totalMemory() - rt.freeMemory());
            }
            if (o.progress != null) {
                long e = elapsed();
                if (e - lastReport >= 1000) {
                    lastReport = e;
                    o.progress.accept(new Progress(executions, states, e));
                }
            }
        }

        Stats stats(boolean boundReached) {
            Runtime rt = Runtime.getRuntime();
            peakHeap = Math.max(peakHeap, rt.totalMemory() - rt.freeMemory());
            return new Stats(executions, classes == null ? -1 : classes.size(), blocked, pruned, refused, states, maxNodes,
                    peakHeap, elapsed(), boundReached, stateLookups, stateRevisits);
        }

        Executor.Run exec(Executor.Chooser ch, boolean footprints) {
            Executor.Run r = ex.execute(sc, ch, o.stepLimit, null, footprints || o.stats);
            if (o.onExecution != null && !r.abandoned) {
                o.onExecution.accept(ex.world());
            }
            if (o.onRun != null) {
                o.onRun.accept(r);
            }
            maxNodes = Math.max(maxNodes, r.nodes);
            tick();
            return r;
        }

        Result run() {
            return switch (o.strategy) {
                case DFS -> dfsFrom(new int[0]);
                case RANDOM, PCT -> randomised();
            };
        }

        Result dfsFrom(int[] prefix) {
            return o.search == Search.PLAIN ? plain(prefix) : dpor(prefix);
        }

        String boundText() {
            return o.bound < 0 ? "no preemption bound" : "preemption bound " + o.bound;
        }

        Result found(Executor.Run r, String note) {
            Counterexample c = counterexample(r);
            return new Result(Verdict.VIOLATION, executions, states, elapsed(), maxNodes, c, note, 1, stats(false));
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

        /**
         * A schedule with at most maxBound preemptions giving the same kind of violation, or
         * null. Limited by a number of executions, not time, so the counterexample does not
         * depend on the machine's load.
         */
        int[] boundedRetry(String kind, int maxBound) {
            for (int b = 0; b <= maxBound; b++) {
                Options q = new Options();
                q.bound = b;
                q.minimise = false;
                q.budgetMillis = Long.MAX_VALUE;
                q.maxExecutions = 5_000;
                q.stepLimit = o.stepLimit;
                Result res = new Searcher(ex, sc, q).dpor(new int[0]);
                if (res.verdict() == Verdict.VIOLATION && kind.equals(res.counterexample().kind())) {
                    return res.counterexample().schedule();
                }
            }
            return null;
        }

        // -------------------------------------------------------------- frames

        int cap = 256;
        int[] mask = new int[cap];
        int[] cur = new int[cap];
        int[] chosen = new int[cap];
        int[] pre = new int[cap];
        /** plain: CPUs tried at the node; dpor: CPUs explored (or being explored) there. */
        int[] done = new int[cap];
        /** dpor: CPUs to explore at the node (done included). */
        int[] back = new int[cap];
        /** dpor: CPUs asleep at the node. */
        int[] sleep = new int[cap];
        /** dpor: per node and CPU, the footprint of that CPU's event there (done and asleep CPUs). */
        long[][][] fpOf = new long[cap][][];

        void ensure(int n) {
            if (n <= cap) {
                return;
            }
            int c = Math.max(cap * 2, n);
            mask = Arrays.copyOf(mask, c);
            cur = Arrays.copyOf(cur, c);
            chosen = Arrays.copyOf(chosen, c);
            pre = Arrays.copyOf(pre, c);
            done = Arrays.copyOf(done, c);
            back = Arrays.copyOf(back, c);
            sleep = Arrays.copyOf(sleep, c);
            fpOf = Arrays.copyOf(fpOf, c);
            cap = c;
        }

        int cost(int f, int c) {
            return cur[f] >= 0 && c != cur[f] ? 1 : 0;
        }

        /** Record node k as first reached: its enabled set, current CPU, preemptions so far. */
        void enter(int k, int current, int m) {
            ensure(k + 1);
            mask[k] = m;
            cur[k] = current;
            pre[k] = k == 0 ? 0 : pre[k - 1] + cost(k - 1, chosen[k - 1]);
        }

        /**
         * Completed fraction of the tree below node {@code from}, estimated on the current
         * path of {@code depth} nodes: at each node the completed siblings' share of its weight.
         */
        double coverage(int from, int depth, int bound, boolean dporFrames) {
            double covered = 0;
            double weight = 1;
            for (int f = from; f < depth; f++) {
                int known;
                if (dporFrames) {
                    known = done[f] | (back[f] & mask[f] & ~sleep[f]);
                } else {
                    known = 0;
                    for (int c = 0; c < 32; c++) {
                        if ((mask[f] & (1 << c)) != 0 && pre[f] + cost(f, c) <= bound) {
                            known |= 1 << c;
                        }
                    }
                    known |= 1 << chosen[f];
                }
                int total = Integer.bitCount(known);
                int completed = Integer.bitCount(done[f] & known) - 1;
                covered += weight * completed / total;
                weight /= total;
            }
            return Math.min(1, covered + weight);
        }

        // -------------------------------------------------------------- plain dfs

        /** DFS with a preemption bound over the tree of scheduling choices, below a fixed prefix. */
        Result plain(int[] root) {
            final int from = root.length;
            int depth = 0; // frames valid
            int[] prefix = root;
            int bound = o.bound < 0 ? Integer.MAX_VALUE : o.bound;
            boolean cut = false;
            while (true) {
                final int[] p = prefix;
                final int valid = depth;
                Executor.Run r = exec((node, current, m) -> {
                    if (node >= valid) {
                        enter(node, current, m);
                    }
                    int c = node < p.length ? p[node] : current >= 0 ? current : Integer.numberOfTrailingZeros(m);
                    if (node >= valid) {
                        chosen[node] = c;
                        done[node] = 1 << c;
                    }
                    return c;
                }, false);
                for (int i = depth; i < r.nodes; i++) {
                    states++;
                }
                depth = r.nodes;
                if (o.stats) {
                    classes.add(analyseForStats(r, null, 0, valid));
                }
                if (r.failed()) {
                    return found(r, "dfs without reduction, " + boundText());
                }
                // backtrack
                int f = depth - 1;
                int next = -1;
                for (; f >= from; f--) {
                    int cand = mask[f] & ~done[f];
                    while (cand != 0) {
                        int c = Integer.numberOfTrailingZeros(cand);
                        cand &= cand - 1;
                        if (pre[f] + cost(f, c) <= bound) {
                            next = c;
                            break;
                        }
                        cut = true;
                    }
                    if (next >= 0) {
                        break;
                    }
                }
                if (f < from) {
                    return new Result(Verdict.SAFE_WITHIN_BOUND, executions, states, elapsed(), maxNodes, null,
                            "dfs without reduction exhausted every schedule with " + (o.bound < 0 ? "any number of" : "at most " + o.bound)
                                    + " preemptions", 1, stats(cut));
                }
                if (outOfBudget()) {
                    double c = coverage(from, depth, bound, false);
                    return new Result(Verdict.INCONCLUSIVE, executions, states, elapsed(), maxNodes, null,
                            String.format("dfs without reduction stopped by its budget: %.1f%% covered", 100 * c), c, stats(cut));
                }
                done[f] |= 1 << next;
                chosen[f] = next;
                depth = f + 1;
                prefix = Arrays.copyOf(chosen, depth);
            }
        }

        // -------------------------------------------------------------- source-DPOR

        /**
         * Source-DPOR with sleep sets (Abdulla et al. 2014, algorithm 1), executions by
         * re-execution along a prefix, races analysed once per execution ({@link Dpor#analyse}).
         *
         * <p>The preemption bound on top: an execution is abandoned where continuing it would
         * need a preemption beyond the bound (a sleeping current CPU forces a switch), and a
         * race is not reversed where the reversal would cost more than the bound allows at the
         * state before it; when a reversal at a node is added, the same CPU is also added at the
         * start of the run of events of one CPU that contains that node (a context switch point,
         * where it costs no extra preemption: the conservative branch of Coons, Musuvathi and
         * McKinley, "Bounded partial-order reduction", OOPSLA 2013). Preemptions are counted on
         * the explored representative of each class. So "safe within bound k" means: every class
         * explored had a representative with at most k preemptions and none failed; a class
         * whose every representative the search would reach needs more than k preemptions is
         * not covered, and DPOR with a bound is not complete for "every schedule with at most k
         * preemptions" in general. When the bound never cut anything ({@code boundReached}
         * false) the search is the unbounded one and the verdict holds for every interleaving.
         */
        Result dpor(int[] root) {
            final int from = root.length;
            final int bound = o.bound < 0 ? Integer.MAX_VALUE : o.bound;
            final boolean useSleep = o.bound < 0 || SLEEP_WITH_BOUND;
            int depth = 0;
            int[] prefix = root;
            boolean[] cut = {false};
            while (true) {
                final int[] p = prefix;
                final int valid = depth; // frames below this index describe the prefix
                final int fresh = Math.max(from, p.length - 1); // the node whose choice is new (or the subtree root)
                Executor.Run r = exec((node, current, m) -> {
                    if (node > 0 && node - 1 >= fresh) {
                        fpOf[node - 1][chosen[node - 1]] = ex.run().footprints[node - 1];
                    }
                    if (node < p.length) {
                        if (node >= valid) {
                            enter(node, current, m);
                            chosen[node] = p[node];
                            done[node] = back[node] = 1 << p[node];
                            sleep[node] = 0;
                            fpOf[node] = new long[ex.cpus()][];
                        }
                        return p[node];
                    }
                    enter(node, current, m);
                    long[][] row = fpOf[node] == null ? new long[ex.cpus()][] : fpOf[node];
                    Arrays.fill(row, null);
                    fpOf[node] = row;
                    int sl = 0;
                    if (node > from && useSleep) {
                        int pc = chosen[node - 1];
                        long[] ev = ex.run().footprints[node - 1];
                        int base = (sleep[node - 1] | done[node - 1]) & ~(1 << pc);
                        for (int q = 0; base != 0; q++, base >>>= 1) {
                            if ((base & 1) != 0 && !Dpor.dependent(fpOf[node - 1][q], ev)) {
                                sl |= 1 << q;
                                row[q] = fpOf[node - 1][q];
                            }
                        }
                    }
                    sleep[node] = sl;
                    int allowed = m & ~sl;
                    if (allowed == 0) {
                        blocked++;
                        return -1; // every enabled CPU asleep: an equivalent execution was explored
                    }
                    int c = current >= 0 && (allowed & (1 << current)) != 0 ? current : Integer.numberOfTrailingZeros(allowed);
                    if (pre[node] + cost(node, c) > bound) {
                        pruned++;
                        cut[0] = true;
                        return -1;
                    }
                    chosen[node] = c;
                    done[node] = back[node] = 1 << c;
                    return c;
                }, true);
                int n = r.nodes;
                if (n > 0 && n - 1 >= fresh) {
                    fpOf[n - 1][chosen[n - 1]] = r.footprints[n - 1];
                }
                states += Math.max(0, n - Math.min(valid, n));
                depth = n;
                if (r.failed()) {
                    if (classes != null) {
                        classes.add(Dpor.analyse(r, null, 0)); // counted as the plain search counts it
                    }
                    return found(r, "dfs with partial-order reduction, " + boundText());
                }
                long h = analyseForStats(r, (i, initials, later) -> addBacktrack(i, initials, from, bound, cut), from, valid);
                if (classes != null && !r.abandoned) {
                    classes.add(h);
                }
                int f = depth - 1;
                int next = -1;
                for (; f >= from; f--) {
                    int cand = back[f] & mask[f] & ~done[f] & ~sleep[f];
                    if (cand != 0) {
                        next = Integer.numberOfTrailingZeros(cand);
                        break;
                    }
                }
                if (f < from) {
                    String how = useSleep ? "(source-DPOR, sleep sets)" : "(source-DPOR; no sleep sets under a bound)";
                    String note = !cut[0] ? "dfs with partial-order reduction " + how + " explored every interleaving class"
                            + (o.bound < 0 ? "" : " (the preemption bound " + o.bound + " was never reached)")
                            + ": safe for any number of preemptions"
                            : "dfs with partial-order reduction " + how + " explored every class with a representative of at most "
                                    + o.bound + " preemptions";
                    return new Result(Verdict.SAFE_WITHIN_BOUND, executions, states, elapsed(), maxNodes, null, note, 1, stats(cut[0]));
                }
                if (outOfBudget()) {
                    double c = coverage(from, depth, bound, true);
                    return new Result(Verdict.INCONCLUSIVE, executions, states, elapsed(), maxNodes, null,
                            String.format("dfs with partial-order reduction stopped by its budget: %.1f%% covered", 100 * c), c, stats(cut[0]));
                }
                done[f] |= 1 << next;
                chosen[f] = next;
                depth = f + 1;
                prefix = Arrays.copyOf(chosen, depth);
            }
        }

        /** Source-DPOR's backtrack rule for one race at node i (with the bound's conservative branch). */
        void addBacktrack(int i, int initials, int from, int bound, boolean[] cut) {
            boolean added = addAt(i, initials, bound);
            if (!added && (initials & mask[i]) != 0) {
                // the reversal itself is beyond the bound (the conservative branch below may
                // still reach an equivalent execution, but the claim is now the bounded one)
                refused++;
                cut[0] = true;
            }
            if (bound != Integer.MAX_VALUE) {
                // the conservative branch: the same reversal at the start of the block of events
                // of one CPU containing i, where it costs no more preemptions than the switch
                // that started the block
                int k = i;
                while (k > from && chosen[k - 1] == chosen[k]) {
                    k--;
                }
                if (k < i) {
                    addAt(k, initials, bound);
                }
            }
        }

        /** Add an initial at node f unless one is there already; false if none was affordable. */
        boolean addAt(int f, int initials, int bound) {
            if ((initials & (back[f] | sleep[f])) != 0) {
                return true;
            }
            int cands = initials & mask[f];
            if (cands == 0) {
                return false; // not reversible here (the later CPU was blocked)
            }
            if (cur[f] >= 0 && (cands & (1 << cur[f])) != 0) {
                back[f] |= 1 << cur[f];
                return true;
            }
            for (int c = cands; c != 0; c &= c - 1) {
                int x = Integer.numberOfTrailingZeros(c);
                if (pre[f] + cost(f, x) <= bound) {
                    back[f] |= 1 << x;
                    return true;
                }
            }
            return false;
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
                Executor.Run r = exec(ch, false);
                states += r.nodes;
                estimate = Math.max(estimate, r.nodes);
                if (r.failed()) {
                    return found(r, o.strategy.name().toLowerCase(Locale.ROOT) + ", seed " + o.seed + ", execution " + executions);
                }
            }
            return new Result(Verdict.NO_VIOLATION_FOUND, executions, states, elapsed(), maxNodes, null,
                    o.strategy.name().toLowerCase(Locale.ROOT) + " found no violation within its budget (not a proof)", Double.NaN,
                    stats(false));
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

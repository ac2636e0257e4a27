package org.ptlab.explore;

import java.util.Arrays;

/**
 * The independence relation of the explorer's events and the analysis of one execution for
 * source-DPOR (Abdulla, Aronis, Jonsson, Sagonas, "Optimal dynamic partial order reduction",
 * POPL 2014, algorithm 1 with sleep sets).
 *
 * <p><b>Events and footprints.</b> An event is one CPU's step from a scheduling point to its
 * next one: the access the point announced, plus whatever the CPU's code does before it reaches
 * the next point (local computation, writes into a table it has not yet published, operation
 * markers). {@link Executor} records, for every event, its footprint: the set of shared objects
 * the step read or wrote, each as one {@code long} word (object tag, object id, write bit), from
 * the point's kind and the accessor layer's observer callbacks. Footprints are observed, not
 * predicted, so a walk whose path depends on what it reads records exactly the slots it read.
 *
 * <p><b>Independence.</b> Two events are dependent iff their footprints share an object that at
 * least one of them writes. Why each case is sound (two independent events commute: executed in
 * either order from the same state they leave the same state and each reads the same values):
 * <ul>
 *   <li>{@link #SLOT}: a descriptor word, by its address (table PA + 8 * index). Reads of the
 *       same slot commute (neither changes it); accesses to different slots commute (a
 *       descriptor read or write touches only its own 64-bit word in the table store:
 *       {@code TableStore.get/set}). A read and a write, or two writes, of one slot do not.
 *   <li>{@link #PAGE}: a table page as a whole. Every slot access also reads its page (the
 *       use-after-free check asks whether the page is live); allocation and free write it. So a
 *       free conflicts with every access to the freed table, and two accesses to live pages do
 *       not conflict through it.
 *   <li>{@link #ALLOCATOR}: the page-table page pool. Allocations and frees write it: which PA the
 *       next allocation returns depends on their order, so two of them never commute.
 *   <li>{@link #COUNTER}: one shared counter word ({@code Pgtable.counterAdd} is a read point and
 *       a write point). Updates of different counters commute; reads of one counter commute.
 *   <li>{@link #LOCK}: one lock, by name. An acquisition and a release write it; a contended
 *       acquisition that blocks reads it. Acquisitions of different locks commute (each changes
 *       only its own holder field). Locks are told apart by name: two locks sharing a name are
 *       treated as one (more dependence, still sound).
 *   <li>{@link #VIS}: the lazy-MMU visibility state of one slot ({@link Visibility}: a
 *       valid-making write to it not yet followed by the writer's dsb/isb). Written by every
 *       descriptor write to the slot (it creates or retires the entry) and by a barrier of the
 *       CPU whose entry it is; read by every walk ({@code touch}) through the slot, whether or
 *       not an entry exists: finding none is a read too, and a walk that finds the entry gone
 *       commutes with the barrier that retired it in no state. A barrier of a CPU with nothing
 *       outstanding touches no slot (only that CPU's own writes and barriers fill and empty
 *       its list) and commutes with everything.
 *   <li>{@link #HW}: the hardware model as a whole (every CPU's TLBs and walk caches, its hazard
 *       checks). Without {@code hw:} in the machine there are no TLBs: a TLBI then changes nothing
 *       and commutes with everything. With it, every event whose step enters the hardware model
 *       writes HW: a walk (it reads the tables along its VA and fills that CPU's TLB), a
 *       descriptor write (the model checks every CPU's TLBs for a conflicting entry), a table
 *       free (it checks every walk cache), a TLBI (a broadcast one changes every CPU's TLB), a
 *       DSB (it completes deferred TLBIs), and an operation's begin and end (the stale
 *       translation check at the end reads every CPU's TLB). One object for all of it is coarse
 *       (per-CPU TLB state would let two walks of different CPUs commute) but plainly sound.
 * </ul>
 * State outside the accessor layer (Java fields of kernel classes such as the collapse scanner's
 * cursor and dirty bits, the kernel's WARN count) is either only written (statistics, WARN
 * count, which is compared by number) or accessed under a lock that is in the footprint, so
 * accesses to it are ordered by that lock's dependence. An unpublished table is written without
 * a scheduling point but its writes are still in the footprint, as {@link #SLOT} writes.
 *
 * <p><b>Analysis.</b> Happens-before is the transitive closure of program order and dependence;
 * vector clocks give it per event. A race is a pair of dependent events of different CPUs with
 * the first happening before the second through no other event. For each race (e, e'),
 * source-DPOR computes v = notdep(e).e' (the events after e not happening after it, then e') and
 * its initials (CPUs whose first event in v has no predecessor in v); unless one initial is
 * already to be explored (or asleep) at the state before e, it adds one. Races whose initials
 * are all disabled there (a release followed by a blocked CPU's acquisition) are not reversible.
 * The same pass computes a canonical hash of the execution's happens-before relation (its
 * Mazurkiewicz trace): for every event, its CPU, its position in that CPU's program, its
 * footprint, and for each object in it the event that last wrote that object; two executions
 * have the same hash iff (up to hash collisions) they are equivalent.
 */
final class Dpor {
    static final long SLOT = 1;
    static final long PAGE = 2;
    static final long COUNTER = 3;
    static final long LOCK = 4;
    static final long ALLOCATOR = 5;
    static final long VIS = 6;
    static final long HW = 7;

    private static final long ID_MASK = (1L << 57) - 1;

    private Dpor() {}

    /** A footprint word: tag in bits 58..60, id in bits 1..57, write in bit 0. */
    static long word(long tag, long id, boolean write) {
        return (tag << 58) | ((id & ID_MASK) << 1) | (write ? 1 : 0);
    }

    static long object(long word) {
        return word >>> 1;
    }

    static boolean writes(long word) {
        return (word & 1) != 0;
    }

    /** Sort, drop duplicates, and keep one word per object (a write when either access wrote). */
    static long[] normalise(long[] buf, int len) {
        if (len == 0) {
            return EMPTY;
        }
        long[] a = Arrays.copyOf(buf, len);
        Arrays.sort(a);
        int k = 0;
        for (int i = 0; i < len; i++) {
            long w = a[i];
            if (k > 0 && object(a[k - 1]) == object(w)) {
                a[k - 1] |= w & 1;
            } else {
                a[k++] = w;
            }
        }
        return k == len ? a : Arrays.copyOf(a, k);
    }

    static final long[] EMPTY = new long[0];

    /** Whether two events with these (normalised) footprints are dependent. */
    static boolean dependent(long[] a, long[] b) {
        if (a == null || b == null) {
            return true; // unknown: assume the worst
        }
        int i = 0;
        int j = 0;
        while (i < a.length && j < b.length) {
            long oa = object(a[i]);
            long ob = object(b[j]);
            if (oa == ob) {
                if (((a[i] | b[j]) & 1) != 0) {
                    return true;
                }
                i++;
                j++;
            } else if (oa < ob) {
                i++;
            } else {
                j++;
            }
        }
        return false;
    }

    /** Receives the races of an execution. */
    interface RaceSink {
        /**
         * A reversible-race candidate: event {@code i} (by CPU {@code p}) and a later dependent
         * event of another CPU; {@code initials} = the CPUs that can start v = notdep(i).j at the
         * state before i.
         */
        void race(int i, int initials, int laterCpu);
    }

    /** Per-object access history during the pass. */
    private static final class Obj {
        int lastWrite = -1;
        int[] reads = new int[4];
        int nReads;
    }

    /**
     * One pass over the execution: vector clocks, races (to the sink, may be null), and the
     * canonical hash of the happens-before relation (returned). Events from {@code from} on only
     * are reported as race sources (the nodes above a subtree's root are fixed).
     */
    static long analyse(Executor.Run r, RaceSink sink, int from) {
        return analyse(r, sink, from, null);
    }

    /**
     * As {@link #analyse(Executor.Run, RaceSink, int)}, also giving, for every node j, the
     * canonical hash of the happens-before relation of the events before it: equal hashes mean
     * equivalent prefixes, hence (the events being deterministic and equivalent prefixes
     * commuting into each other) the same modelled state, every CPU at the same point of its
     * program with the same values read.
     */
    static long analyse(Executor.Run r, RaceSink sink, int from, long[] prefixHash) {
        int n = r.width;
        int m = r.nodes;
        int[] thread = new int[m];
        int[] pos = new int[m];
        int[][] vc = new int[m][];
        int[] count = new int[n];
        int[] lastOf = new int[n];
        Arrays.fill(lastOf, -1);
        java.util.HashMap<Long, Obj> objs = new java.util.HashMap<>();
        int[] cand = new int[16];
        long hash = 0x9E3779B97F4A7C15L;
        for (int j = 0; j < m; j++) {
            if (prefixHash != null) {
                prefixHash[j] = hash;
            }
            int t = r.choices[j];
            thread[j] = t;
            pos[j] = ++count[t];
            long[] fp = r.footprints[j];
            int nc = 0;
            long eh = mix(t * 0x100000001L + pos[j]);
            if (fp != null) {
                for (long w : fp) {
                    Long key = object(w);
                    Obj o = objs.get(key);
                    if (o == null) {
                        o = new Obj();
                        objs.put(key, o);
                    }
                    long lw = o.lastWrite < 0 ? -1 : (thread[o.lastWrite] * 0x100000001L + pos[o.lastWrite]);
                    eh += mix(w * 31 + mix(lw));
                    if (o.lastWrite >= 0) {
                        if (nc == cand.length) {
                            cand = Arrays.copyOf(cand, nc * 2);
                        }
                        cand[nc++] = o.lastWrite;
                    }
                    if (writes(w)) {
                        for (int k = 0; k < o.nReads; k++) {
                            if (nc == cand.length) {
                                cand = Arrays.copyOf(cand, nc * 2);
                            }
                            cand[nc++] = o.reads[k];
                        }
                        o.lastWrite = j;
                        o.nReads = 0;
                    } else {
                        if (o.nReads == o.reads.length) {
                            o.reads = Arrays.copyOf(o.reads, o.nReads * 2);
                        }
                        o.reads[o.nReads++] = j;
                    }
                }
            }
            hash += mix(eh);
            int prev = lastOf[t];
            int[] c = prev < 0 ? new int[n] : vc[prev].clone();
            for (int k = 0; k < nc; k++) {
                int[] o = vc[cand[k]];
                for (int x = 0; x < n; x++) {
                    if (o[x] > c[x]) {
                        c[x] = o[x];
                    }
                }
            }
            c[t] = pos[j];
            vc[j] = c;
            lastOf[t] = j;
            if (sink != null) {
                for (int k = 0; k < nc; k++) {
                    int i = cand[k];
                    if (i < from || thread[i] == t || isDuplicate(cand, k, i)) {
                        continue;
                    }
                    int ti = thread[i];
                    if (prev >= 0 && vc[prev][ti] >= pos[i]) {
                        continue; // i happens before j's program-order predecessor
                    }
                    boolean immediate = true;
                    for (int q = 0; q < nc && immediate; q++) {
                        int o = cand[q];
                        if (o != i && o > i && vc[o][ti] >= pos[i]) {
                            immediate = false; // i -> o -> j
                        }
                    }
                    if (immediate) {
                        sink.race(i, initials(r, thread, pos, vc, i, j), t);
                    }
                }
            }
        }
        return hash;
    }

    private static boolean isDuplicate(int[] cand, int k, int i) {
        for (int q = 0; q < k; q++) {
            if (cand[q] == i) {
                return true;
            }
        }
        return false;
    }

    /** Initials of notdep(i).j at the state before i, as a CPU mask. */
    private static int initials(Executor.Run r, int[] thread, int[] pos, int[][] vc, int i, int j) {
        int n = r.width;
        int ti = thread[i];
        int pi = pos[i];
        int[] first = new int[n];
        Arrays.fill(first, -1);
        int seen = 0;
        for (int k = i + 1; k < j && seen != (1 << n) - 1; k++) {
            int t = thread[k];
            if (first[t] >= 0 || vc[k][ti] >= pi) {
                continue; // not the first of its CPU, or happens after i
            }
            first[t] = k;
            seen |= 1 << t;
        }
        if (first[thread[j]] < 0) {
            first[thread[j]] = j;
        }
        int mask = 0;
        for (int t = 0; t < n; t++) {
            int f = first[t];
            if (f < 0) {
                continue;
            }
            boolean initial = true;
            for (int u = 0; u < n && initial; u++) {
                int g = first[u];
                if (u != t && g >= 0 && g < f && vc[f][u] >= pos[g]) {
                    initial = false;
                }
            }
            if (initial) {
                mask |= 1 << t;
            }
        }
        return mask;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}

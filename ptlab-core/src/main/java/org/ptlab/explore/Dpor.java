package org.ptlab.explore;

import org.ptlab.pgtable.Sched.Point;

/**
 * Dynamic partial-order reduction (Flanagan and Godefroid, POPL 2005) over the events of one
 * execution: for every state and every CPU's next access, find the last earlier event of another
 * CPU that conflicts with it and does not happen before it, and add a backtrack point there. Two
 * accesses conflict when they touch the same descriptor slot or counter word and one writes;
 * lock operations all conflict with each other (the accessor layer does not name the lock at the
 * point); table allocation and free conflict with each other and with descriptor accesses; a
 * walker access (TRANSLATE) conflicts with descriptor writes, barriers, TLB maintenance and
 * allocation. Exploring every backtrack point covers every Mazurkiewicz trace, so every final
 * state and every violation reachable by any interleaving.
 */
final class Dpor {
    private static final int READ = Point.READ.ordinal();
    private static final int WRITE = Point.WRITE.ordinal();
    private static final int CREAD = Point.COUNTER_READ.ordinal();
    private static final int CWRITE = Point.COUNTER_WRITE.ordinal();
    private static final int LOCK = Point.LOCK.ordinal();
    private static final int UNLOCK = Point.UNLOCK.ordinal();
    private static final int TLBI = Point.TLBI.ordinal();
    private static final int BARRIER = Point.BARRIER.ordinal();
    private static final int ALLOC = Point.ALLOC.ordinal();
    private static final int FREE = Point.FREE.ordinal();
    private static final int TRANSLATE = Point.TRANSLATE.ordinal();

    private Dpor() {}

    static boolean dependent(int k1, long a1, int k2, long a2) {
        if (k1 < 0 || k2 < 0) {
            return false;
        }
        if ((k1 == READ || k1 == WRITE) && (k2 == READ || k2 == WRITE)) {
            return a1 == a2 && (k1 == WRITE || k2 == WRITE);
        }
        if ((k1 == CREAD || k1 == CWRITE) && (k2 == CREAD || k2 == CWRITE)) {
            return a1 == a2 && (k1 == CWRITE || k2 == CWRITE);
        }
        if (k1 == CREAD || k1 == CWRITE || k2 == CREAD || k2 == CWRITE) {
            return false;
        }
        boolean l1 = k1 == LOCK || k1 == UNLOCK;
        boolean l2 = k2 == LOCK || k2 == UNLOCK;
        if (l1 || l2) {
            return l1 && l2;
        }
        boolean m1 = k1 == ALLOC || k1 == FREE;
        boolean m2 = k2 == ALLOC || k2 == FREE;
        if (m1 && m2) {
            return true;
        }
        if (k1 == TRANSLATE || k2 == TRANSLATE) {
            int o = k1 == TRANSLATE ? k2 : k1;
            return o == WRITE || o == BARRIER || o == TLBI || o == ALLOC || o == FREE;
        }
        if (m1 || m2) {
            int o = m1 ? k2 : k1;
            return o == READ || o == WRITE;
        }
        return false;
    }

    /**
     * Add the backtrack points the execution calls for.
     *
     * @param backtrack per node, the CPUs to explore there (updated)
     */
    static void analyse(Executor.Run r, int[] backtrack) {
        int n = r.width;
        int m = r.nodes;
        int[] evKind = new int[m];
        long[] evAddr = new long[m];
        int[] evProc = new int[m];
        int[][] vc = new int[m][];
        int[][] procClock = new int[n][n];
        for (int j = 0; j < m; j++) {
            int p = r.choices[j];
            evProc[j] = p;
            evKind[j] = r.pendKind[j * n + p];
            evAddr[j] = r.pendAddr[j * n + p];
        }
        for (int k = 0; k < m; k++) {
            // state k: before event k. For every CPU with a next access, look back.
            for (int p = 0; p < n; p++) {
                int nk = r.pendKind[k * n + p];
                if (nk < 0) {
                    continue; // not started (no shared access yet) or finished
                }
                long na = r.pendAddr[k * n + p];
                int[] pc = procClock[p];
                for (int i = k - 1; i >= 0; i--) {
                    int q = evProc[i];
                    if (q == p || !dependent(evKind[i], evAddr[i], nk, na)) {
                        continue;
                    }
                    if (vc[i][q] <= pc[q]) {
                        continue; // i happens before p's next access: no race with it
                    }
                    if ((r.enabled[i] & (1 << p)) != 0) {
                        backtrack[i] |= 1 << p;
                    } else {
                        backtrack[i] |= r.enabled[i];
                    }
                    break;
                }
            }
            // execute event k: its clock joins every earlier dependent event's clock
            int p = evProc[k];
            int[] c = procClock[p].clone();
            for (int i = 0; i < k; i++) {
                if (evProc[i] != p && dependent(evKind[i], evAddr[i], evKind[k], evAddr[k])) {
                    int[] o = vc[i];
                    for (int x = 0; x < n; x++) {
                        if (o[x] > c[x]) {
                            c[x] = o[x];
                        }
                    }
                }
            }
            c[p] = k + 1;
            vc[k] = c;
            procClock[p] = c;
        }
    }
}

package org.ptlab.explore;

import java.util.Arrays;

/**
 * Shrinks a failing schedule: repeatedly tries to replace one non-default choice (a preemption,
 * or a non-lowest first pick) by the default, keeping later choices where they are still enabled,
 * and accepts the result when the same kind of violation still occurs with fewer preemptions or
 * a shorter schedule. Every accepted candidate is an execution that was actually run.
 */
final class Minimiser {
    private static final int MAX_TRIES = 400;

    private Minimiser() {}

    static int[] minimise(Executor ex, ExploreScenario sc, int[] schedule, String kind, int stepLimit) {
        Executor.Run best = ex.execute(sc, Explorer.prefixChooser(schedule), stepLimit, null);
        if (!best.failed()) {
            return schedule;
        }
        int[] bestS = Explorer.trim(best);
        int tries = 0;
        boolean improved = true;
        while (improved && tries < MAX_TRIES) {
            improved = false;
            for (int i = bestS.length - 1; i >= 0 && tries < MAX_TRIES; i--) {
                int def = best.currents[i] >= 0 ? best.currents[i] : Integer.numberOfTrailingZeros(best.enabled[i]);
                if (bestS[i] == def) {
                    continue;
                }
                int[] cand = Arrays.copyOf(bestS, bestS.length);
                cand[i] = def;
                Executor.Run r = ex.execute(sc, Explorer.prefixChooser(cand), stepLimit, null);
                tries++;
                if (r.failed() && r.violationKind.equals(kind)) {
                    int[] t = Explorer.trim(r);
                    if (r.preemptions() < best.preemptions() || (r.preemptions() == best.preemptions() && t.length < bestS.length)) {
                        best = r;
                        bestS = t;
                        improved = true;
                        break;
                    }
                }
            }
        }
        return bestS;
    }
}

package org.ptlab.sweep;

import java.util.List;
import org.ptlab.explore.ExploreScenario;
import org.ptlab.explore.Explorer;

/**
 * The sweep's one door to the explorer's subtree hand-off (issue 17's {@link Explorer#prefixes},
 * {@link Explorer#exploreSubtree}): list the schedule prefixes that cut a bounded DFS into
 * subtrees, and explore one subtree. Campaigns use only this.
 */
final class Subtrees {
    private Subtrees() {}

    /** The prefixes of depth scheduling points within o's bound, in the DFS's order. */
    static List<int[]> prefixes(ExploreScenario sc, Explorer.Options o, int depth) {
        return Explorer.prefixes(sc, o, depth);
    }

    /** The DFS of the subtree below prefix, with o's bound. */
    static Explorer.Result explore(ExploreScenario sc, Explorer.Options o, int[] prefix) {
        return Explorer.exploreSubtree(sc, o, prefix);
    }

    /** A verdict's name in rows: safe, no-violation-found, violation (and any later one, lower case). */
    static String verdict(Explorer.Verdict v) {
        return v == Explorer.Verdict.SAFE_WITHIN_BOUND ? "safe" : v.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}

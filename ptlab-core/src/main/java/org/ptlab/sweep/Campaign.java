package org.ptlab.sweep;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import org.ptlab.explore.ExploreScenario;
import org.ptlab.explore.Explorer;
import org.ptlab.explore.ScheduleFile;
import org.ptlab.yaml.YNode;

/**
 * An exploration campaign (issue 15): one explore scenario searched as many independent work
 * units, merged into the verdict a single-machine {@code ptlab explore} with the same bound gives.
 *
 * <ul>
 *   <li>{@code dfs}: the bounded DFS tree cut at {@code split-depth} scheduling points
 *       ({@link Explorer#prefixes}); each unit explores one prefix's subtree. The subtrees partition
 *       the tree and are listed in DFS order, so the first violating unit holds the violation the
 *       whole search meets first, and minimising it gives the same counterexample; no violation in
 *       any unit proves the scenario safe within the bound.
 *   <li>{@code random}, {@code pct}: seeds {@code first..last}, {@code seeds-per-unit} of them per
 *       unit, {@code executions} executions per seed: unit results are those of
 *       {@code ptlab explore --strategy S --seed N --executions E}; the first violating seed wins.
 * </ul>
 */
public final class Campaign {
    private Campaign() {}

    /** The campaign: section of a sweep file. */
    public record Spec(Explorer.Strategy strategy, int bound, int splitDepth, long firstSeed, long lastSeed, int seedsPerUnit,
            long executions, int pctDepth) implements Serializable {
        private static final long serialVersionUID = 1L;

        static Spec parse(YNode n) {
            n.map("campaign");
            n.allowKeys("campaign", "strategy", "bound", "split-depth", "seeds", "seeds-per-unit", "executions", "pct-depth");
            YNode s = n.get("strategy");
            Explorer.Strategy st;
            try {
                st = s == null ? Explorer.Strategy.DFS : Explorer.Strategy.parse(s.str("strategy"));
            } catch (IllegalArgumentException e) {
                throw s.error(e.getMessage());
            }
            int bound = n.get("bound") == null ? 2 : (int) n.get("bound").integer("bound", 0, 64);
            int depth = n.get("split-depth") == null ? 4 : (int) n.get("split-depth").integer("split-depth", 0, 64);
            long first = 1;
            long last = 1;
            YNode seeds = n.get("seeds");
            if (seeds != null) {
                String t = seeds.str("seeds");
                int dots = t.indexOf("..");
                try {
                    first = Long.parseLong((dots < 0 ? t : t.substring(0, dots)).trim());
                    last = dots < 0 ? first : Long.parseLong(t.substring(dots + 2).trim());
                } catch (NumberFormatException e) {
                    throw seeds.error("bad seeds '" + t + "': expected FIRST..LAST, e.g. 1..64");
                }
                if (last < first) {
                    throw seeds.error("empty product: seeds " + t + " is an empty range");
                }
            }
            int per = n.get("seeds-per-unit") == null ? 1 : (int) n.get("seeds-per-unit").integer("seeds-per-unit", 1, 1_000_000);
            long ex = n.get("executions") == null ? 1000 : n.get("executions").integer("executions", 1, Long.MAX_VALUE);
            int pd = n.get("pct-depth") == null ? 3 : (int) n.get("pct-depth").integer("pct-depth", 1, 64);
            if (st == Explorer.Strategy.DFS && (seeds != null || n.get("seeds-per-unit") != null)) {
                throw n.keyNode(seeds != null ? "seeds" : "seeds-per-unit").error("seeds are for random and pct campaigns; dfs splits by split-depth");
            }
            if (st != Explorer.Strategy.DFS && n.get("split-depth") != null) {
                throw n.keyNode("split-depth").error("split-depth is for dfs campaigns; random and pct split by seeds");
            }
            return new Spec(st, bound, depth, first, last, per, ex, pd);
        }

        public String describe() {
            return switch (strategy) {
                case DFS -> "dfs, preemption bound " + bound + ", split at depth " + splitDepth;
                case RANDOM, PCT -> strategy.name().toLowerCase(Locale.ROOT) + (strategy == Explorer.Strategy.PCT ? " depth " + pctDepth : "")
                        + ", seeds " + firstSeed + ".." + lastSeed + ", " + executions + " executions per seed, " + seedsPerUnit + " seed(s) per unit";
            };
        }
    }

    /** The work units of a campaign sweep, in merge order. */
    public static List<Job> units(SweepSpec s) {
        Spec c = s.campaign;
        LinkedHashMap<String, String> opts = new LinkedHashMap<>(s.base.options());
        opts.put("strategy", c.strategy().name().toLowerCase(Locale.ROOT));
        opts.put("bound", Integer.toString(c.bound()));
        opts.put("pct-depth", Integer.toString(c.pctDepth()));
        if (c.strategy() != Explorer.Strategy.DFS) {
            opts.put("executions", Long.toString(c.executions()));
        }
        Job.Base base = new Job.Base(s.kind, s.base.file(), s.base.text(), opts);
        List<Job> l = new ArrayList<>();
        if (c.strategy() == Explorer.Strategy.DFS) {
            Job j0 = new Job(0, new LinkedHashMap<>(), base);
            for (int[] p : Subtrees.prefixes(Jobs.scenario(j0), Jobs.options(j0), c.splitDepth())) {
                LinkedHashMap<String, String> ax = new LinkedHashMap<>();
                ax.put("prefix", p.length == 0 ? "-" : ScheduleFile.encode(p));
                l.add(new Job(l.size(), ax, base));
            }
        } else {
            for (long a = c.firstSeed(); a <= c.lastSeed(); a += c.seedsPerUnit()) {
                long b = Math.min(c.lastSeed(), a + c.seedsPerUnit() - 1);
                LinkedHashMap<String, String> ax = new LinkedHashMap<>();
                ax.put("seeds", a == b ? Long.toString(a) : a + "-" + b);
                l.add(new Job(l.size(), ax, base));
            }
        }
        return l;
    }

    /** The merged verdict: what one machine would say. */
    public record Merged(String verdict, int status, Row first, long executions, String text, ScheduleFile replay) {}

    /** Merge the unit rows (sorted by point, complete or not). */
    public static Merged merge(SweepSpec s, List<Row> rows, int total) {
        Spec c = s.campaign;
        long ex = 0;
        int errors = 0;
        Row first = null;
        for (Row r : rows) {
            Object e = r.get("executions");
            ex += e instanceof Number n ? n.longValue() : 0;
            if (r.verdict().equals("error") || r.verdict().equals("inconclusive")) {
                errors++;
            } else if (first == null && r.verdict().equals("violation")) {
                first = r;
            }
        }
        StringBuilder t = new StringBuilder();
        t.append("campaign ").append(s.base.file()).append(": ").append(c.describe()).append('\n');
        t.append(rows.size()).append(" of ").append(total).append(" units done, ").append(String.format(Locale.ROOT, "%,d", ex))
                .append(" executions").append(errors > 0 ? ", " + errors + " failed" : "").append('\n');
        ScheduleFile replay = null;
        String verdict;
        int status;
        if (first != null) {
            // a violation stands whatever the other units say; the first in unit order is the one
            // a single search meets first only when every unit before it completed
            boolean before = true;
            for (Row r : rows) {
                if (r == first) {
                    break;
                }
                before &= !r.verdict().equals("error") && !r.verdict().equals("inconclusive");
            }
            before &= first.point() == indexOfFirstMissing(rows, first.point());
            verdict = "VIOLATION";
            status = 1;
            t.append("result: VIOLATION ").append(first.get("violation_kind")).append(": ").append(first.get("detail")).append('\n');
            t.append("found by unit ").append(first.point()).append(" (").append(unitLabel(first)).append("), ")
                    .append(first.get("preemptions")).append(" preemption(s), minimised")
                    .append(before ? "" : " (earlier units incomplete: a single search might report another)").append('\n');
            ExploreScenario sc = Jobs.scenario(new Job(0, new LinkedHashMap<>(), s.base));
            replay = new ScheduleFile(sc.source(), sc.machine().variants, sc.mutations(),
                    first.get("violation_kind") + ": " + first.get("detail"), ScheduleFile.decode(String.valueOf(first.get("schedule"))));
            t.append("schedule: ").append(first.get("schedule")).append('\n');
        } else if (errors > 0 || rows.size() < total) {
            verdict = "INCONCLUSIVE";
            status = 3;
            t.append("result: INCONCLUSIVE (").append(total - rows.size() + errors).append(" unit(s) without a result)\n");
        } else if (c.strategy() == Explorer.Strategy.DFS) {
            verdict = "SAFE";
            status = 0;
            t.append("result: SAFE within the bound (every subtree exhausted with at most ").append(c.bound()).append(" preemptions)\n");
        } else {
            verdict = "NO-VIOLATION-FOUND";
            status = 0;
            t.append("result: no violation found (").append(c.strategy().name().toLowerCase(Locale.ROOT)).append(", not a proof)\n");
        }
        return new Merged(verdict, status, first, ex, t.toString(), replay);
    }

    private static int indexOfFirstMissing(List<Row> rows, int upTo) {
        int i = 0;
        for (Row r : rows) {
            if (r.point() != i || i >= upTo) {
                break;
            }
            i++;
        }
        return i;
    }

    private static String unitLabel(Row r) {
        Object p = r.get("prefix");
        if (p != null) {
            return "prefix " + p;
        }
        return "seeds " + r.get("seeds") + ", seed " + r.get("seed_found");
    }
}

package org.ptlab.sweep;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.MapSize;
import org.ptlab.arch.Sizes;
import org.ptlab.check.Violation;
import org.ptlab.explore.ExploreScenario;
import org.ptlab.explore.Explorer;
import org.ptlab.explore.Mutation;
import org.ptlab.explore.ScenarioFile;
import org.ptlab.explore.ScheduleFile;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.MachineSpec;
import org.ptlab.kernel.Variants;
import org.ptlab.scenario.Scenario;
import org.ptlab.run.ScenarioRunner;
import org.ptlab.study.DegradationStudy;
import org.ptlab.source.MixedWorkload;
import org.ptlab.source.WorkloadSettings;
import org.ptlab.study.LatMemRdStudy;

/**
 * Runs one job and returns its row. Deterministic: the row holds only figures computed by the
 * model (no wall-clock times), so the same job gives the same bytes on any engine. A job that
 * fails records its error in the row ({@code verdict: error}) instead of throwing.
 */
public final class Jobs {
    private Jobs() {}

    private static volatile boolean ready;

    /** Register the variant families that live outside the kernel package (idempotent; executors call it too). */
    public static void init() {
        if (!ready) {
            synchronized (Jobs.class) {
                if (!ready) {
                    org.ptlab.kernel.VariantRegistry.standard(); // every family, the class path's services included, built once
                    ready = true;
                }
            }
        }
    }

    /** Run job and return its row as one line of JSON. */
    public static String execute(Job j) {
        return run(j).json();
    }

    public static Row run(Job j) {
        init();
        Row r = Row.start(j);
        try {
            switch (j.base().kind()) {
                case RUN -> run(j, r);
                case EXPLORE -> explore(j, r);
                case DEGRADATION -> degradation(j, r);
                case LAT_MEM_RD -> latMemRd(j, r);
            }
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            r = Row.start(j);
            r.put("verdict", "error");
            String m = e.getMessage();
            r.put("error", e.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse("")));
        }
        return r;
    }

    private static final PrintStream NULL = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);

    // ------------------------------------------------------------------ run: a scenario

    private static void run(Job j, Row row) {
        Scenario s = Scenario.parse(j.base().text(), j.base().file());
        MachineSpec over = new MachineSpec(); // the point's machine keys, laid over the file's machine: (as command-line options are)
        List<String> variants = new ArrayList<>();
        Integer checkEvery = null;
        for (Map.Entry<String, String> e : j.axes().entrySet()) {
            String k = e.getKey();
            String v = e.getValue();
            if (k.equals("check-every")) {
                checkEvery = Integer.parseInt(v);
            } else if (SweepSpec.MACHINE_KEYS.contains(k)) {
                over.set(k, v);
            } else {
                variants.add(k + "=" + v);
            }
        }
        s = s.withMachine(over);
        if (checkEvery == null && j.base().options().containsKey("check-every")) {
            checkEvery = Integer.parseInt(j.base().options().get("check-every"));
        }
        Kernel[] k = {null};
        String[] first = {null};
        ScenarioRunner.Result res = ScenarioRunner.run(s, variants, checkEvery, NULL, new ScenarioRunner.Listener() {
            @Override
            public void booted(Kernel kk) {
                k[0] = kk;
            }

            @Override
            public void violation(String where, String invariant, String message, List<String> ptdump) {
                if (first[0] == null) {
                    first[0] = where + ": " + invariant + ": " + message;
                }
            }
        });
        row.put("verdict", res.status() == 0 ? "ok" : "violation");
        row.put("steps", res.steps());
        row.put("checks", res.checks());
        if (k[0] != null) {
            for (String l : k[0].directMap.meminfoLines()) {
                int colon = l.indexOf(':');
                String v = l.substring(colon + 1).trim();
                row.put(l.substring(0, colon) + "_kB", Long.parseLong(v.replace("kB", "").trim()));
            }
            row.put("linear_pt_pages", k[0].linearTablePages());
            row.put("linear_pt_kB", k[0].linearTableBytes() >> 10);
            row.put("warnings", (long) k[0].warnCount);
        }
        row.put("detail", first[0] != null ? first[0] : res.firstViolation() == null ? "" : res.firstViolation());
    }

    private static boolean bool(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("expected true or false, got '" + v + "'");
        };
    }

    // ------------------------------------------------------------------ explore: a concurrency scenario

    /** The scenario of an explore job with the point's variants and mutations applied. */
    static ExploreScenario scenario(Job j) {
        ExploreScenario sc = ScenarioFile.parse(j.base().text(), j.base().file());
        List<String> variants = new ArrayList<>();
        Set<Mutation> muts = EnumSet.noneOf(Mutation.class);
        for (Map.Entry<String, String> e : j.axes().entrySet()) {
            if (org.ptlab.kernel.VariantRegistry.standard().families().containsKey(e.getKey())) {
                variants.add(e.getKey() + "=" + e.getValue());
            }
        }
        String mut = j.value("mutate", "none");
        for (String m : mut.split(",")) {
            if (!m.isBlank() && !m.equals("none")) {
                muts.add(Mutation.parse(m));
            }
        }
        return sc.with(muts, variants);
    }

    /** Search options of an explore job: no time budget (a time budget would make rows differ between runs). */
    static Explorer.Options options(Job j) {
        Explorer.Options o = new Explorer.Options();
        o.strategy = Explorer.Strategy.parse(j.value("strategy", "dfs"));
        o.bound = Integer.parseInt(j.value("bound", "2"));
        o.seed = Long.parseLong(j.value("seed", "1"));
        o.pctDepth = Integer.parseInt(j.value("pct-depth", "3"));
        o.stepLimit = Integer.parseInt(j.value("step-limit", "100000"));
        o.budgetMillis = Long.MAX_VALUE;
        String ex = j.value("executions", o.strategy == Explorer.Strategy.DFS ? null : "1000");
        if (ex != null) {
            o.maxExecutions = Long.parseLong(ex);
        }
        return o;
    }

    private static void explore(Job j, Row row) {
        ExploreScenario sc = scenario(j);
        Explorer.Options o = options(j);
        String seeds = j.axes().get("seeds");
        String prefix = j.axes().get("prefix");
        Explorer.Result res;
        long executions = 0;
        long states = 0;
        String foundSeed = "";
        if (seeds != null) {
            // a campaign unit: the seeds of a range, one search each, up to the first violation
            int dash = seeds.indexOf('-', 1);
            long a = Long.parseLong(dash < 0 ? seeds : seeds.substring(0, dash));
            long b = dash < 0 ? a : Long.parseLong(seeds.substring(dash + 1));
            res = null;
            for (long s = a; s <= b; s++) {
                o.seed = s;
                res = Explorer.explore(sc, o);
                executions += res.executions();
                states += res.states();
                if (res.verdict() == Explorer.Verdict.VIOLATION) {
                    foundSeed = Long.toString(s);
                    break;
                }
            }
        } else {
            res = prefix != null ? Subtrees.explore(sc, o, prefix.equals("-") ? new int[0] : ScheduleFile.decode(prefix))
                    : Explorer.explore(sc, o);
            executions = res.executions();
            states = res.states();
        }
        row.put("verdict", Subtrees.verdict(res.verdict()));
        row.put("executions", executions);
        row.put("states", states);
        if (seeds != null) {
            row.put("seed_found", foundSeed);
        }
        Explorer.Counterexample c = res.counterexample();
        row.put("violation_kind", c == null ? "" : c.kind());
        row.put("preemptions", c == null ? "" : Integer.toString(c.preemptions()));
        row.put("schedule", c == null ? "" : ScheduleFile.encode(c.schedule()));
        row.put("detail", c == null ? "" : c.violation());
    }

    // ------------------------------------------------------------------ study degradation

    private static void degradation(Job j, Row row) {
        WorkloadSettings ws = WorkloadSettings.defaults();
        for (Map.Entry<String, String> e : j.base().options().entrySet()) {
            if (List.of(WorkloadSettings.keys()).contains(e.getKey())) {
                ws = ws.with(e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<String, String> e : j.axes().entrySet()) {
            if (List.of(WorkloadSettings.keys()).contains(e.getKey())) {
                ws = ws.with(e.getKey(), e.getValue());
            }
        }
        long mem = Sizes.parse(j.value("mem", "4G"));
        if (mem < (1L << 30)) {
            throw new IllegalArgumentException("mem: expected at least 1G, got " + j.value("mem", ""));
        }
        String collapse = j.value("collapse", "none");
        int checkEvery = Integer.parseInt(j.value("check-every", "0"));
        DegradationStudy.Run r = DegradationStudy.run(collapse, mem, ws, false, checkEvery, (n, f) -> {});
        List<Violation> v = r.violations();
        row.put("verdict", v.isEmpty() ? "ok" : "violation");
        row.put("operations", r.operations());
        row.put("errors", r.errors());
        row.put("collapses", r.collapses());
        row.put("tables_freed", r.tablesFreed());
        row.put("checks", r.checks());
        row.put("violations", (long) v.size());
        MixedWorkload.Sample s = r.samples().get(r.samples().size() - 1);
        String[] names = {"pte_bytes", "cont_pte_bytes", "pmd_bytes", "cont_pmd_bytes", "pud_bytes"};
        for (MapSize m : MapSize.values()) {
            row.put(m.ordinal() < names.length ? names[m.ordinal()] : m.name().toLowerCase(Locale.ROOT) + "_bytes", s.directMap()[m.ordinal()]);
        }
        row.put("pagetable_bytes", s.tableBytes());
        row.put("tlb_entries", s.tlbEntries());
        row.put("detail", v.isEmpty() ? (r.errors() > 0 ? "first failed call: " + r.firstError() : "") : v.get(0).toString());
    }

    // ------------------------------------------------------------------ tlb-study lat-mem-rd

    private static void latMemRd(Job j, Row row) {
        LatMemRdStudy.Params p = new LatMemRdStudy.Params();
        p.granule = org.ptlab.arch.Granule.parse(j.value("granule", "4K"));
        Geometry geo = Geometry.of(p.granule, 48);
        p.small = mapSize(j.value("small", "4K"), geo);
        p.large = mapSize(j.value("large", "2M"), geo);
        p.stride = Long.parseLong(j.value("stride", "64"));
        p.thrash = bool(j.value("thrash", "true"));
        p.warmup = Long.parseLong(j.value("warmup", "2000000"));
        p.measure = Long.parseLong(j.value("measure", "1000000"));
        long size = Sizes.parse(j.value("size", "64M"));
        if (size <= 0 || size % geo.size(p.large) != 0 || size > (64L << 30)) {
            throw new IllegalArgumentException("size " + Sizes.label(size) + ": expected a multiple of " + Sizes.label(geo.size(p.large)) + " up to 64G");
        }
        p.sizes = List.of(size);
        org.ptlab.hw.CoreConfig core = org.ptlab.hw.Presets.get(j.value("core", org.ptlab.hw.Presets.DEFAULT));
        LatMemRdStudy.Row r = LatMemRdStudy.run(core, p).get(0);
        row.put("verdict", "ok");
        row.put("ns_small", round(r.nsSmall()));
        row.put("ns_large", round(r.nsLarge()));
        row.put("improvement_pct", round(100 * r.improvement()));
        row.put("walks_small", r.small().walks);
        row.put("walks_large", r.large().walks);
    }

    private static double round(double d) {
        return Math.round(d * 1000) / 1000.0;
    }

    static MapSize mapSize(String s, Geometry geo) {
        String t = s.trim().toUpperCase(Locale.ROOT);
        for (MapSize m : geo.mapSizes()) {
            if (m.name().equals(t.replace('-', '_')) || Sizes.label(geo.size(m)).equalsIgnoreCase(t)) {
                return m;
            }
        }
        throw new IllegalArgumentException("mapping size '" + s + "' is not one of " + geo);
    }
}

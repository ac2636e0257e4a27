package org.ptlab.sweep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.ptlab.yaml.ScenarioError;
import org.ptlab.yaml.YNode;

/**
 * A sweep file (issue 15): a base job and the points to run it at.
 *
 * <pre>
 * base:                       # exactly one of run: FILE, explore: FILE, study: degradation, tlb-study: lat-mem-rd
 *   study: degradation
 *   settings: {hours: 2}      # base options of that kind (see {@link Kind#options})
 * axes:                       # the full product, first axis slowest ...
 *   mem: [2G, 4G]
 *   collapse: [none, background]
 *   seed: [1, 2, 3]
 * points:                     # ... or an explicit list of points (not both)
 *   - {mem: 2G, collapse: none, seed: 1}
 * campaign:                   # instead of axes/points, with an explore base: an exploration campaign
 *   strategy: dfs             # dfs (partitioned by schedule prefixes at split-depth) | random | pct (by seed ranges)
 *   bound: 2
 *   split-depth: 4
 * </pre>
 *
 * Every error names the file, line and column of the value at fault. Paths in the base are
 * relative to the sweep file; the file they name is read here and travels with each job, so a
 * job runs anywhere (an executor on another host) without the file system.
 */
public final class SweepSpec {
    /** What one point runs. */
    public enum Kind {
        RUN("run"), EXPLORE("explore"), DEGRADATION("study degradation"), LAT_MEM_RD("tlb-study lat-mem-rd");

        public final String label;

        Kind(String label) {
            this.label = label;
        }

        /** Base options this kind takes (besides the kind's own key). */
        List<String> options() {
            return switch (this) {
                case RUN -> List.of("check-every");
                case EXPLORE -> List.of("strategy", "bound", "seed", "executions", "pct-depth", "step-limit");
                case DEGRADATION -> List.of("settings", "check-every", "mem");
                case LAT_MEM_RD -> List.of("core", "stride", "granule", "warmup", "measure", "small", "large", "thrash");
            };
        }
    }

    /** Machine keys a run point may set: the machine: keys of run scenarios ({@link MachineSpec#KEYS}; hw: is the explorer's). */
    public static final List<String> MACHINE_KEYS = org.ptlab.kernel.MachineSpec.KEYS.stream().filter(k -> !k.equals("hw")).toList();

    public final String file;
    public final Kind kind;
    public final Job.Base base;
    /** The points in order; each one's axes in axis order. */
    public final List<Map<String, String>> points;
    /** Axis names, in column order. */
    public final List<String> axes;
    /** The campaign section, or null for a plain sweep. */
    public final Campaign.Spec campaign;

    private SweepSpec(String file, Kind kind, Job.Base base, List<String> axes, List<Map<String, String>> points, Campaign.Spec campaign) {
        this.file = file;
        this.kind = kind;
        this.base = base;
        this.axes = axes;
        this.points = points;
        this.campaign = campaign;
    }

    public static SweepSpec load(Path p) {
        String text;
        try {
            text = Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new ScenarioError(p.toString(), 1, 1, "cannot read the sweep file: " + e.getMessage());
        }
        return parse(text, p.toString(), p.toAbsolutePath().getParent());
    }

    /** Parse; dir resolves the base's relative paths. */
    public static SweepSpec parse(String text, String file, Path dir) {
        YNode root = YNode.parse(text, file);
        if (root.kind == YNode.Kind.NULL) {
            throw new ScenarioError(file, 1, 1, "empty sweep file: expected base: and axes:, points: or campaign:");
        }
        root.map("the sweep file");
        root.allowKeys("the sweep file", "name", "description", "base", "axes", "points", "campaign");
        YNode b = root.get("base");
        if (b == null) {
            throw root.error("missing base: (run: FILE, explore: FILE, study: degradation or tlb-study: lat-mem-rd)");
        }
        b.map("base");
        Kind kind = null;
        String kindKey = null;
        for (String k : List.of("run", "explore", "study", "tlb-study")) {
            if (b.get(k) != null) {
                if (kind != null) {
                    throw b.keyNode(k).error("base: both " + kindKey + ": and " + k + ": given; expected one of run, explore, study, tlb-study");
                }
                kindKey = k;
                YNode v = b.get(k);
                kind = switch (k) {
                    case "run" -> Kind.RUN;
                    case "explore" -> Kind.EXPLORE;
                    case "study" -> {
                        if (!v.str("study").equals("degradation")) {
                            throw v.error("unknown study '" + v.str("study") + "': expected degradation");
                        }
                        yield Kind.DEGRADATION;
                    }
                    default -> {
                        if (!v.str("tlb-study").equals("lat-mem-rd")) {
                            throw v.error("tlb-study '" + v.str("tlb-study") + "' cannot be swept: expected lat-mem-rd");
                        }
                        yield Kind.LAT_MEM_RD;
                    }
                };
            }
        }
        if (kind == null) {
            throw b.error("base: expected one of run: FILE, explore: FILE, study: degradation, tlb-study: lat-mem-rd");
        }
        List<String> allowed = new ArrayList<>();
        allowed.add(kindKey);
        allowed.addAll(kind.options());
        b.allowKeys("base (" + kind.label + ")", allowed.toArray(new String[0]));
        LinkedHashMap<String, String> opts = new LinkedHashMap<>();
        String scenarioFile = null;
        String scenarioText = null;
        if (kind == Kind.RUN || kind == Kind.EXPLORE) {
            YNode f = b.get(kindKey);
            String name = f.str(kindKey + " file");
            Path resolved = dir == null ? Path.of(name) : dir.resolve(name).normalize();
            try {
                scenarioText = Files.readString(resolved, StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                throw f.error("cannot read the " + kindKey + " scenario " + resolved + ": " + e.getMessage());
            }
            scenarioFile = displayPath(resolved);
        }
        for (String k : kind.options()) {
            YNode v = b.get(k);
            if (v == null) {
                continue;
            }
            if (k.equals("settings")) {
                for (Map.Entry<String, YNode> e : v.map("settings").entrySet()) {
                    String val = e.getValue().str("setting " + e.getKey());
                    try {
                        org.ptlab.source.WorkloadSettings.defaults().with(e.getKey(), val);
                    } catch (IllegalArgumentException x) {
                        throw (e.getValue()).error(x.getMessage());
                    }
                    opts.put(e.getKey(), val);
                }
            } else {
                String val = v.str(k);
                Axes.check(kind, k, val, v, true);
                opts.put(k, val);
            }
        }
        Job.Base base = new Job.Base(kind, scenarioFile, scenarioText, opts);

        YNode axesNode = root.get("axes");
        YNode pointsNode = root.get("points");
        YNode campNode = root.get("campaign");
        int given = (axesNode != null ? 1 : 0) + (pointsNode != null ? 1 : 0) + (campNode != null ? 1 : 0);
        if (given != 1) {
            throw (given == 0 ? root : (campNode != null ? root.keyNode("campaign") : root.keyNode("points")))
                    .error("expected exactly one of axes: (a full product), points: (a list) or campaign: (an exploration campaign)");
        }
        if (campNode != null) {
            if (kind != Kind.EXPLORE) {
                throw root.keyNode("campaign").error("campaign: needs an explore: base");
            }
            Campaign.Spec cs = Campaign.Spec.parse(campNode);
            return new SweepSpec(file, kind, base, List.of(), List.of(), cs);
        }
        List<String> axisNames = new ArrayList<>();
        List<Map<String, String>> points = new ArrayList<>();
        if (axesNode != null) {
            Map<String, YNode> am = axesNode.map("axes");
            if (am.isEmpty()) {
                throw axesNode.error("empty product: axes: names no axis");
            }
            List<List<String>> values = new ArrayList<>();
            for (Map.Entry<String, YNode> e : am.entrySet()) {
                String key = e.getKey();
                Axes.checkKey(kind, key, axesNode.keyNode(key));
                YNode vn = e.getValue();
                List<String> vals = new ArrayList<>();
                if (vn.isSeq()) {
                    for (YNode x : vn.seq("axis " + key)) {
                        String s = x.str("a value of axis " + key);
                        Axes.check(kind, key, s, x, false);
                        vals.add(s);
                    }
                } else if (vn.isScalar()) {
                    String s = vn.str("axis " + key);
                    for (String x : Axes.expand(s, vn)) {
                        Axes.check(kind, key, x, vn, false);
                        vals.add(x);
                    }
                } else {
                    vals = List.of();
                }
                if (vals.isEmpty()) {
                    throw vn.error("empty product: axis " + key + " has no values");
                }
                if (new LinkedHashSet<>(vals).size() != vals.size()) {
                    throw vn.error("axis " + key + " repeats a value");
                }
                axisNames.add(key);
                values.add(vals);
            }
            long n = 1;
            for (List<String> v : values) {
                n *= v.size();
                if (n > 10_000_000) {
                    throw axesNode.error("the product has more than 10,000,000 points");
                }
            }
            int[] idx = new int[values.size()];
            for (long i = 0; i < n; i++) {
                Map<String, String> p = new LinkedHashMap<>();
                for (int a = 0; a < idx.length; a++) {
                    p.put(axisNames.get(a), values.get(a).get(idx[a]));
                }
                points.add(p);
                for (int a = idx.length - 1; a >= 0; a--) {
                    if (++idx[a] < values.get(a).size()) {
                        break;
                    }
                    idx[a] = 0;
                }
            }
        } else {
            List<YNode> l = pointsNode.seq("points");
            if (l.isEmpty()) {
                throw pointsNode.error("empty product: points: lists no point");
            }
            Set<String> names = new LinkedHashSet<>();
            for (YNode pn : l) {
                for (Map.Entry<String, YNode> e : pn.map("a point").entrySet()) {
                    Axes.checkKey(kind, e.getKey(), pn.keyNode(e.getKey()));
                    names.add(e.getKey());
                }
            }
            axisNames.addAll(names);
            Set<String> seen = new TreeSet<>();
            for (YNode pn : l) {
                Map<String, String> p = new LinkedHashMap<>();
                for (String a : axisNames) {
                    YNode v = pn.get(a);
                    String s = v == null ? "" : v.str("axis " + a);
                    if (v != null) {
                        Axes.check(kind, a, s, v, false);
                    }
                    p.put(a, s);
                }
                if (!seen.add(p.toString())) {
                    throw pn.error("point " + p + " is listed twice");
                }
                points.add(p);
            }
        }
        return new SweepSpec(file, kind, base, List.copyOf(axisNames), points, null);
    }

    /** A path as the user would write it: relative to the working directory when below it. */
    static String displayPath(Path p) {
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }

    /** The jobs of a plain sweep, one per point. */
    public List<Job> jobs() {
        List<Job> l = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            l.add(new Job(i, new LinkedHashMap<>(points.get(i)), base));
        }
        return l;
    }
}

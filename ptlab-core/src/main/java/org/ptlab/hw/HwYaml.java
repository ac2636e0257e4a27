package org.ptlab.hw;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ptlab.arch.MapSize;
import org.ptlab.yaml.ScenarioError;
import org.ptlab.yaml.YNode;

/**
 * A custom core configuration in YAML, read through the one YAML reader of user input
 * ({@link YNode}: errors name the file, line and column). The document is a {@link CoreConfig};
 * {@code base: <preset>} starts from a preset and overrides the keys given (lists and the nested
 * itlb / walkCache mappings are replaced as a whole, their missing keys taking the defaults);
 * cache sizes may be written as "64K", "1M". Unknown keys are errors. Example:
 *
 * <pre>
 * base: neoverse-n1
 * name: n1-small-l2
 * caches:
 *   - {name: L1D, size: 64K, ways: 4, latency: 4}
 *   - {name: L2, size: 256K, ways: 8, latency: 9}
 * </pre>
 */
public final class HwYaml {
    private HwYaml() {}

    private static final List<String> KEYS = List.of("base", "name", "source", "frequencyGHz", "bbml2NoAbort", "tlbs", "itlb", "walkCache",
            "caches", "memoryLatency", "modelDataAccesses");

    /** Parse a YAML text (where = file name for messages). Throws IllegalArgumentException (a ScenarioError: FILE:LINE:COLUMN: ...). */
    public static CoreConfig parse(String text, String where) {
        YNode root = YNode.parse(text, where);
        if (root.kind == YNode.Kind.NULL) {
            throw new ScenarioError(where, 1, 1, "empty document: expected a core configuration");
        }
        if (!root.isMap()) {
            throw root.error("expected a mapping of core configuration keys");
        }
        Map<String, YNode> m = root.map("a core configuration");
        CoreConfig c = new CoreConfig();
        YNode b = m.get("base");
        if (b != null) {
            if (!b.isScalar()) {
                throw b.error("base: expected a preset name " + Presets.names());
            }
            try {
                c = Presets.get(b.str("base").trim());
            } catch (IllegalArgumentException e) {
                throw b.error("base: " + e.getMessage());
            }
        }
        for (Map.Entry<String, YNode> e : m.entrySet()) {
            String k = e.getKey();
            YNode x = e.getValue();
            switch (k) {
                case "base" -> { }
                case "name" -> c.name = x.str(k);
                case "source" -> c.source = x.str(k);
                case "frequencyGHz" -> c.frequencyGHz = number(x, k);
                case "bbml2NoAbort" -> c.bbml2NoAbort = x.bool(k);
                case "tlbs" -> {
                    c.tlbs = new ArrayList<>();
                    for (YNode t : x.seq(k)) {
                        c.tlbs.add(tlb(t, "tlbs"));
                    }
                }
                case "itlb" -> c.itlb = x.kind == YNode.Kind.NULL ? null : tlb(x, k);
                case "walkCache" -> c.walkCache = x.kind == YNode.Kind.NULL ? null : walkCache(x);
                case "caches" -> {
                    c.caches = new ArrayList<>();
                    for (YNode l : x.kind == YNode.Kind.NULL ? List.<YNode>of() : x.seq(k)) {
                        c.caches.add(cache(l));
                    }
                }
                case "memoryLatency" -> c.memoryLatency = integer(x, k);
                case "modelDataAccesses" -> c.modelDataAccesses = x.bool(k);
                default -> throw root.keyNode(k).error("unknown key '" + k + "': expected one of " + String.join(", ", KEYS));
            }
        }
        try {
            return c.validate();
        } catch (IllegalArgumentException e) {
            throw blame(root, m, e.getMessage()).error(e.getMessage());
        }
    }

    /** The node a validation message is about (the key it names), else the document. */
    private static YNode blame(YNode root, Map<String, YNode> m, String msg) {
        String key = msg.startsWith("TLB ") || msg.startsWith("tlbs") ? (m.containsKey("tlbs") ? "tlbs" : "itlb")
                : msg.startsWith("walk cache") ? "walkCache" : msg.startsWith("cache") ? "caches"
                : msg.startsWith("frequencyGHz") ? "frequencyGHz" : msg.startsWith("memoryLatency") ? "memoryLatency" : null;
        return key != null && m.containsKey(key) ? m.get(key) : root;
    }

    private static CoreConfig.TlbLevel tlb(YNode n, String what) {
        if (!n.isMap()) {
            throw n.error(what + ": expected a TLB level {name, entries, ways, latency, sizes}");
        }
        CoreConfig.TlbLevel t = new CoreConfig.TlbLevel();
        for (Map.Entry<String, YNode> e : n.map(what).entrySet()) {
            String k = e.getKey();
            YNode x = e.getValue();
            switch (k) {
                case "name" -> t.name = x.str(k);
                case "entries" -> t.entries = integer(x, k);
                case "ways" -> t.ways = integer(x, k);
                case "latency" -> t.latency = integer(x, k);
                case "sizes" -> {
                    t.sizes = new ArrayList<>();
                    for (YNode s : x.seq(k)) {
                        String v = s.str("a size").trim();
                        try {
                            t.sizes.add(MapSize.valueOf(v));
                        } catch (IllegalArgumentException bad) {
                            throw s.error("sizes: unknown entry kind '" + v + "': expected PTE, CONT_PTE, PMD, CONT_PMD or PUD");
                        }
                    }
                }
                default -> throw n.keyNode(k).error("unknown key '" + k + "' of a TLB level: expected name, entries, ways, latency or sizes");
            }
        }
        return t;
    }

    private static CoreConfig.WalkCacheConfig walkCache(YNode n) {
        if (!n.isMap()) {
            throw n.error("walkCache: expected {entries, ways, latency, levels}");
        }
        CoreConfig.WalkCacheConfig w = new CoreConfig.WalkCacheConfig();
        for (Map.Entry<String, YNode> e : n.map("walkCache").entrySet()) {
            String k = e.getKey();
            YNode x = e.getValue();
            switch (k) {
                case "entries" -> w.entries = integer(x, k);
                case "ways" -> w.ways = integer(x, k);
                case "latency" -> w.latency = integer(x, k);
                case "levels" -> {
                    w.levels = new ArrayList<>();
                    for (YNode l : x.seq(k)) {
                        w.levels.add(integer(l, "a level"));
                    }
                }
                default -> throw n.keyNode(k).error("unknown key '" + k + "' of walkCache: expected entries, ways, latency or levels");
            }
        }
        return w;
    }

    private static CoreConfig.CacheLevel cache(YNode n) {
        if (!n.isMap()) {
            throw n.error("caches: expected a cache level {name, size, ways, line, latency, shared}");
        }
        CoreConfig.CacheLevel c = new CoreConfig.CacheLevel();
        for (Map.Entry<String, YNode> e : n.map("a cache level").entrySet()) {
            String k = e.getKey();
            YNode x = e.getValue();
            switch (k) {
                case "name" -> c.name = x.str(k);
                case "size" -> c.size = x.size("cache size");
                case "ways" -> c.ways = integer(x, k);
                case "line" -> c.line = integer(x, k);
                case "latency" -> c.latency = integer(x, k);
                case "shared" -> c.shared = x.bool(k);
                default -> throw n.keyNode(k).error("unknown key '" + k + "' of a cache level: expected name, size, ways, line, latency or shared");
            }
        }
        return c;
    }

    private static int integer(YNode x, String what) {
        return (int) x.integer(what, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    private static double number(YNode x, String what) {
        String s = x.str(what).trim();
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw x.error("bad " + what + " '" + s + "': expected a number such as 3.0");
        }
    }

    public static CoreConfig load(Path file) throws IOException {
        return parse(org.ptlab.io.InputFile.readText(file, org.ptlab.io.InputFile.Kind.CORE_YAML), file.toString());
    }

    /** The YAML text of a config (for `ptlab tlb-study presets --yaml`), read back by {@link #parse}. */
    public static String toYaml(CoreConfig c) {
        return org.ptlab.yaml.YamlWriter.write(c);
    }
}

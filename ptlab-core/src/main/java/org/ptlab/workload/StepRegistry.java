package org.ptlab.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The step kinds a scenario may use, by name. The kernel's kinds are registered here; other
 * packages (user address spaces, collapse workloads, the hardware model) register theirs with
 * {@link #register} before parsing, e.g. from a static initialiser called by their CLI command.
 */
public final class StepRegistry {
    private static final Map<String, StepKind> GLOBAL = new TreeMap<>();

    static {
        KernelSteps.registerAll();
        org.ptlab.workload.gen.GenSteps.registerAll();
        UserSteps.registerAll();
    }

    /** Register (or replace) a step kind for every scenario parsed from now on. */
    public static synchronized void register(StepKind kind) {
        GLOBAL.put(kind.name(), kind);
    }

    public static synchronized Map<String, StepKind> kinds() {
        return new TreeMap<>(GLOBAL);
    }

    private final Map<String, StepKind> kinds;
    /** Kinds met while parsing (e.g. the runner records maintenance only if an events step exists). */
    final java.util.Set<String> used = new java.util.TreeSet<>();

    public StepRegistry() {
        this.kinds = kinds();
    }

    /** Parse one step entry: a mapping with exactly one key, the kind, or a bare kind name. */
    public LocatedStep parseStep(YNode n) {
        String name;
        YNode args;
        YNode at = n;
        if (n.isScalar()) {
            name = n.str("a step");
            args = null;
        } else {
            java.util.Map<String, YNode> m = n.map("a step");
            if (m.size() != 1) {
                throw n.error("expected a step as one 'kind: arguments' entry, found " + m.size() + " keys");
            }
            name = m.keySet().iterator().next();
            args = m.get(name);
            at = n.keyNode(name);
        }
        StepKind k = kinds.get(name);
        used.add(name);
        if (k == null) {
            throw at.error("unknown step '" + name + "': expected one of " + String.join(", ", kinds.keySet()));
        }
        YNode a = args == null ? YNode.parse("", n.file) : args;
        Step s = k.parse(args == null || args.kind == YNode.Kind.NULL ? withPos(a, at) : a, this);
        return new LocatedStep(s, at.file, at.line, at.column);
    }

    private static YNode withPos(YNode empty, YNode at) {
        return empty.kind == YNode.Kind.NULL ? at.nullAt() : empty;
    }

    public List<LocatedStep> parseSteps(YNode seq) {
        List<LocatedStep> out = new ArrayList<>();
        for (YNode s : seq.seq("steps")) {
            out.add(parseStep(s));
        }
        return out;
    }

    /** A step with the file position it was written at. */
    public record LocatedStep(Step step, String file, int line, int column) {
        public String where() {
            return file + ":" + line;
        }
    }
}

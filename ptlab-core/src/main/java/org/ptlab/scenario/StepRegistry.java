package org.ptlab.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ptlab.yaml.YNode;

/**
 * The step kinds a scenario may use, by name: built here, in one place, from the kernel's, the
 * user address spaces' and the collapse workloads' kinds (no registration by class loading).
 */
public final class StepRegistry implements StepParser {
    private static final Map<String, StepKind> ALL = build();

    private static Map<String, StepKind> build() {
        Map<String, StepKind> m = new TreeMap<>();
        for (List<StepKind> family : List.of(KernelSteps.kinds(), GenSteps.kinds(), UserSteps.kinds())) {
            for (StepKind k : family) {
                m.put(k.name(), k);
            }
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Every step kind, by name. */
    public static Map<String, StepKind> kinds() {
        return ALL;
    }

    private final Map<String, StepKind> kinds;
    /** Kinds met while parsing (e.g. the runner records maintenance only if an events step exists). */
    final java.util.Set<String> used = new java.util.TreeSet<>();

    public StepRegistry() {
        this.kinds = ALL;
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

    @Override
    public List<LocatedStep> parseSteps(YNode seq) {
        List<LocatedStep> out = new ArrayList<>();
        for (YNode s : seq.seq("steps")) {
            out.add(parseStep(s));
        }
        return out;
    }
}

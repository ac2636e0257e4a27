package org.ptlab.sweep;

import java.util.ArrayList;
import java.util.List;
import org.ptlab.arch.Sizes;
import org.ptlab.kernel.Variants;
import org.ptlab.yaml.YNode;
import org.ptlab.source.WorkloadSettings;

/** The axis keys each base kind accepts, and the checks of their values made before any job runs. */
final class Axes {
    private Axes() {}

    static final List<String> EXPLORE_KEYS = List.of("strategy", "bound", "seed", "executions", "pct-depth", "mutate");
    static final List<String> LAT_KEYS = List.of("core", "size", "stride", "granule", "small", "large", "warmup", "measure", "thrash");

    /** Every key an axis of this kind may have. */
    static List<String> keys(SweepSpec.Kind kind) {
        Jobs.init();
        List<String> l = new ArrayList<>();
        switch (kind) {
            case RUN -> {
                l.addAll(SweepSpec.MACHINE_KEYS);
                l.add("check-every");
                l.addAll(org.ptlab.kernel.VariantRegistry.standard().families().keySet());
            }
            case EXPLORE -> {
                l.addAll(EXPLORE_KEYS);
                l.addAll(org.ptlab.kernel.VariantRegistry.standard().families().keySet());
            }
            case DEGRADATION -> {
                l.add("mem");
                l.add("collapse");
                l.add("check-every");
                l.addAll(List.of(WorkloadSettings.keys()));
            }
            case LAT_MEM_RD -> l.addAll(LAT_KEYS);
        }
        return l;
    }

    static void checkKey(SweepSpec.Kind kind, String key, YNode at) {
        List<String> keys = keys(kind);
        if (!keys.contains(key)) {
            throw at.error("unknown axis key '" + key + "' for a " + kind.label + " base: expected one of " + String.join(", ", keys));
        }
    }

    /** "1..12" (a scalar axis) expands to 1, 2, ..., 12; any other scalar is one value. */
    static List<String> expand(String s, YNode at) {
        int dots = s.indexOf("..");
        if (dots > 0) {
            try {
                long a = Long.parseLong(s.substring(0, dots).trim());
                long b = Long.parseLong(s.substring(dots + 2).trim());
                if (b - a > 10_000_000) {
                    throw at.error("range " + s + " has more than 10,000,000 values");
                }
                List<String> l = new ArrayList<>();
                for (long i = a; i <= b; i++) {
                    l.add(Long.toString(i));
                }
                return l;
            } catch (NumberFormatException e) {
                throw at.error("bad range '" + s + "': expected FIRST..LAST, e.g. 1..12");
            }
        }
        return List.of(s);
    }

    /** Check one value (an axis value, or a base option when base is set); errors name its position. */
    static void check(SweepSpec.Kind kind, String key, String v, YNode at, boolean base) {
        Jobs.init();
        try {
            if (!base && (org.ptlab.kernel.VariantRegistry.standard().families().containsKey(key) && kind != SweepSpec.Kind.DEGRADATION)) {
                Variants.none().with(key + "=" + v);
                return;
            }
            switch (key) {
                case "collapse" -> Variants.none().with("collapse=" + v);
                case "mem", "size" -> {
                    if (Sizes.parse(v) <= 0) {
                        throw new IllegalArgumentException("expected a size above zero");
                    }
                }
                case "bound", "seed", "executions", "pct-depth", "check-every", "va-bits", "stride", "warmup", "measure", "kfence",
                        "step-limit" -> {
                    long x = Long.decode(v.trim());
                    if (x < (key.equals("bound") || key.equals("seed") ? -1 : 0)) {
                        throw new IllegalArgumentException("expected a whole number >= 0");
                    }
                }
                case "strategy" -> org.ptlab.explore.Explorer.Strategy.parse(v);
                case "mutate" -> {
                    for (String m : v.split(",")) {
                        if (!m.isBlank() && !m.equals("none")) {
                            org.ptlab.explore.Mutation.parse(m);
                        }
                    }
                }
                case "core" -> org.ptlab.hw.Presets.get(v);
                case "thrash", "debug-pagealloc", "realm", "kpti" -> {
                    if (!List.of("true", "false", "yes", "no", "on", "off").contains(v.toLowerCase(java.util.Locale.ROOT))) {
                        throw new IllegalArgumentException("expected true or false");
                    }
                }
                default -> {
                    if (kind == SweepSpec.Kind.DEGRADATION && List.of(WorkloadSettings.keys()).contains(key)) {
                        WorkloadSettings.defaults().with(key, v);
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw at.error("bad value '" + v + "' for " + key + ": " + (m == null ? "malformed" : m));
        }
    }
}

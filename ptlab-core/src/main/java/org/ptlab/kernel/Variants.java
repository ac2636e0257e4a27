package org.ptlab.kernel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Variant selections: for each algorithm the seeds argue about (account, split, collapse, hotplug,
 * lazy, pfnmap, ...) the name of the implementation to run. Families and their members are
 * registered in {@link #FAMILIES} with a one-line description; `ptlab variants` lists them.
 */
public final class Variants extends TreeMap<String, String> {

    /** A known variant: family, name, whether it is the default, one line of description. */
    public record Variant(String family, String name, boolean isDefault, String description) {}

    /** Registered variants, by family, in registration order. */
    public static final Map<String, List<Variant>> FAMILIES = new LinkedHashMap<>();

    static {
        register("account", "exact", true,
                "DirectMap counters change only on create (none->leaf), remove, split and collapse; never on permission or valid-bit changes");
        register("account", "seed000-v7", false,
                "seed 000 v7 as posted: every leaf written by the creators is counted, even over an existing entry (double count); removal of a CONT entry subtracts the whole group");
    }

    /** Register a variant (families are open: later packages add theirs). */
    public static synchronized void register(String family, String name, boolean isDefault, String description) {
        List<Variant> l = FAMILIES.computeIfAbsent(family, k -> new ArrayList<>());
        l.removeIf(v -> v.name().equals(name));
        l.add(new Variant(family, name, isDefault, description));
    }

    /** The selected name for a family, or its default. */
    public String get(String family) {
        String v = super.get(family);
        if (v != null) {
            return v;
        }
        for (Variant x : FAMILIES.getOrDefault(family, Collections.emptyList())) {
            if (x.isDefault()) {
                return x.name();
            }
        }
        return null;
    }

    public boolean is(String family, String name) {
        return name.equals(get(family));
    }

    /** Parse and apply "family=name"; rejects unknown families and names. */
    public void select(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("bad variant '" + spec + "': expected family=name, e.g. account=exact");
        }
        String family = spec.substring(0, eq).trim();
        String name = spec.substring(eq + 1).trim();
        List<Variant> l = FAMILIES.get(family);
        if (l == null) {
            throw new IllegalArgumentException("unknown variant family '" + family + "': expected one of " + FAMILIES.keySet());
        }
        if (l.stream().noneMatch(v -> v.name().equals(name))) {
            throw new IllegalArgumentException("unknown variant '" + name + "' for " + family + ": expected one of "
                    + l.stream().map(Variant::name).toList());
        }
        put(family, name);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : entrySet()) {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(e.getKey()).append('=').append(e.getValue());
        }
        return b.toString();
    }
}

package org.ptlab.kernel;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A selection of variants: for the families chosen explicitly, the chosen behaviour; every other
 * family runs its default. Immutable: {@link #with} and {@link #withVariants} return a copy, so a
 * configuration is never mutated and restored. The families and their members come from a
 * {@link VariantRegistry} ({@link VariantRegistry#standard()} unless given).
 */
public final class Variants {
    /** The empty selection over the standard registry. */
    public static Variants none() {
        return new Variants(VariantRegistry.standard(), new TreeMap<>());
    }

    /** The empty selection over a given registry. */
    public static Variants none(VariantRegistry registry) {
        return new Variants(registry, new TreeMap<>());
    }

    private final VariantRegistry registry;
    /** family -> selected behaviour, only the explicit choices, sorted by family. */
    private final TreeMap<String, Variant> chosen;

    private Variants(VariantRegistry registry, TreeMap<String, Variant> chosen) {
        this.registry = registry;
        this.chosen = chosen;
    }

    public VariantRegistry registry() {
        return registry;
    }

    /** This selection with "family=name" chosen; rejects unknown families and names. */
    public Variants with(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("bad variant '" + spec + "': expected family=name, e.g. account=exact");
        }
        String family = spec.substring(0, eq).trim();
        String name = spec.substring(eq + 1).trim();
        VariantRegistry.Family f = registry.family(family);
        if (f == null) {
            throw new IllegalArgumentException("unknown variant family '" + family + "': expected one of " + registry.families().keySet());
        }
        Variant v = f.member(name);
        if (v == null) {
            throw new IllegalArgumentException("unknown variant '" + name + "' for " + family + ": expected one of "
                    + f.members().stream().map(Variant::name).toList());
        }
        TreeMap<String, Variant> c = new TreeMap<>(chosen);
        c.put(family, v);
        return new Variants(registry, c);
    }

    /** This selection with each "family=name" of the list chosen in order (a later one wins). */
    public Variants withVariants(List<String> specs) {
        Variants v = this;
        for (String s : specs) {
            v = v.with(s);
        }
        return v;
    }

    /** This selection without an explicit choice for {@code family} (it runs its default again). */
    public Variants without(String family) {
        TreeMap<String, Variant> c = new TreeMap<>(chosen);
        c.remove(family);
        return new Variants(registry, c);
    }

    /** This selection with every explicit choice of {@code other} chosen too (other's win). */
    public Variants withAll(Variants other) {
        TreeMap<String, Variant> c = new TreeMap<>(chosen);
        c.putAll(other.chosen);
        return new Variants(registry, c);
    }

    /** The selected behaviour of a family (its default when not chosen), or null for an unknown family. */
    public Variant variant(String family) {
        Variant v = chosen.get(family);
        if (v != null) {
            return v;
        }
        VariantRegistry.Family f = registry.family(family);
        return f == null ? null : f.defaultMember();
    }

    /** The selected behaviour of a family as its interface (e.g. {@code policy(CollapsePolicy.class, "collapse")}). */
    public <T extends Variant> T policy(Class<T> type, String family) {
        Variant v = variant(family);
        if (v == null) {
            throw new IllegalStateException("no variant family '" + family + "'");
        }
        return type.cast(v);
    }

    /** The selected name for a family, or its default. */
    public String get(String family) {
        Variant v = variant(family);
        return v == null ? null : v.name();
    }

    /**
     * Whether the selected behaviour of {@code family} is called {@code name}: for tests and
     * reports only. The model asks the selected policy object ({@link #policy}); ArchitectureTest
     * refuses a name check ({@code variants.is(}) in main code.
     */
    public boolean is(String family, String name) {
        return name.equals(get(family));
    }

    /** Whether nothing was chosen explicitly. */
    public boolean isEmpty() {
        return chosen.isEmpty();
    }

    /** The explicit choices, family -> name, sorted by family. */
    public Map<String, String> chosen() {
        TreeMap<String, String> m = new TreeMap<>();
        chosen.forEach((f, v) -> m.put(f, v.name()));
        return Collections.unmodifiableMap(m);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Variants v && v.chosen().equals(chosen());
    }

    @Override
    public int hashCode() {
        return chosen().hashCode();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Variant> e : chosen.entrySet()) {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(e.getKey()).append('=').append(e.getValue().name());
        }
        return b.toString();
    }
}

package org.ptlab.kernel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The variant families and their members, built explicitly (no registration by class loading):
 * {@link #builtIn()} lists every family the model ships, in the order {@code ptlab variants}
 * prints them; {@link #standard()} adds the behaviours users put on the class path
 * (java.util.ServiceLoader of {@link Variant}).
 */
public final class VariantRegistry {

    /** One family: its name, the interface its members implement, its members in order, its default. */
    public static final class Family {
        public final String name;
        public final Class<? extends Variant> type;
        private final LinkedHashMap<String, Variant> members = new LinkedHashMap<>();
        private String defaultName;

        Family(String name, Class<? extends Variant> type) {
            this.name = name;
            this.type = type;
        }

        public List<Variant> members() {
            return List.copyOf(members.values());
        }

        public Variant member(String n) {
            return members.get(n);
        }

        public String defaultName() {
            return defaultName;
        }

        public Variant defaultMember() {
            return members.get(defaultName);
        }

        public boolean isDefault(Variant v) {
            return v.name().equals(defaultName);
        }
    }

    private final LinkedHashMap<String, Family> families = new LinkedHashMap<>();
    /** Where each user-supplied variant came from (class name), for `ptlab variants`. */
    private final List<Variant> external = new ArrayList<>();

    private VariantRegistry() {}

    /** A registry with no family (for tests building their own). */
    public static VariantRegistry empty() {
        return new VariantRegistry();
    }

    /** Declare a family whose members implement {@code type}. */
    public VariantRegistry family(String name, Class<? extends Variant> type) {
        if (families.containsKey(name)) {
            throw new IllegalArgumentException("variant family '" + name + "' declared twice");
        }
        families.put(name, new Family(name, type));
        return this;
    }

    /** Add a member; {@code isDefault} makes it the family's default. */
    public VariantRegistry add(Variant v, boolean isDefault) {
        Family f = families.get(v.family());
        if (f == null) {
            throw new IllegalArgumentException("variant " + v.name() + " (" + v.getClass().getName() + ") names unknown family '"
                    + v.family() + "': expected one of " + families.keySet());
        }
        if (!f.type.isInstance(v)) {
            throw new IllegalArgumentException("variant " + v.family() + "=" + v.name() + " (" + v.getClass().getName()
                    + ") does not implement " + f.type.getName());
        }
        if (v.name() == null || !v.name().matches("[a-z0-9][a-z0-9.+-]*")) {
            throw new IllegalArgumentException("variant " + v.getClass().getName() + ": bad name '" + v.name()
                    + "' (expected lower case letters, digits, '.', '+', '-')");
        }
        if (f.members.containsKey(v.name())) {
            throw new IllegalArgumentException("variant " + v.family() + "=" + v.name() + " (" + v.getClass().getName()
                    + ") is already defined by " + f.members.get(v.name()).getClass().getName());
        }
        f.members.put(v.name(), v);
        if (isDefault) {
            f.defaultName = v.name();
        }
        return this;
    }

    private VariantRegistry named(String family, String name, boolean isDefault, String description) {
        return add(new Variant.Named(family, name, description), isDefault);
    }

    /** Families in order. */
    public Map<String, Family> families() {
        return Collections.unmodifiableMap(families);
    }

    public Family family(String name) {
        return families.get(name);
    }

    /** Variants that came from the class path (ServiceLoader), in load order. */
    public List<Variant> external() {
        return List.copyOf(external);
    }

    /** Add every {@link Variant} the class loader's ServiceLoader finds (users' jars). */
    public VariantRegistry withServices(ClassLoader loader) {
        try {
            for (Variant v : ServiceLoader.load(Variant.class, loader)) {
                Family f = families.get(v.family());
                if (f != null && f.members.get(v.name()) == v) {
                    continue;
                }
                add(v, false);
                external.add(v);
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalArgumentException("cannot load a variant from the class path: " + e.getMessage(), e);
        }
        return this;
    }

    // ------------------------------------------------------------------ the model's own families

    /** Every family the model ships, with its members, built here and nowhere else. */
    public static VariantRegistry builtIn() {
        VariantRegistry r = new VariantRegistry();
        r.family(AccountPolicy.FAMILY, AccountPolicy.class);
        r.add(new AccountPolicy.Exact(), true);
        r.add(new AccountPolicy.Seed000V7(), false);

        r.family(SplitPolicy.FAMILY, SplitPolicy.class);
        r.add(new SplitPolicy.Upstream(), true);
        r.add(new SplitPolicy.Minimal(), false);
        r.add(new SplitPolicy.Seed003V2(), false);
        r.add(new SplitPolicy.NoLock(), false);
        r.add(new SplitPolicy.CounterOutsideLock(), false);
        r.add(new SplitPolicy.ContOneEntry(), false);

        r.family(HotplugPolicy.FAMILY, HotplugPolicy.class);
        r.add(new HotplugPolicy.V71(), true);
        r.add(new HotplugPolicy.Pre71(), false);

        r.family(ExecmemPolicy.FAMILY, ExecmemPolicy.class);
        r.add(new ExecmemPolicy.None(), true);
        r.add(new ExecmemPolicy.RoxCache(), false);

        r.family(CollapsePolicy.FAMILY, CollapsePolicy.class);
        r.add(new CollapsePolicies.None(), true);
        r.add(new CollapsePolicies.Seed001(), false);
        r.add(new CollapsePolicies.OrderAware(), false);
        r.add(new CollapsePolicies.X86(), false);
        r.add(new CollapsePolicies.Background(), false);

        r.family(CollapseFreePolicy.FAMILY, CollapseFreePolicy.class);
        r.add(new CollapseFreePolicy.FlushFirst(), true);
        r.add(new CollapseFreePolicy.FreeBeforeFlush(), false);

        r.family(PageAttrPolicy.FAMILY, PageAttrPolicy.class);
        r.add(new PageAttrPolicy.Upstream(), true);
        r.add(new PageAttrPolicy.NoFlush(), false);

        r.family(Bbml2Policy.FAMILY, Bbml2Policy.class);
        r.add(new Bbml2Policy.SystemWide(), true);
        r.add(new Bbml2Policy.BootCpu(), false);

        r.family(LazyMmuPolicy.FAMILY, LazyMmuPolicy.class);
        r.add(new LazyMmuPolicy.Permissive(), false);
        r.add(new LazyMmuPolicy.NoNesting(), false);
        r.add(new LazyMmuPolicy.SaveRestore(), false);
        r.add(new LazyMmuPolicy.Generic(), true);
        r.add(new LazyMmuPolicy.NoFlush(), false);

        // The user model's selection: org.ptlab.user.PfnmapVariant maps these names to its enum
        // (the user package does not know this one; UserPfnmapTest checks the two lists agree).
        r.family("pfnmap", Variant.class);
        r.named("pfnmap", "seed004-v4", true,
                "seed 004 v4: remap_pfn_range makes PMD (and PUD) leaves only in VMAs without a fault handler, deposits a table "
                        + "for each, and copy_huge_pmd() deposits one for the child at fork");
        r.named("pfnmap", "seed004-v2", false,
                "seed 004 v2: copy_huge_pmd() copies a special PMD into the child without depositing a page table "
                        + "(the syzbot crash fixed in v3): a split or teardown in the child finds no deposit");
        r.named("pfnmap", "seed004-v4-oldprot", false,
                "seed 004 v4 split code over the pre-v4 arm64 helpers: pmd_pgprot() keeps the block type bits and pfn_pte() ORs "
                        + "them in, so a split writes PTEs with the reserved type 01 (the contract v4 introduces prevents this)");
        return r;
    }

    private static volatile VariantRegistry standard;

    /**
     * The model's families plus every variant on the class path of the thread's context class
     * loader (else this class's loader), built on first use. Errors in a user's jar (unknown
     * family, wrong interface, duplicate name) are reported as IllegalArgumentException.
     */
    public static VariantRegistry standard() {
        VariantRegistry r = standard;
        if (r == null) {
            synchronized (VariantRegistry.class) {
                r = standard;
                if (r == null) {
                    ClassLoader cl = Thread.currentThread().getContextClassLoader();
                    r = builtIn().withServices(cl != null ? cl : VariantRegistry.class.getClassLoader());
                    standard = r;
                }
            }
        }
        return r;
    }

    /** Tests: forget the standard registry so the next {@link #standard()} loads services again. */
    public static synchronized void resetStandard() {
        standard = null;
    }
}

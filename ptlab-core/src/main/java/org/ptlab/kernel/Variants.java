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
        register("split", "upstream", true,
                "split_kernel_leaf_mapping as merged (v6.18+): split only where a range edge falls inside a leaf, keep CONT elsewhere, pgtable_split_lock, no TLBI");
        register("split", "minimal", false,
                "ours: upstream's edge split, and the rodata=full alias loop changes each physically contiguous run of backing pages at once, so whole CONT ranges and blocks stay intact (Ryan, seed 001)");
        register("split", "seed003-v2", false,
                "seed 003 v2 as posted: no CONT with rodata=full, every changed linear range split down to PTEs under init_mm's mmap write lock, TLB flushed after each split");
        register("hotplug", "v7.1", true,
                "memory offline refused when an edge of the block would split a linear-map leaf or CONT group (leaf-boundary guard); one range flush per removal");
        register("hotplug", "pre-7.1", false,
                "before v7.1: no leaf-boundary guard, blocks cleared whole even when only partly removed, every cleared leaf flushed at once");
        register("execmem", "none", true,
                "upstream arm64: no EXECMEM_ROX_CACHE; set_memory_* refuse VM_ALLOW_HUGE_VMAP areas (-EINVAL)");
        register("execmem", "rox-cache", false,
                "seed 001 RFC 1-5/6: the execmem ROX cache; set_memory_* accept VM_ALLOW_HUGE_VMAP areas when BBML2_NOABORT lets them split live");
        register("collapse", "none", true,
                "upstream arm64 today: the linear map only ever splits, nothing coalesces it again");
        register("collapse", "seed001", false,
                "seed 001 RFC 6/6 as posted: on set_memory_ro of a VM_ALLOW_HUGE_VMAP area, collapse the PTE table at the linear alias of area->pages[0] into a PMD, under pgtable_split_lock only");
        register("collapse", "order-aware", false,
                "per backing chunk of area->page_order: collapse the linear alias and the vmalloc mapping, each no larger than the chunk (Ryan's review of seed 001)");
        register("collapse", "x86", false,
                "x86 since ~v6.14 (cpa_collapse_large_pages): on set_memory_rox only, PMD then PUD of the call's own range, flush_tlb_all, then free the tables");
        register("collapse", "background", false,
                "ours: a khugepaged-like scanner coalescing whatever became uniform (contPTE, PMD, contPMD, PUD), excluded per region against set_memory_*");
        register("collapse-free", "flush-first", true,
                "a table-to-block collapse invalidates the walk caches with __flush_tlb_kernel_pgtable (TLBI VAAE1IS; DSB ISH), then frees the old table (seed 001 as posted, order-aware, background)");
        register("collapse-free", "free-before-flush", false,
                "known bad: the collapse frees the old table before __flush_tlb_kernel_pgtable, so another CPU's walk cache may still point into the freed page (x86 is unaffected: it frees after flush_tlb_all)");
        register("pageattr", "upstream", true,
                "__change_memory_common flushes the changed range with flush_tlb_kernel_range after update_range_prot (except when it only makes entries valid)");
        register("pageattr", "no-flush", false,
                "known bad: __change_memory_common writes the new attributes but skips flush_tlb_kernel_range, so other CPUs keep the old, more permissive translations");
        register("bbml2", "system", true,
                "ARM64_HAS_BBML2_NOABORT as upstream finalises it: every CPU must have it; a boot CPU with it and a secondary without repaint the linear map to PTEs at boot");
        register("bbml2", "boot-cpu", false,
                "known bad (seed 003 v2's decision): the boot CPU's check alone decides, no repaint, the linear map is split live although secondaries may lack BBML2_NOABORT");
    }

    static {
        // The kernel package's own families register with their classes; load them here so that
        // every family is known before any --variant is parsed or `ptlab variants` lists them.
        LazyMmu.registerVariants();
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

package org.ptlab.ops;

import static org.ptlab.ops.Param.Type.ADDR;
import static org.ptlab.ops.Param.Type.BOOL;
import static org.ptlab.ops.Param.Type.PA;
import static org.ptlab.ops.Param.Type.PAGES;
import static org.ptlab.ops.Param.Type.PROT;
import static org.ptlab.ops.Param.Type.SIZE;
import static org.ptlab.ops.Param.opt;
import static org.ptlab.ops.Param.req;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ptlab.arch.Desc;

/**
 * The one catalogue of the kernel calls the model offers, built here and only here (no registration
 * by class loading). Every front end goes through it: {@code ptlab run} steps, the explorer's CPU
 * programs, ftrace replay and the generated workloads look a call up by its kernel name and
 * {@link Op#apply apply} it; {@code ptlab ops} lists it. The same name means the same kernel function
 * everywhere: {@code set_memory_ro} is {@code set_memory_ro()} (change_memory_common: a vmalloc or
 * module address only, -EINVAL for a linear one), {@code __change_memory_common} the unchecked walk
 * over any kernel range.
 */
public final class Ops {
    private static final Ops CATALOGUE = build();

    private final Map<String, Op> byName;

    private Ops(Map<String, Op> byName) {
        this.byName = Collections.unmodifiableMap(byName);
    }

    /** The catalogue. */
    public static Ops catalogue() {
        return CATALOGUE;
    }

    /** The call of that name, or null. */
    public Op get(String name) {
        return byName.get(name);
    }

    /** The call of that name; an IllegalArgumentException listing the catalogue when there is none. */
    public Op require(String name) {
        Op op = byName.get(name);
        if (op == null) {
            throw new IllegalArgumentException("unknown call '" + name + "': expected one of " + String.join(", ", byName.keySet()));
        }
        return op;
    }

    /** Every call, in catalogue order (by family). */
    public Collection<Op> all() {
        return byName.values();
    }

    /** Shorthand: apply the call of that name to a kernel (0 or a negative errno). */
    public static int call(org.ptlab.kernel.Kernel k, String name, long... args) {
        return CATALOGUE.require(name).errno(k, args);
    }

    private static Ops build() {
        Map<String, Op> m = new LinkedHashMap<>();
        // ------------------------------------------------------------ arch/arm64/mm/pageattr.c
        add(m, "set_memory_ro", "pageattr", List.of(req("addr", ADDR), req("pages", PAGES)),
                "set_memory_ro(): change_memory_common on a vmalloc/module area (and its linear alias with rodata=full)",
                (k, a) -> k.pageAttr.setMemoryRo(a[0], (int) a[1]));
        add(m, "set_memory_rw", "pageattr", List.of(req("addr", ADDR), req("pages", PAGES)),
                "set_memory_rw(): change_memory_common, clear PTE_RDONLY, set PTE_WRITE",
                (k, a) -> k.pageAttr.setMemoryRw(a[0], (int) a[1]));
        add(m, "set_memory_x", "pageattr", List.of(req("addr", ADDR), req("pages", PAGES)),
                "set_memory_x(): change_memory_common, clear PTE_PXN",
                (k, a) -> k.pageAttr.setMemoryX(a[0], (int) a[1]));
        add(m, "set_memory_nx", "pageattr", List.of(req("addr", ADDR), req("pages", PAGES)),
                "set_memory_nx(): change_memory_common, set PTE_PXN",
                (k, a) -> k.pageAttr.setMemoryNx(a[0], (int) a[1]));
        add(m, "set_memory_rox", "pageattr", List.of(req("addr", ADDR), req("pages", PAGES)),
                "set_memory_rox(): set_memory_ro then set_memory_x (collapse=x86: then x86's collapse of the range)",
                (k, a) -> k.pageAttr.setMemoryRox(a[0], (int) a[1]));
        add(m, "set_memory_valid", "pageattr", List.of(req("addr", ADDR), req("pages", PAGES), req("enable", BOOL)),
                "set_memory_valid(): any kernel range; flushes the TLB when disabling only",
                (k, a) -> k.pageAttr.setMemoryValid(a[0], (int) a[1], a[2] != 0));
        add(m, "__change_memory_common", "pageattr", List.of(req("addr", ADDR), req("pages", PAGES), req("prot", PROT)),
                "__change_memory_common(): split_kernel_leaf_mapping, the pageattr walk and flush_tlb_kernel_range on any kernel range"
                        + " (no vm area check): ro sets PTE_RDONLY and clears PTE_WRITE, rw the reverse",
                (k, a) -> {
                    long size = a[1] * k.geo.pageSize;
                    return a[2] == Param.RO ? k.pageAttr.changeCommon(a[0], size, Desc.RDONLY, Desc.WRITE)
                            : k.pageAttr.changeCommon(a[0], size, Desc.WRITE, Desc.RDONLY);
                });
        add(m, "set_direct_map_invalid_noflush", "pageattr", List.of(req("pa", PA)),
                "set_direct_map_invalid_noflush(page): the page's linear alias invalid, no TLB flush",
                (k, a) -> k.pageAttr.setDirectMapInvalidNoflush(a[0]));
        add(m, "set_direct_map_default_noflush", "pageattr", List.of(req("pa", PA)),
                "set_direct_map_default_noflush(page): the page's linear alias valid and writable again, no TLB flush",
                (k, a) -> k.pageAttr.setDirectMapDefaultNoflush(a[0]));
        add(m, "set_direct_map_valid_noflush", "pageattr", List.of(req("pa", PA), req("pages", PAGES), req("valid", BOOL)),
                "set_direct_map_valid_noflush(page, nr, valid): nr pages' linear alias valid or invalid, no TLB flush",
                (k, a) -> k.pageAttr.setDirectMapValidNoflush(a[0], (int) a[1], a[2] != 0));
        // ------------------------------------------------------------ arch/arm64/mm/mmu.c: live split
        add(m, "split_kernel_leaf_mapping", "split", List.of(req("start", ADDR), req("end", ADDR)),
                "split_kernel_leaf_mapping(start, end): under pgtable_split_lock make start and end leaf boundaries (no TLB invalidation)",
                (k, a) -> k.split.splitKernelLeafMapping(a[0], a[1]));
        // ------------------------------------------------------------ collapse (seed 001 and the collapse=... variants)
        add(m, "try_collapse_kernel_pmd", "collapse", List.of(req("addr", ADDR)),
                "seed 001's try_collapse_kernel_pmd(addr): collapse the PTE table under the PMD at addr into a block",
                (k, a) -> {
                    k.collapse.tryCollapseKernelPmd(a[0]);
                    return 0;
                });
        add(m, "collapse_scan", "collapse", List.of(opt("bytes", SIZE, 0), opt("all", BOOL, 0)),
                "one pass of the collapse=background scanner over BYTES of the linear map (0: all of it), every region with all=true;"
                        + " returns the number of collapses",
                (k, a) -> k.collapse.scan(a[0] == 0 ? k.collapse.linearSpan() : a[0], a[1] != 0));
        // ------------------------------------------------------------ memory hotplug (mm/memory_hotplug.c, arch_add_memory)
        add(m, "add_memory", "hotplug", List.of(req("start", PA), req("size", SIZE)),
                "add_memory() + online: arch_add_memory of [start, start + size) under the hotplug lock",
                (k, a) -> k.hotplug.addMemory(a[0], a[1]));
        add(m, "offline_pages", "hotplug", List.of(req("start", PA), req("size", SIZE)),
                "offline_pages() of the memory blocks of [start, start + size)",
                (k, a) -> k.hotplug.offlinePages(a[0], a[1]));
        add(m, "online_pages", "hotplug", List.of(req("start", PA), req("size", SIZE)),
                "online_pages() of offline memory blocks",
                (k, a) -> k.hotplug.onlinePages(a[0], a[1]));
        add(m, "arch_remove_memory", "hotplug", List.of(req("start", PA), req("size", SIZE)),
                "arch_remove_memory() of offline memory blocks: unmap and free their tables",
                (k, a) -> k.hotplug.archRemoveMemory(a[0], a[1]));
        add(m, "remove_memory", "hotplug", List.of(req("start", PA), req("size", SIZE)),
                "offline_pages() then arch_remove_memory()",
                (k, a) -> k.hotplug.removeMemory(a[0], a[1]));
        return new Ops(m);
    }

    private static void add(Map<String, Op> m, String name, String family, List<Param> params, String help, Op.Call call) {
        if (m.put(name, new Op(name, family, params, help, call)) != null) {
            throw new IllegalStateException("call " + name + " declared twice");
        }
    }
}

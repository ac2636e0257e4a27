package org.ptlab.workload;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.ptlab.arch.Sizes;
import org.ptlab.check.Ptdump;
import org.ptlab.kernel.Errno;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.VmStruct;

/**
 * The kernel's scenario steps: pageattr calls, vmalloc / vfree, module load and unload, BPF JIT
 * allocations, secretmem pages, page blocks, memory hotplug, and the reporting steps (check,
 * meminfo, ptdump, events, repeat).
 */
final class KernelSteps {
    private KernelSteps() {}

    /** The check step: the runner checks after it whatever --check-every says. */
    static final class Check implements Step {
        @Override
        public String describe() {
            return "check";
        }

        @Override
        public void run(ScenarioContext c) {}
    }

    /** A loaded module: its memory areas by type (text, rodata, data, ro_after_init). */
    record Module(String name, Map<String, VmStruct> areas) {}

    /** Pages from the page allocator: alloc_pages or secretmem. */
    record Block(String name, long pa, int order, boolean secret) {}

    static void registerAll() {
        kind("vmalloc", "{name, size, module: false, flags: [flush_reset_perms, allow_huge_vmap], order: 0, expect: 0}", KernelSteps::vmalloc);
        kind("vfree", "NAME", (a, r) -> named(a, "vfree", (c, n) -> {
            VmStruct v = c.get(n, VmStruct.class, "vmalloc area");
            c.remove(n);
            c.touch(v.addr, v.end());
            c.k.vmalloc.vfree(v);
        }));
        for (String op : new String[] {"set_memory_ro", "set_memory_rw", "set_memory_x", "set_memory_nx"}) {
            kind(op, "{area: NAME | va: ADDR, offset: PAGES, pages: N, expect: ERRNO}", (a, r) -> pageattr(op, a));
        }
        kind("set_memory_valid", "{area | block: NAME | va | pa: ADDR, offset, pages, enable: true|false, expect}", KernelSteps::setMemoryValid);
        kind("set_direct_map_invalid_noflush", "{block: NAME | pa: ADDR, offset: PAGES, expect}", (a, r) -> directMap(a, false));
        kind("set_direct_map_default_noflush", "{block: NAME | pa: ADDR, offset: PAGES, expect}", (a, r) -> directMap(a, true));
        kind("module_load", "{name, text: SIZE, rodata: SIZE, data: SIZE, ro_after_init: SIZE}", KernelSteps::moduleLoad);
        kind("module_unload", "NAME", (a, r) -> named(a, "module_unload", (c, n) -> {
            Module m = c.get(n, Module.class, "module");
            c.remove(n);
            for (VmStruct v : m.areas().values()) {
                c.touch(v.addr, v.end());
                c.k.vmalloc.vfree(v);
            }
        }));
        kind("bpf_jit", "{name, size}", KernelSteps::bpfJit);
        kind("bpf_free", "NAME", (a, r) -> named(a, "bpf_free", (c, n) -> {
            VmStruct v = c.get(n, VmStruct.class, "BPF program");
            c.remove(n);
            c.touch(v.addr, v.end());
            c.k.vmalloc.vfree(v);
        }));
        kind("alloc_pages", "{name, order: 0}", (a, r) -> block(a, false));
        kind("free_pages", "NAME", (a, r) -> named(a, "free_pages", (c, n) -> {
            Block b = c.get(n, Block.class, "page block");
            c.remove(n);
            c.k.pageAlloc.freePages(b.pa(), b.order());
        }));
        kind("secretmem", "{name, pages: N}", (a, r) -> block(a, true));
        kind("secretmem_free", "NAME", (a, r) -> named(a, "secretmem_free", (c, n) -> {
            Block b = c.get(n, Block.class, "secretmem block");
            c.remove(n);
            long ps = c.k.geo.pageSize;
            for (long i = 0; i < 1L << b.order(); i++) {
                c.expect(c.k.pageAttr.setDirectMapDefaultNoflush(b.pa() + i * ps), null, "set_direct_map_default_noflush");
            }
            c.touch(c.k.physToVirt(b.pa()), c.k.physToVirt(b.pa()) + (ps << b.order()));
            c.k.pageAlloc.freePages(b.pa(), b.order());
        }));
        kind("hot_add", "{start: PA, size: SIZE, expect}", (a, r) -> hotplug(a, "hot_add"));
        kind("hot_remove", "{start: PA, size: SIZE, expect}  (offline, then arch_remove_memory)", (a, r) -> hotplug(a, "hot_remove"));
        kind("offline", "{start: PA, size: SIZE, expect}", (a, r) -> hotplug(a, "offline"));
        kind("online", "{start: PA, size: SIZE, expect}", (a, r) -> hotplug(a, "online"));
        kind("unplug", "{start: PA, size: SIZE, expect}  (arch_remove_memory of offline blocks)", (a, r) -> hotplug(a, "unplug"));
        kind("check", "(no arguments) run every invariant now", (a, r) -> new Check());
        kind("meminfo", "(no arguments) print the DirectMap lines", (a, r) -> new Step() {
            @Override
            public String describe() {
                return "meminfo";
            }

            @Override
            public void run(ScenarioContext c) {
                for (String l : c.k.directMap.meminfoLines()) {
                    c.out.println(l);
                }
            }
        });
        kind("ptdump", "linear | NAME | {start: VA, end: VA}", KernelSteps::ptdump);
        kind("events", "(no arguments) print the maintenance each operation did so far", (a, r) -> new Step() {
            @Override
            public String describe() {
                return "events";
            }

            @Override
            public void run(ScenarioContext c) {
                c.out.print(c.events == null ? "" : c.events.report());
            }
        });
        kind("repeat", "{times: N, steps: [...]}", KernelSteps::repeat);
    }

    private static void kind(String name, String usage, BiFunction<YNode, StepRegistry, Step> parse) {
        StepRegistry.register(StepKind.of(name, usage, parse));
    }

    interface Body {
        void run(ScenarioContext c, String name);
    }

    private static Step named(YNode a, String what, Body body) {
        String n = a.isMap() ? req(a, "name").str("name") : a.str(what + "'s NAME");
        if (a.isMap()) {
            a.allowKeys(what, "name");
        }
        return new Step() {
            @Override
            public String describe() {
                return what + " " + n;
            }

            @Override
            public void run(ScenarioContext c) {
                body.run(c, n);
            }
        };
    }

    static YNode req(YNode a, String key) {
        YNode v = a.map("arguments").get(key);
        if (v == null) {
            throw a.error("missing '" + key + "'");
        }
        return v;
    }

    static Integer expect(YNode a) {
        YNode e = a.get("expect");
        if (e == null) {
            return null;
        }
        String s = e.str("expect").trim();
        switch (s) {
            case "0": return 0;
            case "-EINVAL": case "EINVAL": return -Errno.EINVAL;
            case "-ENOMEM": case "ENOMEM": return -Errno.ENOMEM;
            case "-EBUSY": case "EBUSY": return -Errno.EBUSY;
            case "-EPERM": case "EPERM": return -Errno.EPERM;
            case "-EEXIST": case "EEXIST": return -Errno.EEXIST;
            case "-E2BIG": case "E2BIG": return -Errno.E2BIG;
            default: throw e.error("bad expect '" + s + "': expected 0, -EINVAL, -ENOMEM, -EBUSY, -EPERM, -EEXIST or -E2BIG");
        }
    }

    // ------------------------------------------------------------------ vmalloc and friends

    private static Step vmalloc(YNode a, StepRegistry r) {
        a.allowKeys("vmalloc", "name", "size", "module", "flags", "order", "expect");
        String name = req(a, "name").str("name");
        long size = req(a, "size").size("size");
        boolean module = a.get("module") != null && a.get("module").bool("module");
        int order = a.get("order") == null ? 0 : (int) a.get("order").integer("order", 0, 18);
        int flags = 0;
        if (a.get("flags") != null) {
            YNode f = a.get("flags");
            for (YNode x : f.isScalar() ? List.of(f) : f.seq("flags")) {
                switch (x.str("a flag")) {
                    case "flush_reset_perms": case "VM_FLUSH_RESET_PERMS": flags |= VmStruct.VM_FLUSH_RESET_PERMS; break;
                    case "allow_huge_vmap": case "VM_ALLOW_HUGE_VMAP": flags |= VmStruct.VM_ALLOW_HUGE_VMAP; break;
                    default: throw x.error("unknown vmalloc flag '" + x.str("flag") + "': expected flush_reset_perms or allow_huge_vmap");
                }
            }
        }
        if (size <= 0) {
            throw req(a, "size").error("expected a size above zero");
        }
        Integer exp = expect(a);
        int fl = flags;
        return new Step() {
            @Override
            public String describe() {
                return String.format("vmalloc %s %s%s order %d flags 0x%x", name, Sizes.human(size), module ? " (module region)" : "", order, fl);
            }

            @Override
            public void run(ScenarioContext c) {
                VmStruct v = c.k.vmalloc.vmalloc(size, fl, order, module, name);
                c.expect(v == null ? -Errno.ENOMEM : 0, exp, "vmalloc");
                if (v != null) {
                    c.put(name, v);
                    c.touch(v.addr, v.end());
                }
            }
        };
    }

    private static Step moduleLoad(YNode a, StepRegistry r) {
        a.allowKeys("module_load", "name", "text", "rodata", "data", "ro_after_init");
        String name = req(a, "name").str("name");
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (String part : new String[] {"text", "rodata", "data", "ro_after_init"}) {
            if (a.get(part) != null) {
                long s = a.get(part).size(part);
                if (s <= 0) {
                    throw a.get(part).error("expected a size above zero");
                }
                sizes.put(part, s);
            }
        }
        if (sizes.isEmpty()) {
            throw a.error("a module needs at least one of text, rodata, data, ro_after_init");
        }
        Map<String, String> partNames = new LinkedHashMap<>();
        for (String part : sizes.keySet()) {
            partNames.put(part, name + "." + part);
        }
        return new Step() {
            @Override
            public String describe() {
                return "module_load " + name + " " + sizes;
            }

            @Override
            public void run(ScenarioContext c) {
                Kernel k = c.k;
                Map<String, VmStruct> areas = new LinkedHashMap<>();
                for (Map.Entry<String, Long> e : sizes.entrySet()) {
                    VmStruct v = k.vmalloc.vmalloc(e.getValue(), VmStruct.VM_FLUSH_RESET_PERMS, 0, true, partNames.get(e.getKey()));
                    if (v == null) {
                        throw new StepFailure("module_load " + name + ": execmem_alloc of " + e.getKey() + " failed (-ENOMEM)");
                    }
                    areas.put(e.getKey(), v);
                    c.touch(v.addr, v.end());
                }
                long ps = k.geo.pageSize;
                // module_enable_rodata_ro, module_enable_data_nx, module_enable_text_rox, then ro_after_init after init
                for (Map.Entry<String, VmStruct> e : areas.entrySet()) {
                    VmStruct v = e.getValue();
                    int n = (int) (v.mappedSize(ps) / ps);
                    switch (e.getKey()) {
                        case "rodata":
                        case "ro_after_init":
                            c.expect(k.pageAttr.setMemoryRo(v.addr, n), null, () -> "set_memory_ro(" + name + "." + e.getKey() + ")");
                            break;
                        case "data":
                            c.expect(k.pageAttr.setMemoryNx(v.addr, n), null, () -> "set_memory_nx(" + name + ".data)");
                            break;
                        default:
                            c.expect(k.pageAttr.setMemoryRo(v.addr, n), null, () -> "set_memory_ro(" + name + ".text)");
                            c.expect(k.pageAttr.setMemoryX(v.addr, n), null, () -> "set_memory_x(" + name + ".text)");
                            break;
                    }
                    for (int i = 0; i < v.nrPages; i++) {
                        c.touch(k.physToVirt(v.pages[i]), k.physToVirt(v.pages[i]) + ps);
                    }
                }
                c.put(name, new Module(name, areas));
                for (Map.Entry<String, VmStruct> e : areas.entrySet()) {
                    c.put(partNames.get(e.getKey()), e.getValue());
                }
            }
        };
    }

    private static Step bpfJit(YNode a, StepRegistry r) {
        a.allowKeys("bpf_jit", "name", "size");
        String name = req(a, "name").str("name");
        long size = req(a, "size").size("size");
        if (size <= 0) {
            throw req(a, "size").error("expected a size above zero");
        }
        return new Step() {
            @Override
            public String describe() {
                return "bpf_jit " + name + " " + Sizes.human(size);
            }

            @Override
            public void run(ScenarioContext c) {
                Kernel k = c.k;
                // bpf_jit_alloc_exec -> execmem_alloc(EXECMEM_BPF); bpf_jit_binary_lock_ro -> set_memory_rox
                VmStruct v = k.vmalloc.vmalloc(size, VmStruct.VM_FLUSH_RESET_PERMS, 0, true, name);
                if (v == null) {
                    throw new StepFailure("bpf_jit " + name + ": execmem_alloc failed (-ENOMEM)");
                }
                long ps = k.geo.pageSize;
                int n = (int) (v.mappedSize(ps) / ps);
                c.expect(k.pageAttr.setMemoryRo(v.addr, n), null, () -> "set_memory_ro(" + name + ")");
                c.expect(k.pageAttr.setMemoryX(v.addr, n), null, () -> "set_memory_x(" + name + ")");
                c.put(name, v);
                c.touch(v.addr, v.end());
            }
        };
    }

    private static Step block(YNode a, boolean secret) {
        String what = secret ? "secretmem" : "alloc_pages";
        a.allowKeys(what, "name", secret ? "pages" : "order");
        String name = req(a, "name").str("name");
        int order;
        if (secret) {
            long pages = req(a, "pages").integer("pages", 1, 1 << 18);
            if (Long.bitCount(pages) != 1) {
                throw req(a, "pages").error("expected a power of two number of pages");
            }
            order = Long.numberOfTrailingZeros(pages);
        } else {
            order = a.get("order") == null ? 0 : (int) a.get("order").integer("order", 0, 18);
        }
        return new Step() {
            @Override
            public String describe() {
                return what + " " + name + " order " + order;
            }

            @Override
            public void run(ScenarioContext c) {
                Kernel k = c.k;
                long pa = k.pageAlloc.allocPages(order);
                if (pa < 0) {
                    throw new StepFailure(what + " " + name + ": no free block of order " + order);
                }
                long ps = k.geo.pageSize;
                if (secret) {
                    // secretmem_fault: set_direct_map_invalid_noflush, then flush_tlb_kernel_range of the page
                    for (long i = 0; i < 1L << order; i++) {
                        long p = pa + i * ps;
                        c.expect(k.pageAttr.setDirectMapInvalidNoflush(p), null, "set_direct_map_invalid_noflush");
                        k.tlb.flushTlbKernelRange(k.physToVirt(p), k.physToVirt(p) + ps);
                    }
                }
                c.put(name, new Block(name, pa, order, secret));
                c.touch(k.physToVirt(pa), k.physToVirt(pa) + (ps << order));
            }
        };
    }

    // ------------------------------------------------------------------ pageattr

    /** A VA range: an area, a module part or a page block by name, or a va/pa; offset and pages in pages. */
    private record Target(String name, Long va, Long pa, long offset, Long pages, YNode at) {
        static Target parse(YNode a, boolean allowPa) {
            String name = a.get("area") != null ? a.get("area").str("area") : a.get("block") != null ? a.get("block").str("block") : null;
            Long va = a.get("va") != null ? a.get("va").size("va") : null;
            Long pa = allowPa && a.get("pa") != null ? a.get("pa").size("pa") : null;
            int given = (name != null ? 1 : 0) + (va != null ? 1 : 0) + (pa != null ? 1 : 0);
            if (given != 1) {
                throw a.error("expected exactly one of area:/block: NAME, va: ADDR" + (allowPa ? ", pa: ADDR" : ""));
            }
            long off = a.get("offset") == null ? 0 : a.get("offset").integer("offset (pages)", 0, Integer.MAX_VALUE);
            Long pages = a.get("pages") == null ? null : a.get("pages").integer("pages", 0, Integer.MAX_VALUE);
            if (name == null && pages == null) {
                throw a.error("missing 'pages' (the number of pages from the address)");
            }
            return new Target(name, va, pa, off, pages, a);
        }

        /** {va, pages} */
        long[] resolve(ScenarioContext c) {
            Kernel k = c.k;
            long ps = k.geo.pageSize;
            long base;
            long total;
            if (name != null) {
                if (!c.has(name)) {
                    throw new StepFailure("no area or block named '" + name + "' exists at this point");
                }
                Object o = c.get(name, Object.class, "area");
                if (o instanceof VmStruct v) {
                    base = v.addr;
                    total = v.mappedSize(ps) / ps;
                } else if (o instanceof Block b) {
                    base = k.physToVirt(b.pa());
                    total = 1L << b.order();
                } else {
                    throw new StepFailure("'" + name + "' is a module: name one of its parts, e.g. " + name + ".text");
                }
            } else if (va != null) {
                base = va;
                total = pages;
            } else {
                base = k.physToVirt(pa);
                total = pages;
            }
            long n = pages != null ? pages : total - offset;
            return new long[] {base + offset * ps, n};
        }

        String text() {
            String w = name != null ? name : va != null ? String.format("0x%x", va) : String.format("pa 0x%x", pa);
            return w + (offset != 0 ? "+" + offset : "") + (pages != null ? ", " + pages : "");
        }
    }

    private static Step pageattr(String op, YNode a) {
        a.allowKeys(op, "area", "va", "offset", "pages", "expect");
        Target t = Target.parse(a, false);
        Integer exp = expect(a);
        return new Step() {
            @Override
            public String describe() {
                return op + "(" + t.text() + ")";
            }

            @Override
            public void run(ScenarioContext c) {
                long[] r = t.resolve(c);
                int n = (int) r[1];
                Kernel k = c.k;
                int rc;
                switch (op) {
                    case "set_memory_ro": rc = k.pageAttr.setMemoryRo(r[0], n); break;
                    case "set_memory_rw": rc = k.pageAttr.setMemoryRw(r[0], n); break;
                    case "set_memory_x": rc = k.pageAttr.setMemoryX(r[0], n); break;
                    default: rc = k.pageAttr.setMemoryNx(r[0], n); break;
                }
                c.touch(r[0], r[0] + (long) n * k.geo.pageSize);
                VmStruct v = k.vmalloc.find(r[0]);
                if (v != null) {
                    for (int i = 0; i < v.nrPages; i++) {
                        c.touch(k.physToVirt(v.pages[i]), k.physToVirt(v.pages[i]) + k.geo.pageSize);
                    }
                }
                c.expect(rc, exp, this::describe);
            }
        };
    }

    private static Step setMemoryValid(YNode a, StepRegistry r) {
        a.allowKeys("set_memory_valid", "area", "block", "va", "pa", "offset", "pages", "enable", "expect");
        Target t = Target.parse(a, true);
        boolean enable = req(a, "enable").bool("enable");
        Integer exp = expect(a);
        return new Step() {
            @Override
            public String describe() {
                return "set_memory_valid(" + t.text() + ", " + (enable ? 1 : 0) + ")";
            }

            @Override
            public void run(ScenarioContext c) {
                long[] x = t.resolve(c);
                int rc = c.k.pageAttr.setMemoryValid(x[0], (int) x[1], enable);
                c.touch(x[0], x[0] + x[1] * c.k.geo.pageSize);
                c.expect(rc, exp, this::describe);
            }
        };
    }

    private static Step directMap(YNode a, boolean dflt) {
        String op = dflt ? "set_direct_map_default_noflush" : "set_direct_map_invalid_noflush";
        a.allowKeys(op, "block", "pa", "offset", "expect");
        if (a.get("block") == null && a.get("pa") == null) {
            throw a.error("expected block: NAME or pa: ADDR");
        }
        String name = a.get("block") != null ? a.get("block").str("block") : null;
        Long pa = a.get("pa") != null ? a.get("pa").size("pa") : null;
        long off = a.get("offset") == null ? 0 : a.get("offset").integer("offset (pages)", 0, Integer.MAX_VALUE);
        Integer exp = expect(a);
        return new Step() {
            @Override
            public String describe() {
                return op + "(" + (name != null ? name : String.format("pa 0x%x", pa)) + (off != 0 ? "+" + off : "") + ")";
            }

            @Override
            public void run(ScenarioContext c) {
                long ps = c.k.geo.pageSize;
                long p = (name != null ? c.get(name, Block.class, "page block").pa() : pa) + off * ps;
                int rc = dflt ? c.k.pageAttr.setDirectMapDefaultNoflush(p) : c.k.pageAttr.setDirectMapInvalidNoflush(p);
                c.touch(c.k.physToVirt(p), c.k.physToVirt(p) + ps);
                c.expect(rc, exp, this::describe);
            }
        };
    }

    // ------------------------------------------------------------------ hotplug

    private static Step hotplug(YNode a, String op) {
        a.allowKeys(op, "start", "size", "expect");
        long start = req(a, "start").size("start");
        long size = req(a, "size").size("size");
        Integer exp = expect(a);
        return new Step() {
            @Override
            public String describe() {
                return String.format("%s 0x%x-0x%x (%s)", op, start, start + size, Sizes.human(size));
            }

            @Override
            public void run(ScenarioContext c) {
                Kernel k = c.k;
                int rc;
                switch (op) {
                    case "hot_add": rc = k.hotplug.addMemory(start, size); break;
                    case "hot_remove": rc = k.hotplug.removeMemory(start, size); break;
                    case "offline": rc = k.hotplug.offlinePages(start, size); break;
                    case "online": rc = k.hotplug.onlinePages(start, size); break;
                    default: rc = k.hotplug.archRemoveMemory(start, size); break;
                }
                c.touch(k.physToVirt(start), k.physToVirt(start + size));
                c.expect(rc, exp, this::describe);
            }
        };
    }

    // ------------------------------------------------------------------ reporting and control

    private static Step ptdump(YNode a, StepRegistry r) {
        String name;
        Long s = null;
        Long e = null;
        if (a.isScalar()) {
            name = a.str("ptdump");
        } else {
            a.allowKeys("ptdump", "start", "end");
            name = null;
            s = req(a, "start").size("start");
            e = req(a, "end").size("end");
        }
        Long s0 = s;
        Long e0 = e;
        return new Step() {
            @Override
            public String describe() {
                return "ptdump " + (name != null ? name : String.format("0x%x-0x%x", s0, e0));
            }

            @Override
            public void run(ScenarioContext c) {
                Kernel k = c.k;
                if (name == null) {
                    c.out.print(Ptdump.range(k, s0, e0));
                } else if (name.equals("linear")) {
                    c.out.print(Ptdump.linearMap(k));
                } else {
                    VmStruct v = c.get(name, VmStruct.class, "vmalloc area");
                    c.out.print(Ptdump.range(k, v.addr, v.end()));
                }
            }
        };
    }

    private static Step repeat(YNode a, StepRegistry r) {
        a.allowKeys("repeat", "times", "steps");
        long times = req(a, "times").integer("times", 0, Integer.MAX_VALUE);
        List<StepRegistry.LocatedStep> body = r.parseSteps(req(a, "steps"));
        List<StepRegistry.LocatedStep> steps = new ArrayList<>(body);
        return new Step() {
            @Override
            public String describe() {
                return "repeat " + times + " times (" + steps.size() + " steps)";
            }

            @Override
            public boolean compound() {
                return true;
            }

            @Override
            public void run(ScenarioContext c) {
                ScenarioRunner.runAll(c, steps, times);
            }
        };
    }
}

package org.ptlab.run;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;
import org.ptlab.check.Invariants;
import org.ptlab.check.Ptdump;
import org.ptlab.check.Violation;
import org.ptlab.kernel.Errno;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.KernelBug;
import org.ptlab.kernel.VmStruct;
import org.ptlab.ops.Ops;
import org.ptlab.pgtable.PgtableObserver;
import org.ptlab.source.FtraceEvent;
import org.ptlab.source.FtraceParser;

/**
 * Replays a real kernel's ftrace kprobe trace ({@link FtraceParser}) on a modelled kernel: each
 * recorded call of {@code set_memory_ro/rw/x/nx/valid}, {@code set_direct_map_*_noflush},
 * {@code __vmalloc_node_range} (entry + return probe) and {@code vfree} becomes the same call of the
 * model, and {@code module:module_load} events become labelled steps.
 *
 * <p>Addresses of the real machine are remapped onto the model:
 * <ul>
 *   <li>a vmalloc/module address inside an area whose allocation the trace recorded maps to the same
 *       offset in the model's area allocated for it (module region when the allocation's
 *       [start, end) window is at most 4 GiB wide, as execmem's is, vmalloc region otherwise);
 *   <li>a linear-map address keeps its offset from PAGE_OFFSET (the real one follows from
 *       {@code va_bits}); a {@code struct page *} is turned into the same offset through
 *       {@code (page - vmemmap) / struct_page} pages; offsets beyond the model's memory are folded
 *       modulo its size (a note says how many);
 *   <li>anything else (an area allocated before the trace started) is skipped and counted.
 * </ul>
 * Calls the model makes itself inside a replayed call ({@code vfree} of a
 * {@code VM_FLUSH_RESET_PERMS} area calls {@code set_direct_map_*_noflush} once per page) are
 * recorded in the real trace too, by the same task: such events, matched in order per PID against
 * the model's own nested operations, are consumed rather than replayed twice.
 */
public final class FtraceReplay {
    /** Functions a trace may record that the model's own operations may also call inside a replayed one. */
    private static final java.util.Set<String> TRACEABLE = java.util.Set.of("set_memory_ro", "set_memory_rw", "set_memory_x",
            "set_memory_nx", "set_memory_valid", "set_direct_map_invalid_noflush", "set_direct_map_default_noflush",
            "set_direct_map_valid_noflush", "vfree", "vmalloc");

    /** The catalogue's set_memory_* calls a trace records as (addr, numpages[, enable]). */
    private static final java.util.Set<String> PAGEATTR_CALLS = java.util.Set.of("set_memory_ro", "set_memory_rw", "set_memory_x",
            "set_memory_nx", "set_memory_valid");

    /** Receives the steps (one per replayed event) for reports. */
    public interface Listener {
        default void stepDone(String label) {}

        default void violation(String where, String invariant, String message, List<String> interleaving, List<String> ptdump) {}
    }

    /** What the replay did. */
    public record Result(int status, int replayed, int consumedNested, int skipped, List<String> notes, String firstViolation) {}

    private final Kernel k;
    private final FtraceParser.Trace t;
    private final Listener listener;
    private final int checkEvery;
    private final List<String> notes = new ArrayList<>();
    private final long realPageOffset;
    private final long realPageEnd;
    private final long realPageSize;
    private final long vmemmap;
    private final long structPage;
    private final long memstart;
    private final long modelSpan;
    /** Real area start -> [real end, model VmStruct]. */
    private final TreeMap<Long, Object[]> areas = new TreeMap<>();
    private final Map<Integer, long[]> pendingVmalloc = new HashMap<>();
    private final Map<Integer, ArrayDeque<String>> nested = new HashMap<>();
    private final ArrayDeque<String> recent = new ArrayDeque<>();
    private int replayed;
    private int consumed;
    private int skippedUnknown;
    private int skippedOther;
    private int folded;
    private int failedCalls;
    private int steps;
    /**
     * Whether the trace carries update_range_prot probes (7.x): then the real linear addresses of
     * every permission change are known, set_memory_* calls are replayed through their
     * update_range_prot children (so the linear alias changed is the real pages', not the model's),
     * and split_kernel_leaf_mapping events inside a replayed call are its own.
     */
    private final boolean realAlias;
    /** Per PID: 1 = consume update_range_prot/split children (the model's call makes them), 2 = replay
     * update_range_prot children (their parent was not replayed), 3 = consume split children only. */
    private final Map<Integer, Integer> inner = new HashMap<>();
    /** When not null: the replayed calls as scenario steps (YAML lines), see {@link #replayToScenario}. */
    private List<String> yaml;

    private FtraceReplay(Kernel k, FtraceParser.Trace t, Listener l, int checkEvery) {
        this.k = k;
        this.t = t;
        this.listener = l;
        this.checkEvery = checkEvery;
        this.realPageSize = directive("page_size", 4096);
        int vaBits = (int) directive("va_bits", inferVaBits(t, realPageSize, k.geo.vaBits));
        Granule g = realPageSize == 4096 ? Granule.G4K : realPageSize == 16384 ? Granule.G16K
                : realPageSize == 65536 ? Granule.G64K : null;
        if (g == null) {
            throw new IllegalArgumentException(t.file() + ": '# ptlab: page_size=" + realPageSize + "': expected 4096, 16384 or 65536");
        }
        Geometry real;
        try {
            real = Geometry.of(g, vaBits);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(t.file() + ": '# ptlab: va_bits=" + vaBits + "': " + e.getMessage());
        }
        this.realPageOffset = real.pageOffset;
        this.realPageEnd = real.pageEnd;
        this.structPage = directive("struct_page", 64);
        if (structPage <= 0 || Long.bitCount(structPage) != 1) {
            throw new IllegalArgumentException(t.file() + ": '# ptlab: struct_page=" + structPage + "': expected a power of two (64)");
        }
        long dflt;
        if (k.cfg.version.atLeast(org.ptlab.kernel.KernelVersion.V6_12) && (vaBits == 52 || k.cfg.configVaBits == 52)) {
            // 6.12+ asm/memory.h of a VA_BITS=52 build: VMEMMAP_END = -1G, VMEMMAP_START = VMEMMAP_END -
            // ((_PAGE_END(VA_BITS_MIN) - PAGE_OFFSET) >> PAGE_SHIFT) * sizeof(struct page); running with
            // fewer VA bits moves memstart_addr down, so PHYS_OFFSET's struct page lies further up.
            int vaMin = real.granule == Granule.G16K ? 47 : 48;
            long range = -(1L << (vaMin - 1)) - -(1L << 52);
            long start = -(1L << 30) - (range >>> real.pageShift) * structPage;
            if (vaBits < 52) {
                start += (((1L << 52) - (1L << vaBits)) >>> real.pageShift) * structPage;
            }
            dflt = start;
        } else {
            // VMEMMAP_START of a 6.1 arm64 kernel: -(1 << (VA_BITS - (PAGE_SHIFT - STRUCT_PAGE_MAX_SHIFT)))
            dflt = -(1L << (vaBits - (real.pageShift - Long.numberOfTrailingZeros(structPage))));
        }
        this.vmemmap = directive("vmemmap", dflt);
        // memstart_addr: the PA at PAGE_OFFSET (moved by KASLR's linear-region randomisation)
        this.memstart = directive("memstart", k.physOffset);
        boolean real2 = false;
        for (FtraceEvent e : t.events()) {
            if (!e.isReturn() && isInnerChange(base(e.function()))) {
                real2 = true;
                break;
            }
        }
        this.realAlias = real2;
        long span = 0;
        for (var r : k.mem.memory()) {
            span = Math.max(span, r.end() - k.physOffset);
        }
        this.modelSpan = span;
    }

    /**
     * The real kernel's VA bits when no {@code va_bits} directive gives them: 52 when an argument
     * holds an address in [-(2^52), -(2^48)) (only a 52-bit kernel's linear map lies there), 48 when
     * one lies in the 48-bit linear map [-(2^48), -(2^47)) and none lower, else the model's own.
     */
    static int inferVaBits(FtraceParser.Trace t, long pageSize, int modelVaBits) {
        if (pageSize == 65536) {
            return modelVaBits;
        }
        boolean low = false;
        boolean mid = false;
        for (FtraceEvent e : t.events()) {
            for (Map.Entry<String, String> a : e.args().entrySet()) {
                String v = a.getValue();
                if (!v.startsWith("0xfff")) {
                    continue;
                }
                long x;
                try {
                    x = Long.parseUnsignedLong(v.substring(2), 16);
                } catch (NumberFormatException ex) {
                    continue;
                }
                if (Long.compareUnsigned(x, -(1L << 52)) >= 0 && Long.compareUnsigned(x, -(1L << 48)) < 0) {
                    low = true;
                } else if (Long.compareUnsigned(x, -(1L << 48)) >= 0 && Long.compareUnsigned(x, -(1L << 47)) < 0) {
                    mid = true;
                }
            }
        }
        if (low) {
            return 52;
        }
        if (mid) {
            return pageSize == 16384 && modelVaBits == 47 ? 47 : 48;
        }
        return modelVaBits;
    }

    /**
     * The probed inner permission change that carries the real linear addresses: 7.x
     * update_range_prot(addr, size, set, clear), 6.x __change_memory_common(start, size, set, clear)
     * (docs/traces.md; the capture's probe is named change_memory_common).
     */
    static boolean isInnerChange(String f) {
        return f.equals("update_range_prot") || f.equals("change_memory_common") || f.equals("__change_memory_common");
    }

    /** A probed symbol without its compiler suffix (update_range_prot.isra.0 -> update_range_prot). */
    static String base(String f) {
        int dot = f.indexOf('.');
        return dot > 0 ? f.substring(0, dot) : f;
    }

    private long directive(String key, long dflt) {
        String v = t.directives().get(key);
        return v == null ? dflt : FtraceParser.value(v, "'# ptlab: " + key + "='");
    }

    /** Replay the trace on k; invariants are checked every checkEvery events (0: only at the end). */
    public static Result replay(Kernel k, FtraceParser.Trace t, Listener l, int checkEvery) {
        FtraceReplay r = new FtraceReplay(k, t, l, checkEvery);
        return r.run();
    }

    /**
     * Replay as {@link #replay} and also append to steps one scenario step (a YAML list item of
     * {@code ptlab run}'s vocabulary) per replayed call: vmalloc areas get names ({@code vmLINE}),
     * later calls refer to them by name and page offset, linear-map calls by model VA or PA, a call
     * that failed in the model carries its {@code expect:}; nested calls are left to the model, as in
     * the replay; module_load events and skipped calls become comments.
     */
    public static Result replayToScenario(Kernel k, FtraceParser.Trace t, Listener l, int checkEvery, List<String> steps) {
        FtraceReplay r = new FtraceReplay(k, t, l, checkEvery);
        r.yaml = steps;
        return r.run();
    }

    private void yaml(FtraceEvent e, String step) {
        if (yaml != null) {
            yaml.add("  - " + step + "   # " + t.file() + ":" + e.line() + " " + e.comm() + "-" + e.pid());
        }
    }

    private void yamlComment(FtraceEvent e, String text) {
        if (yaml != null) {
            yaml.add("  # " + text + " (" + t.file() + ":" + e.line() + ")");
        }
    }

    private static String expect(int rc) {
        return rc == 0 ? "" : ", expect: " + Errno.name(rc);
    }

    /** The scenario's way of naming a model VA: {area: NAME, offset: PAGES} or {va: ADDR}. */
    private String where(long va) {
        for (Object[] o : areas.values()) {
            VmStruct a = (VmStruct) o[1];
            if (Long.compareUnsigned(va, a.addr) >= 0 && Long.compareUnsigned(va, a.end()) < 0) {
                return "area: " + o[2] + ", offset: " + ((va - a.addr) / k.geo.pageSize);
            }
        }
        return String.format("va: 0x%x", va);
    }

    private Result run() {
        NestedOps ops = new NestedOps();
        k.pg.addObserver(ops);
        String first = null;
        try {
            if ((first = check("boot", 0)) != null) {
                return result(1, first);
            }
            for (FtraceEvent e : t.events()) {
                ops.names.clear();
                String label = apply(e);
                if (label == null) {
                    continue;
                }
                ArrayDeque<String> q = new ArrayDeque<>(ops.names.size());
                for (int i = 1; i < ops.names.size(); i++) {
                    if (TRACEABLE.contains(ops.names.get(i))) {
                        q.add(ops.names.get(i));
                    }
                }
                nested.put(e.pid(), q);
                steps++;
                remember(e, label);
                listener.stepDone(label);
                if (checkEvery > 0 && steps % checkEvery == 0) {
                    first = check(t.file() + ":" + e.line() + " " + label, steps);
                    if (first != null) {
                        return result(1, first);
                    }
                }
            }
            for (Map.Entry<Integer, long[]> p : pendingVmalloc.entrySet()) {
                notes.add(String.format("%s: PID %d's last vmalloc of 0x%x bytes has no return event (trace cut off): not replayed",
                        t.file(), p.getKey(), p.getValue()[0]));
            }
            if (checkEvery == 0 || steps % checkEvery != 0) {
                first = check("the end of the trace", steps);
                if (first != null) {
                    return result(1, first);
                }
            }
        } finally {
            k.pg.removeObserver(ops);
        }
        return result(0, null);
    }

    private Result result(int status, String first) {
        if (skippedUnknown > 0) {
            notes.add(skippedUnknown + " calls on vmalloc/module addresses whose allocation is not in the trace were skipped");
        }
        if (skippedOther > 0) {
            notes.add(skippedOther + " events of other functions were ignored");
        }
        if (folded > 0) {
            notes.add(folded + " linear-map addresses lay beyond the model's memory and were folded modulo its size");
        }
        if (failedCalls > 0) {
            notes.add(failedCalls + " replayed calls returned an error in the model");
        }
        if (consumed > 0) {
            notes.add(consumed + " events were nested calls the model made itself (not replayed twice)");
        }
        return new Result(status, replayed, consumed, skippedUnknown + skippedOther, notes, first);
    }

    private void remember(FtraceEvent e, String label) {
        recent.addLast(t.file() + ":" + e.line() + ": [" + e.cpu() + "] " + e.comm() + "-" + e.pid() + " " + label);
        if (recent.size() > 12) {
            recent.removeFirst();
        }
    }

    private String check(String where, long step) {
        List<Violation> v = Invariants.check(k);
        if (v.isEmpty()) {
            return null;
        }
        Violation x = v.get(0);
        List<String> dump = new ArrayList<>();
        if (x.start() != x.end()) {
            long ps = k.geo.pageSize;
            for (String l : Ptdump.range(k, x.start() & -ps, (x.end() + ps - 1) & -ps).split("\n")) {
                dump.add(l);
            }
        }
        String msg = x.message() + (v.size() > 1 ? " (and " + (v.size() - 1) + " more)" : "");
        listener.violation(where, x.invariant(), msg, new ArrayList<>(recent), dump);
        return "after " + where + ": " + x.invariant() + ": " + msg;
    }

    // ------------------------------------------------------------------ one event

    /** Replay one event; returns the step label, or null when the event was not a step. */
    private String apply(FtraceEvent e) {
        String f = base(e.function());
        String file = t.file();
        if (!e.isReturn() && (isInnerChange(f) || f.equals("split_kernel_leaf_mapping"))) {
            return applyInner(e, f);
        }
        if (!e.isReturn() && !f.equals("module_load")) {
            inner.put(e.pid(), realAlias && f.startsWith("set_memory_") ? 2 : 1);
        }
        if (realAlias && !e.isReturn() && (f.equals("set_memory_ro") || f.equals("set_memory_rw") || f.equals("set_memory_x")
                || f.equals("set_memory_nx") || f.equals("set_memory_valid"))) {
            // replayed through its update_range_prot children, which carry the real linear addresses
            consumed++;
            return null;
        }
        ArrayDeque<String> q = nested.get(e.pid());
        if (q != null && !q.isEmpty() && !e.isReturn() && q.peekFirst().equals(f)) {
            q.removeFirst();
            consumed++;
            return null;
        }
        if (q != null && !e.isReturn()) {
            q.clear();
        }
        try {
            if (PAGEATTR_CALLS.contains(f)) { // set_memory_{ro,rw,x,nx,valid}(addr, numpages[, enable]): the catalogue's calls
                if (e.isReturn()) {
                    return null;
                }
                long addr = e.argAny(file, "addr", "arg1");
                long n = e.argAny(file, "numpages", "arg2");
                long va = mapVa(addr);
                if (va == 0) {
                    skippedUnknown++;
                    yamlComment(e, f + " on 0x" + Long.toHexString(addr) + ": area not in the trace, skipped");
                    return null;
                }
                int np = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, n * realPageSize / k.geo.pageSize));
                // the recorded call is the catalogue's call of the same name
                int rc = f.equals("set_memory_valid") ? Ops.call(k, f, va, np, e.argAny(file, "enable", "arg3") != 0 ? 1 : 0)
                        : Ops.call(k, f, va, np);
                if (f.equals("set_memory_valid")) {
                    yaml(e, String.format("set_memory_valid: {%s, pages: %d, enable: %b%s}", where(va), np,
                            e.argAny(file, "enable", "arg3") != 0, expect(rc)));
                } else {
                    yaml(e, String.format("%s: {%s, pages: %d%s}", f, where(va), np, expect(rc)));
                }
                return done(e, String.format("%s(0x%x, %d)", f, va, np), rc);
            }
            if (f.startsWith("set_direct_map_") && Ops.catalogue().get(f) != null) { // the catalogue's set_direct_map_*(page[, nr, valid])
                if (e.isReturn()) {
                    return null;
                }
                long pa = pagePa(e.argAny(file, "page", "arg1"));
                int rc;
                if (f.equals("set_direct_map_invalid_noflush")) {
                    rc = Ops.call(k, f, pa);
                    yaml(e, String.format("set_direct_map_invalid_noflush: {pa: 0x%x%s}", pa, expect(rc)));
                } else if (f.equals("set_direct_map_default_noflush")) {
                    rc = Ops.call(k, f, pa);
                    yaml(e, String.format("set_direct_map_default_noflush: {pa: 0x%x%s}", pa, expect(rc)));
                } else {
                    long nr = e.argAny(file, "nr", "arg2");
                    int n = (int) Math.min(Integer.MAX_VALUE, Math.max(0, nr));
                    boolean valid = e.argAny(file, "valid", "arg3") != 0;
                    rc = Ops.call(k, f, pa, n, valid ? 1 : 0);
                    if (k.canSetDirectMap) {
                        // set_direct_map_valid_noflush is set_memory_valid on the page's linear address
                        yaml(e, String.format("set_memory_valid: {pa: 0x%x, pages: %d, enable: %b%s}", pa, n, valid, expect(rc)));
                    } else {
                        yamlComment(e, "set_direct_map_valid_noflush: nothing to do without can_set_direct_map()");
                    }
                }
                return done(e, String.format("%s(pa 0x%x)", f, pa), rc);
            }
            switch (f) {
                case "__vmalloc_node_range": case "__vmalloc_node_range_noprof": case "__vmalloc_node_noprof": {
                    if (!e.isReturn()) {
                        long size = e.argAny(file, "size", "arg1");
                        long start = e.args().containsKey("start") ? e.arg(file, "start") : 0;
                        long end = e.args().containsKey("end") ? e.arg(file, "end") : 0;
                        long flags = e.args().containsKey("vm_flags") ? e.arg(file, "vm_flags") : 0;
                        pendingVmalloc.put(e.pid(), new long[] {size, start, end, flags});
                        return null;
                    }
                    long ret = e.argAny(file, "ret", "arg1");
                    long[] p = pendingVmalloc.remove(e.pid());
                    if (p == null) {
                        notes.add(file + ":" + e.line() + ": vmalloc return without its entry event (PID " + e.pid() + "): skipped");
                        return null;
                    }
                    if (ret == 0) {
                        return null; // the real allocation failed
                    }
                    boolean module = p[2] != 0 && Long.compareUnsigned(p[2] - p[1], 4L << 30) <= 0;
                    int flags = (int) (p[3] & (VmStruct.VM_FLUSH_RESET_PERMS | VmStruct.VM_ALLOW_HUGE_VMAP));
                    if (realAlias) {
                        // the area's linear alias is the real pages' (its permission changes are replayed at
                        // the real linear addresses), and so are vfree's vm_reset_perms() resets, which the
                        // trace records as set_direct_map_* on the real pages: the model's own pages keep theirs
                        flags &= ~VmStruct.VM_FLUSH_RESET_PERMS;
                    }
                    VmStruct a = k.vmalloc.vmalloc(p[0], flags, 0, module, "trace line " + e.line());
                    if (a == null) {
                        failedCalls++;
                        yamlComment(e, String.format("vmalloc(0x%x) failed with -ENOMEM in the model", p[0]));
                        return String.format("vmalloc(0x%x) -ENOMEM", p[0]);
                    }
                    String name = "vm" + e.line();
                    areas.put(ret, new Object[] {ret + p[0], a, name});
                    List<String> fl = new ArrayList<>();
                    if ((flags & VmStruct.VM_FLUSH_RESET_PERMS) != 0) {
                        fl.add("flush_reset_perms");
                    }
                    if ((flags & VmStruct.VM_ALLOW_HUGE_VMAP) != 0) {
                        fl.add("allow_huge_vmap");
                    }
                    yaml(e, String.format("vmalloc: {name: %s, size: 0x%x%s%s}", name, p[0], module ? ", module: true" : "",
                            fl.isEmpty() ? "" : ", flags: [" + String.join(", ", fl) + "]"));
                    replayed++;
                    return String.format("%s(0x%x) = 0x%x", module ? "execmem_alloc" : "vmalloc", p[0], a.addr);
                }
                case "vfree": case "vfree_atomic": case "execmem_free": {
                    if (e.isReturn()) {
                        return null;
                    }
                    long addr = e.argAny(file, "addr", "arg1");
                    if (addr == 0) {
                        return null;
                    }
                    Object[] area = areas.remove(addr);
                    if (area == null) {
                        skippedUnknown++;
                        yamlComment(e, f + " of 0x" + Long.toHexString(addr) + ": area not in the trace, skipped");
                        return null;
                    }
                    VmStruct a = (VmStruct) area[1];
                    k.vmalloc.vfree(a);
                    yaml(e, "vfree: " + area[2]);
                    replayed++;
                    return String.format("vfree(0x%x)", a.addr);
                }
                case "module_load": {
                    String text = e.args().getOrDefault("text", "");
                    String name = text.isEmpty() ? "?" : text.split("\\s+")[0];
                    yamlComment(e, "module_load " + name);
                    return "module_load " + name;
                }
                default:
                    skippedOther++;
                    return null;
            }
        } catch (KernelBug bug) {
            listener.violation(file + ":" + e.line() + " " + f, "kernel BUG", bug.getMessage(), new ArrayList<>(recent), List.of());
            throw new ReplayStopped(file + ":" + e.line() + ": kernel BUG in " + f + ": " + bug.getMessage());
        }
    }

    /**
     * update_range_prot(addr, size, set, clear) and split_kernel_leaf_mapping(start, end) events (7.x
     * probes, docs/traces.md): consumed when the model's own replayed call makes them, else replayed
     * at their (remapped) addresses: update_range_prot as __change_memory_common() runs it (the
     * update, then the flush unless it only makes entries valid), split_kernel_leaf_mapping alone.
     */
    private String applyInner(FtraceEvent e, String f) {
        String file = t.file();
        int mode = inner.getOrDefault(e.pid(), 0);
        if (mode == 1 || (mode == 3 && f.equals("split_kernel_leaf_mapping"))) {
            consumed++;
            return null;
        }
        try {
            if (f.equals("split_kernel_leaf_mapping")) {
                long s0 = mapVa(e.argAny(file, "start", "arg1"));
                long e0 = e.argAny(file, "end", "arg2");
                if (s0 == 0) {
                    skippedUnknown++;
                    return null;
                }
                long start = e.argAny(file, "start", "arg1");
                int rc = k.split.splitKernelLeafMapping(s0, s0 + (e0 - start));
                return done(e, String.format("split_kernel_leaf_mapping(0x%x, 0x%x)", s0, s0 + (e0 - start)), rc);
            }
            long addr = e.args().containsKey("start") ? e.arg(file, "start") : e.argAny(file, "addr", "arg1");
            long size = e.argAny(file, "size", "arg2");
            long set = e.argAny(file, "set", "arg3");
            long clear = e.argAny(file, "clear", "arg4");
            long va = mapVa(addr);
            if (va == 0) {
                skippedUnknown++;
                yamlComment(e, f + " on 0x" + Long.toHexString(addr) + ": area not in the trace, skipped");
                return null;
            }
            inner.put(e.pid(), 3);
            int rc = k.pageAttr.changeCommon(va, size, set, clear);
            return done(e, String.format("%s(0x%x, 0x%x, set 0x%x, clear 0x%x)", f, va, size, set, clear), rc);
        } catch (KernelBug bug) {
            listener.violation(file + ":" + e.line() + " " + f, "kernel BUG", bug.getMessage(), new ArrayList<>(recent), List.of());
            throw new ReplayStopped(file + ":" + e.line() + ": kernel BUG in " + f + ": " + bug.getMessage());
        }
    }

    /** Thrown when the modelled kernel hit a BUG during the replay (status 1). */
    public static final class ReplayStopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReplayStopped(String m) {
            super(m);
        }
    }

    private String done(FtraceEvent e, String label, int rc) {
        replayed++;
        if (rc != 0) {
            failedCalls++;
            return label + " = " + Errno.name(rc);
        }
        return label;
    }

    /** The model VA for a real vmalloc/module or linear address, or 0 when unknown. */
    private long mapVa(long addr) {
        var area = areas.floorEntry(addr);
        if (area != null && Long.compareUnsigned(addr, (Long) area.getValue()[0]) < 0) {
            VmStruct a = (VmStruct) area.getValue()[1];
            return a.addr + (addr - area.getKey());
        }
        if (Long.compareUnsigned(addr, realPageOffset) >= 0 && Long.compareUnsigned(addr, realPageEnd) < 0) {
            return k.physToVirt(k.physOffset + fold(addr - realPageOffset + (memstart - k.physOffset)));
        }
        return 0;
    }

    /** The model PA for a real struct page pointer: the same offset from PHYS_OFFSET. */
    private long pagePa(long page) {
        long idx = Long.divideUnsigned(page - vmemmap, structPage);
        return k.physOffset + fold(idx * realPageSize + (memstart - k.physOffset));
    }

    private long fold(long offset) {
        if (Long.compareUnsigned(offset, modelSpan) >= 0) {
            folded++;
            offset = Long.remainderUnsigned(offset, modelSpan);
        }
        return offset & -k.geo.pageSize;
    }

    /** Names of the kernel operations begun while one event is replayed. */
    private static final class NestedOps implements PgtableObserver {
        final List<String> names = new ArrayList<>();

        @Override
        public void onOp(int cpu, String name, long a0, long a1, boolean begin) {
            if (begin) {
                names.add(name);
            }
        }
    }
}

package org.ptlab.oracle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.MachineSpec;
import org.ptlab.source.FtraceParser;
import org.ptlab.run.FtraceReplay;

/**
 * Predicts a capture from its own inputs and compares with what the real kernel built: {@code boot}
 * from iomem + command line + release + CPU + granule/VA bits of the capture, then (workload
 * captures) the replay of the captured trace from the workload marker on; compared are the
 * decomposition (pieces per size, leaf descriptors, invalid leaves), the table pages per level and
 * every range of linear-map.txt (after moving the model's VAs by the capture's KASLR linear offset).
 */
public final class OracleCheck {
    private OracleCheck() {}

    /** The outcome for one capture: exact, or the differences (decomposition lines and ranges). */
    public record Result(String name, boolean exact, String summary, List<String> details) {}

    /** Ranges shown at most in a diff. */
    static final int MAX_DIFF = 60;

    public static Result check(Capture c) {
        Kernel k;
        try {
            k = predict(c);
        } catch (FtraceReplay.ReplayStopped e) {
            return new Result(c.name(), false, "trace replay stopped: " + firstLine(e.getMessage()), List.of());
        } catch (RuntimeException e) {
            return new Result(c.name(), false, "model refused the capture's inputs: " + firstLine(String.valueOf(e.getMessage())), List.of());
        }
        LinearMap model = ModelMap.of(k, c.mair());
        return compare(c, model);
    }

    /** The model booted (and the trace replayed) from the capture's inputs. */
    public static Kernel predict(Capture c) {
        MachineSpec m = new MachineSpec();
        m.kernel = c.release();
        m.granule = c.granule().label;
        m.vaBits = c.vaBits();
        m.iomem = c.dir().resolve("iomem").toString();
        m.cmdline = c.cmdline();
        java.nio.file.Path config = c.kernelConfig();
        if (config != null) {
            m.kernelConfig = config.toString();
        }
        m.kaslr = true; // QEMU's virt board passes /chosen/kaslr-seed (nokaslr on the command line still wins)
        String cpu = c.modelCpu();
        m.cpu = String.join(",", java.util.Collections.nCopies(c.smp(), cpu));
        MachineSpec.Built b = m.build();
        BootInputs in = c.inputs();
        long ps = c.granule().pageSize();
        if (in != null) {
            // __bss_stop from the capture's kallsyms: its distance below _end, whose PA is "Kernel data"'s end
            Long bss = in.symbols().get("__bss_stop");
            Long end = in.symbols().get("_end");
            if (bss != null && end != null && b.mem().kernelEnd() != 0 && Long.compareUnsigned(bss, end) <= 0) {
                b.mem().bssStop(b.mem().kernelEnd() - (end - bss));
            }
            // the boot-time calls' pages (ptp_classifier_init's BPF JIT image): where the real kernel had them
            b.cfg().bootPages = (callers, n) -> in.pagesOf(callers, n, ps);
        }
        Kernel k = Kernel.boot(b.cfg(), b.mem());
        if (in != null) {
            harnessKprobeSlot(k, c, in, ps);
        }
        if (c.trace() != null) {
            // The whole trace from boot: the real kernel's own set_memory_* / update_range_prot /
            // split_kernel_leaf_mapping calls before the workload marker change the map as well.
            String t = memstartDirective(c) + c.trace();
            FtraceParser.Trace trace = FtraceParser.parse(t, c.dir().resolve("trace").toString());
            FtraceReplay.replay(k, trace, new FtraceReplay.Listener() { }, 0);
        }
        if (in != null && in.kfence() != null) {
            kfenceObjects(k, c, in, ps);
        }
        return k;
    }

    /**
     * "# ptlab: memstart=" for the replay (docs/traces.md): the real memstart_addr, from the capture's
     * first linear leaf (KASLR moves the linear map when the CPU's PA range is smaller than its region).
     */
    static String memstartDirective(Capture c) {
        Long vaToPa = realVaToPa(c);
        return vaToPa == null ? "" : String.format("# ptlab: memstart=0x%x%n", vaToPa + c.geometry().pageOffset);
    }

    /**
     * PA minus VA of the real kernel's linear map (its first leaf, capture.properties), or null when
     * the capture does not record it: a real linear address plus this is its physical address.
     */
    static Long realVaToPa(Capture c) {
        String fv = c.props().get("linear.first_va");
        String fp = c.props().get("linear.first_pa");
        if (fv == null || fp == null) {
            return null;
        }
        return Long.parseUnsignedLong(fp.substring(2), 16) - Long.parseUnsignedLong(fv.substring(2), 16);
    }

    /**
     * The capture's own kprobes (docs/oracle.md): registering the first one allocates the kprobe
     * instruction slot page, arch/arm64/kernel/probes/kprobes.c alloc_insn_page(). 6.12+:
     * execmem_alloc(EXECMEM_KPROBES, PAGE_SIZE) (vmalloc range, VM_FLUSH_RESET_PERMS) and
     * set_memory_rox(addr, 1), which with rodata=full makes the page's linear alias read-only; 6.1
     * maps it PAGE_KERNEL_ROX with __vmalloc_node_range() and changes no linear alias. The page is
     * the one /proc/vmallocinfo names alloc_insn_page for; the call goes through the catalogue.
     */
    static void harnessKprobeSlot(Kernel k, Capture c, BootInputs in, long ps) {
        if (!k.cfg.version.atLeast(org.ptlab.kernel.KernelVersion.V6_12)) {
            return;
        }
        long[] pas = in.pagesOf(List.of("alloc_insn_page"), 1, ps);
        if (pas == null) {
            return; // no kprobes registered (or an older capture without vmallocinfo)
        }
        org.ptlab.kernel.VmStruct a = k.vmalloc.vmallocPages(pas, org.ptlab.kernel.VmStruct.VM_FLUSH_RESET_PERMS, false,
                "alloc_insn_page (the capture's kprobes)");
        if (a == null) {
            throw new IllegalArgumentException(c.dir().resolve("vmallocinfo") + ": the kprobe slot page 0x"
                    + Long.toHexString(pas[0]) + " is not free memory in the model");
        }
        org.ptlab.ops.Ops.call(k, "set_memory_rox", a.addr, 1);
    }

    /**
     * KFENCE objects at capture time (debugfs kfence/objects), replayed on top of the modelled pool:
     * a freed object's page is protected (mm/kfence/core.c kfence_guarded_free() -> kfence_protect()
     * -> arm64 kfence_protect_page() = set_memory_valid(addr, 1, 0)), an allocated one unprotected
     * (kfence_guarded_alloc() -> kfence_unprotect()); unused objects stay as kfence_init_pool() left
     * them. Objects are found by the address debugfs prints (linear VA, no_hash_pointers).
     */
    static void kfenceObjects(Kernel k, Capture c, BootInputs in, long ps) {
        if (k.kfencePool == 0) {
            return;
        }
        Long vaToPa = realVaToPa(c);
        if (vaToPa == null) {
            return;
        }
        for (Map.Entry<Long, BootInputs.KfenceState> e : in.kfence().entrySet()) {
            long pa = (e.getKey() + vaToPa) & -ps;
            if (pa < k.kfencePool || pa >= k.kfencePool + k.kfencePoolSize) {
                throw new IllegalArgumentException(c.dir().resolve("kfence-objects") + ": object at 0x" + Long.toHexString(e.getKey())
                        + " lies outside the model's KFENCE pool");
            }
            org.ptlab.ops.Ops.call(k, "set_memory_valid", k.physToVirt(pa), 1, e.getValue() == BootInputs.KfenceState.FREED ? 0 : 1);
        }
    }

    /** The trace's header and the events after the workload marker (all events when it has none). */
    static String workloadPart(String trace) {
        String[] lines = trace.split("\n", -1);
        int mark = -1;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains("tracing_mark_write: " + Capturer.WORKLOAD_MARK)) {
                mark = i;
                break;
            }
        }
        if (mark < 0) {
            return trace;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("#") || i > mark) {
                b.append(lines[i]).append(i + 1 < lines.length ? "\n" : "");
            }
        }
        return b.toString();
    }

    static Result compare(Capture c, LinearMap model) {
        List<String> d = new ArrayList<>();
        Decomposition real = c.decomposition();
        Decomposition pred = model.decomposition();
        if (real.totalBytes() != pred.totalBytes()) {
            d.add(String.format("LINEAR_TOTAL_MAPPED real %d model %d", real.totalBytes(), pred.totalBytes()));
        }
        if (real.descriptors() != pred.descriptors()) {
            d.add(String.format("leaf descriptors real %d model %d", real.descriptors(), pred.descriptors()));
        }
        for (String key : union(real.pieces().keySet(), pred.pieces().keySet())) {
            Long r = real.pieces().get(key);
            Long p = pred.pieces().get(key);
            if (!Objects.equals(r, p)) {
                d.add(String.format("LINEAR_%s real %s model %s", key, r, p));
            }
        }
        for (String key : union(real.tablePages().keySet(), pred.tablePages().keySet())) {
            Long r = real.tablePages().get(key);
            Long p = pred.tablePages().get(key);
            if (!Objects.equals(r, p)) {
                d.add(String.format("table pages %s real %s model %s", key, r, p));
            }
        }
        if (real.invalid() >= 0 && real.invalid() != pred.invalid()) {
            d.add(String.format("LINEAR_INVALID real %d model %d", real.invalid(), pred.invalid()));
        }
        List<LinearMap.Run> rr = c.map().runs();
        List<LinearMap.Run> mr = shifted(model.runs(), rr);
        int ranges = 0;
        if (!rr.equals(mr)) {
            Set<LinearMap.Run> rs = new HashSet<>(rr);
            Set<LinearMap.Run> ms = new HashSet<>(mr);
            List<String> diff = new ArrayList<>();
            int i = 0;
            int j = 0;
            while (i < rr.size() || j < mr.size()) {
                LinearMap.Run a = i < rr.size() ? rr.get(i) : null;
                LinearMap.Run b = j < mr.size() ? mr.get(j) : null;
                if (a != null && (b == null || Long.compareUnsigned(a.va(), b.va()) <= 0)) {
                    if (!ms.contains(a)) {
                        diff.add("- real  " + LinearMap.line(c.map().geo, a));
                    }
                    i++;
                } else {
                    if (!rs.contains(b)) {
                        diff.add("+ model " + LinearMap.line(model.geo, b));
                    }
                    j++;
                }
            }
            ranges = diff.size();
            d.add(String.format("ranges: %d real, %d predicted, %d lines differ", rr.size(), mr.size(), diff.size()));
            d.addAll(diff.size() > MAX_DIFF ? diff.subList(0, MAX_DIFF) : diff);
            if (diff.size() > MAX_DIFF) {
                d.add("... " + (diff.size() - MAX_DIFF) + " more");
            }
        }
        if (d.isEmpty()) {
            return new Result(c.name(), true, "reproduced exactly", List.of());
        }
        String summary = d.get(0) + (ranges > 0 && d.size() > 1 ? "" : "");
        return new Result(c.name(), false, summary, d);
    }

    /** The model's runs moved so that the real first run's PA sits at the same VA (KASLR's linear offset). */
    static List<LinearMap.Run> shifted(List<LinearMap.Run> model, List<LinearMap.Run> real) {
        if (real.isEmpty()) {
            return model;
        }
        LinearMap.Run f = real.get(0);
        long delta = 0;
        for (LinearMap.Run m : model) {
            if (Long.compareUnsigned(f.pa(), m.pa()) >= 0 && Long.compareUnsigned(f.pa(), m.pa() + m.size()) < 0) {
                delta = f.va() - (m.va() + (f.pa() - m.pa()));
                break;
            }
        }
        if (delta == 0) {
            return model;
        }
        List<LinearMap.Run> out = new ArrayList<>(model.size());
        for (LinearMap.Run m : model) {
            out.add(m.shift(delta));
        }
        return out;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new java.util.LinkedHashSet<>(a);
        u.addAll(b);
        return u;
    }

    private static String firstLine(String s) {
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }

    /** Capture folders under a root: folders holding linear-map.txt, sorted by name (kernels/ skipped). */
    public static List<Path> captureDirs(Path root) throws java.io.IOException {
        List<Path> out = new ArrayList<>();
        try (var s = Files.walk(root, 3)) {
            s.filter(p -> Files.isRegularFile(p.resolve("linear-map.txt"))).sorted().forEach(out::add);
        }
        return out;
    }

    /** Known mismatches: "NAME reason..." per line, # comments. */
    public static Map<String, String> knownMismatches(String text, String file) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String s = lines[i].strip();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            String[] p = s.split("\\s+", 2);
            if (p.length < 2) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected 'CAPTURE reason', found '" + LinearMap.clip(s) + "'");
            }
            if (m.put(p[0], p[1]) != null) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": capture '" + p[0] + "' listed twice");
            }
        }
        return m;
    }
}

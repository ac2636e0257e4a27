package org.ptlab.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.Granule;
import org.ptlab.check.CollapseAudit;
import org.ptlab.check.Invariants;
import org.ptlab.check.SeededSequences;
import org.ptlab.check.Violation;
import org.ptlab.kernel.Cpu;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.KernelConfig;
import org.ptlab.kernel.KernelVersion;
import org.ptlab.kernel.MemoryLayout;
import org.ptlab.kernel.VmStruct;

/**
 * Random operation sequences (vmalloc of plain and VM_ALLOW_HUGE_VMAP areas of several page
 * orders, set_memory_ro/rw/x/nx/rox on random sub-ranges, vfree, set_memory_valid of page blocks,
 * secretmem pages, background scans) on random layouts and granules, under each safe collapse
 * variant: every invariant, the collapse audit and, at the end, the per-page reference model
 * hold. Then every permission change is undone; under collapse=background one full scan must give
 * back the boot-time DirectMap breakdown and page-table count exactly. Seeded; a failure reports
 * the seed and the shortest failing prefix with its trace. -Dptlab.longProps=N: N sequences of
 * 3000 operations.
 */
class CollapsePropertyTest {
    static final int LONG = Integer.getInteger("ptlab.longProps", 0);
    static final int SEQS = LONG > 0 ? LONG : 12;
    static final int OPS = LONG > 0 ? 3000 : 250;

    @Test
    void background() {
        runAll("background");
    }

    @Test
    void orderAware() {
        runAll("order-aware");
    }

    @Test
    void x86() {
        runAll("x86");
    }

    @Test
    void none() {
        runAll("none");
    }

    void runAll(String variant) {
        SeededSequences.allHold("collapse=" + variant, 0xc011a95e0000L, SEQS, OPS, (seed, ops, trace) -> run(seed, ops, variant, trace));
    }

    static String run(long seed, int ops, String variant, List<String> trace) {
        Random r = new Random(seed);
        KernelConfig c = new KernelConfig();
        Granule[] gs = {Granule.G4K, Granule.G4K, Granule.G16K, Granule.G64K};
        c.granule = gs[r.nextInt(gs.length)];
        c.vaBits = 48;
        c.version = KernelVersion.V7_2;
        c.kpti = r.nextInt(3) == 0;
        c.cpus = new ArrayList<>(List.of(Cpu.parse(r.nextInt(6) == 0 ? "max" : "neoverse-v3")));
        c.variants = c.variants.with("collapse=" + variant);
        c.variants = c.variants.with("execmem=rox-cache");
        if (r.nextBoolean()) {
            c.variants = c.variants.with("split=minimal");
        }
        long ps = c.geometry().pageSize;
        MemoryLayout m = new MemoryLayout();
        long base = 0x4000_0000L;
        int nr = 1 + r.nextInt(2);
        for (int i = 0; i < nr; i++) {
            long size = r.nextInt(3) == 0 ? (2L + r.nextInt(3)) << 30 : ((1 + r.nextInt(24)) << 26) + ps * r.nextInt(64);
            m.addMemory(base, base + size);
            base += size + ((long) r.nextInt(3) << 21) + ps * r.nextInt(4);
            base = (base + ps - 1) & -ps;
        }
        m.defaultImage();
        if (c.granule != Granule.G4K) {
            long st = (m.stext() + ps - 1) & -ps;
            m.kernelImage(st, st + ((m.initBegin() - m.stext() + ps - 1) & -ps));
        }
        Kernel k = Kernel.boot(c, m);
        long[] bootDm = k.directMapBytes();
        long bootTables = k.linearTablePages();
        log(trace, "boot " + c.summary() + " " + m);
        Driver d = new Driver(k, true);
        List<VmStruct> areas = new ArrayList<>();
        List<long[]> blocks = new ArrayList<>(); // {pa, order, secret}
        int pmdOrder = k.geo.shift(2) - k.geo.pageShift;
        int contOrder = Long.numberOfTrailingZeros(k.geo.contPteSize) - k.geo.pageShift;
        String f = check(k, "after boot");
        if (f != null) {
            return f;
        }
        String[] ops4 = {"ro", "rw", "x", "nx", "rox"};
        for (int op = 0; op < ops; op++) {
            int kind = r.nextInt(12);
            String what;
            if (kind <= 1 || areas.isEmpty()) {
                VmStruct a;
                if (r.nextInt(3) == 0) {
                    int[] orders = {0, contOrder, pmdOrder};
                    int order = orders[r.nextInt(pmdOrder > 12 ? 2 : 3)];
                    long chunk = ps << order;
                    a = d.vmalloc(chunk * (1 + r.nextInt(2)), VmStruct.VM_ALLOW_HUGE_VMAP | VmStruct.VM_FLUSH_RESET_PERMS, order, true, "h" + op);
                    what = "vmalloc_huge order " + order;
                } else {
                    int pages = 1 + (r.nextInt(4) == 0 ? r.nextInt(600) : r.nextInt(20));
                    a = d.vmalloc(pages * ps, r.nextInt(4) == 0 ? 0 : VmStruct.VM_FLUSH_RESET_PERMS, 0, r.nextBoolean(), "a" + op);
                    what = "vmalloc " + pages + " pages";
                }
                what += a == null ? " (failed)" : " at 0x" + Long.toHexString(a.addr) + " pa0 0x" + Long.toHexString(a.pages[0]);
                if (a != null) {
                    areas.add(a);
                }
            } else if (kind == 2) {
                VmStruct a = areas.remove(r.nextInt(areas.size()));
                what = "vfree " + a.caller;
                if (!a.has(VmStruct.VM_FLUSH_RESET_PERMS)) {
                    // as callers must: without VM_FLUSH_RESET_PERMS the alias is not reset by vfree
                    d.setMemory("rw", a, 0, a.nrPages);
                    d.setMemory("nx", a, 0, a.nrPages);
                }
                d.vfree(a);
            } else if (kind <= 7) {
                VmStruct a = areas.get(r.nextInt(areas.size()));
                int off = r.nextInt(a.nrPages);
                int n = 1 + r.nextInt(a.nrPages - off);
                if (r.nextInt(3) == 0) {
                    off = 0;
                    n = a.nrPages;
                }
                String w = ops4[r.nextInt(ops4.length)];
                int rc = d.setMemory(w, a, off, n);
                what = "set_memory_" + w + "(" + a.caller + " +" + off + ", " + n + ") -> " + rc;
                if (rc != 0) {
                    return "operation " + op + " " + what + " (warnings " + k.warnings + ")";
                }
            } else if (kind == 8) {
                int order = r.nextInt(3) == 0 ? r.nextInt(10) : 0;
                long pa = k.pageAlloc.allocPages(order);
                what = "alloc_pages(" + order + ") = 0x" + Long.toHexString(pa) + " + set_memory_valid(0)";
                if (pa >= 0) {
                    d.setValid(pa, 1 << order, false);
                    blocks.add(new long[] {pa, order, 0});
                }
            } else if (kind == 9) {
                int order = r.nextInt(3);
                long pa = k.pageAlloc.allocPages(order);
                what = "secretmem " + (1 << order) + " pages at 0x" + Long.toHexString(pa);
                if (pa >= 0) {
                    d.directMapInvalid(pa, 1L << order);
                    blocks.add(new long[] {pa, order, 1});
                }
            } else if (kind == 10 && !blocks.isEmpty()) {
                long[] b = blocks.remove(r.nextInt(blocks.size()));
                what = "restore block 0x" + Long.toHexString(b[0]);
                restore(d, k, b);
            } else {
                long bytes = (1 + r.nextInt(4)) * k.collapse.regionSize;
                int made = k.collapse.scan(bytes);
                what = "collapse scan " + (bytes >> 20) + "M -> " + made;
            }
            if (d.errors > 0) {
                return "operation " + op + " " + what + ": " + d.firstError + " (warnings " + k.warnings + ")";
            }
            log(trace, op + ": " + what);
            if (op % 10 == 9 || op == ops - 1) {
                f = check(k, "after operation " + op + " " + what);
                if (f != null) {
                    return f;
                }
            }
        }
        List<Violation> v = d.ref.compare(5);
        if (!v.isEmpty()) {
            return "reference model: " + v;
        }
        // undo every change: areas back to rw/nx and freed, blocks valid again and freed
        for (VmStruct a : areas) {
            d.setMemory("rw", a, 0, a.nrPages);
            d.setMemory("nx", a, 0, a.nrPages);
            d.vfree(a);
        }
        for (long[] b : blocks) {
            restore(d, k, b);
        }
        if (d.errors > 0) {
            return "undo: " + d.firstError;
        }
        f = check(k, "after undo");
        if (f != null) {
            return f;
        }
        v = d.ref.compare(5);
        if (!v.isEmpty()) {
            return "reference model after undo: " + v;
        }
        if (variant.equals("background") && k.collapse.linearCollapseAllowed()) {
            k.collapse.scan(k.collapse.linearSpan());
            f = check(k, "after the final scan");
            if (f != null) {
                return f;
            }
            if (!Arrays.equals(k.directMapBytes(), bootDm)) {
                return "after undo and a full scan DirectMap is " + Arrays.toString(k.directMapBytes()) + ", at boot it was " + Arrays.toString(bootDm);
            }
            if (k.linearTablePages() != bootTables) {
                return "after undo and a full scan the linear map has " + k.linearTablePages() + " table pages, at boot " + bootTables;
            }
            v = d.ref.compare(5);
            if (!v.isEmpty()) {
                return "reference model after the final scan: " + v;
            }
        }
        return null;
    }

    static void restore(Driver d, Kernel k, long[] b) {
        if (b[2] == 1) {
            d.directMapDefault(b[0], 1L << b[1]);
        } else {
            d.setValid(b[0], 1 << (int) b[1], true);
        }
        k.pageAlloc.freePages(b[0], (int) b[1]);
    }

    static String check(Kernel k, String when) {
        List<Violation> v = new ArrayList<>(Invariants.check(k));
        v.addAll(CollapseAudit.drain(k));
        return v.isEmpty() ? null : when + ": " + v;
    }

    static void log(List<String> trace, String s) {
        if (trace != null) {
            trace.add(s);
        }
    }

    @Test
    void backgroundRestoresBootBreakdownOnAFixedCase() {
        KernelConfig c = new KernelConfig();
        c.cpus = new ArrayList<>(List.of(Cpu.parse("neoverse-v3")));
        c.variants = c.variants.with("collapse=background");
        Kernel k = Kernel.boot(c, MemoryLayout.ofSize(4L << 30));
        long[] boot = k.directMapBytes();
        Driver d = new Driver(k, true);
        VmStruct a = d.vmalloc(300 * 4096L, VmStruct.VM_FLUSH_RESET_PERMS, 0, true, "m");
        d.setMemory("ro", a, 0, 300);
        assertThat(k.directMapBytes()).isNotEqualTo(boot);
        d.setMemory("rw", a, 0, 300);
        d.vfree(a);
        assertThat(k.directMapBytes()).isNotEqualTo(boot); // split only: the linear map stays split
        assertThat(k.collapse.scan(k.collapse.linearSpan())).isPositive();
        assertThat(k.directMapBytes()).isEqualTo(boot);
        assertThat(Invariants.check(k)).isEmpty();
        assertThat(CollapseAudit.drain(k)).isEmpty();
        assertThat(d.ref.compare(5)).isEmpty();
    }
}

package org.ptlab.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Granule;
import org.ptlab.kernel.Cpu;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.KernelConfig;
import org.ptlab.kernel.SplitPolicy;
import org.ptlab.kernel.KernelVersion;
import org.ptlab.kernel.MemoryLayout;
import org.ptlab.kernel.VmStruct;

/**
 * Random sequences of pageattr / vmalloc / vfree / set_memory_valid operations on random layouts:
 * every invariant holds after every 20 operations, and at the end the attributes of every page
 * equal those of the trivial per-page reference model. Seeded; on failure the seed and the shortest
 * failing prefix are reported. Default: 20 sequences of 300 operations per split variant;
 * -Dptlab.longProps=N runs N sequences of 10,000.
 */
class PageAttrPropertyTest {
    static final int SEQS = Integer.getInteger("ptlab.longProps", 0) > 0 ? Integer.getInteger("ptlab.longProps") : 20;
    static final int OPS = Integer.getInteger("ptlab.longProps", 0) > 0 ? 10_000 : 300;

    @Test
    void upstream() {
        runAll("upstream");
    }

    @Test
    void minimal() {
        runAll("minimal");
    }

    void runAll(String split) {
        SeededSequences.allHold("split=" + split, 0x5eed0000L, SEQS, OPS, (seed, ops, trace) -> run(seed, ops, split, trace));
    }

    /** Run one sequence; returns null or a description of the first failure. */
    static String run(long seed, int ops, String split, List<String> trace) {
        Random r = new Random(seed);
        KernelConfig c = new KernelConfig();
        Granule[] gs = {Granule.G4K, Granule.G16K, Granule.G64K};
        c.granule = gs[r.nextInt(3)];
        c.vaBits = 48;
        c.version = r.nextInt(4) == 0 ? KernelVersion.V6_12 : KernelVersion.V7_2;
        c.kpti = r.nextInt(3) == 0;
        c.cpus = new ArrayList<>(List.of(Cpu.parse(r.nextInt(5) == 0 ? "max" : "neoverse-v3")));
        c.variants = c.variants.with("split=" + split);
        long ps = c.geometry().pageSize;
        MemoryLayout m = new MemoryLayout();
        long base = 0x4000_0000L;
        int nr = 1 + r.nextInt(3);
        for (int i = 0; i < nr; i++) {
            long size = ((1L + r.nextInt(12)) << 26) + ps * r.nextInt(64);
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
        log(trace, "boot " + c.summary() + " " + m);
        PageRefModel ref = new PageRefModel(k);
        boolean enc = c.version.presentInvalidEncoding();
        long ng = k.ng() ? Desc.NG : 0;
        long validSet = enc ? Desc.VALID | ng : Desc.VALID;
        long validClear = enc ? Desc.PRESENT_INVALID : 0;
        long invalidSet = enc ? Desc.PRESENT_INVALID : 0;
        long invalidClear = enc ? Desc.VALID | ng : Desc.VALID;
        List<VmStruct> areas = new ArrayList<>();
        List<long[]> blocks = new ArrayList<>(); // {pa, order}
        List<long[]> hot = new ArrayList<>(); // {start, size}
        String f = check(k, "after boot");
        if (f != null) {
            return f;
        }
        for (int op = 0; op < ops; op++) {
            int kind = r.nextInt(11);
            int rc = 0;
            String what;
            if (kind == 10) {
                long bs = c.memoryBlockSize();
                if (hot.size() < 3 && (hot.isEmpty() || r.nextBoolean())) {
                    long top = (m.memory().get(m.memory().size() - 1).end() + bs - 1) & -bs;
                    long start = top + bs * r.nextInt(8) + (hot.size() * 8L * bs);
                    long size = bs * (1 + r.nextInt(3));
                    while (overlaps(hot, start, size)) {
                        start += 4 * bs;
                    }
                    rc = k.hotplug.addMemory(start, size);
                    what = "hot_add 0x" + Long.toHexString(start) + " " + (size >> 20) + "M";
                    if (rc == 0) {
                        hot.add(new long[] {start, size});
                        for (long p = 0; p < size; p += ps) {
                            ref.set(k.physToVirt(start + p), (start + p) | (k.linearProt() & ~(Desc.CONT | Desc.TABLE_BIT)));
                        }
                    }
                } else {
                    long[] h = hot.get(r.nextInt(hot.size()));
                    rc = k.hotplug.removeMemory(h[0], h[1]);
                    what = "hot_remove 0x" + Long.toHexString(h[0]) + " " + (h[1] >> 20) + "M";
                    if (rc == -org.ptlab.kernel.Errno.EBUSY || rc == -org.ptlab.kernel.Errno.EPERM) {
                        rc = 0; // pages of it are in use: offline refused, nothing changed
                    } else if (rc == 0) {
                        hot.remove(h);
                        for (long p = 0; p < h[1]; p += ps) {
                            ref.unmap(k.physToVirt(h[0] + p));
                        }
                    }
                }
            } else if (kind <= 1 || areas.isEmpty()) {
                int pages = 1 + (r.nextInt(4) == 0 ? r.nextInt(600) : r.nextInt(20));
                boolean module = r.nextBoolean();
                VmStruct a = k.vmalloc.vmalloc(pages * ps, r.nextInt(4) == 0 ? 0 : VmStruct.VM_FLUSH_RESET_PERMS, 0, module, "a" + op);
                what = "vmalloc " + pages + " pages" + (a == null ? " (failed)" : " at 0x" + Long.toHexString(a.addr));
                if (a != null) {
                    areas.add(a);
                    for (int i = 0; i < a.nrPages; i++) {
                        ref.map(a.addr + i * ps, a.pages[i], Desc.pageKernel(k.ng()));
                    }
                }
            } else if (kind == 2) {
                VmStruct a = areas.remove(r.nextInt(areas.size()));
                what = "vfree 0x" + Long.toHexString(a.addr);
                long[] pages = a.pages.clone();
                int n = a.nrPages;
                boolean reset = a.has(VmStruct.VM_FLUSH_RESET_PERMS);
                k.vmalloc.vfree(a);
                for (int i = 0; i < n; i++) {
                    ref.unmap(a.addr + i * ps);
                    if (reset && k.canSetDirectMap) {
                        long al = k.physToVirt(pages[i]);
                        ref.change(al, 1, invalidSet, invalidClear);
                        ref.change(al, 1, validSet | Desc.WRITE, validClear | Desc.RDONLY);
                    }
                }
            } else if (kind <= 6) {
                VmStruct a = areas.get(r.nextInt(areas.size()));
                int off = r.nextInt(a.nrPages);
                int n = 1 + r.nextInt(a.nrPages - off);
                long va = a.addr + off * ps;
                int which = r.nextInt(4);
                String[] names = {"set_memory_ro", "set_memory_rw", "set_memory_x", "set_memory_nx"};
                long[] sets = {Desc.RDONLY, Desc.WRITE, 0, Desc.PXN};
                long[] clears = {Desc.WRITE, Desc.RDONLY, Desc.PXN, 0};
                what = names[which] + "(0x" + Long.toHexString(va) + ", " + n + ")";
                rc = which == 0 ? k.pageAttr.setMemoryRo(va, n) : which == 1 ? k.pageAttr.setMemoryRw(va, n)
                        : which == 2 ? k.pageAttr.setMemoryX(va, n) : k.pageAttr.setMemoryNx(va, n);
                if (which < 2 && c.rodata.full()) {
                    // 7.2+: only the requested pages' alias (split=minimal keeps the whole area)
                    boolean requested = c.version.aliasLoopRequestedPagesOnly() && !c.variants.policy(SplitPolicy.class, SplitPolicy.FAMILY).aliasLoopByRuns();
                    for (int i = requested ? off : 0; i < (requested ? off + n : a.nrPages); i++) {
                        ref.change(k.physToVirt(a.pages[i]), 1, sets[which], clears[which]);
                    }
                }
                ref.change(va, n, sets[which], clears[which]);
            } else if (kind <= 7 || blocks.isEmpty()) {
                int order = r.nextInt(3) == 0 ? r.nextInt(10) : 0;
                long pa = k.pageAlloc.allocPages(order);
                what = "alloc_pages(" + order + ") = 0x" + Long.toHexString(pa) + " and set_memory_valid(.., 0)";
                if (pa >= 0) {
                    rc = k.pageAttr.setMemoryValid(k.physToVirt(pa), 1 << order, false);
                    ref.change(k.physToVirt(pa), 1L << order, invalidSet, invalidClear);
                    blocks.add(new long[] {pa, order});
                }
            } else {
                long[] b = blocks.remove(r.nextInt(blocks.size()));
                what = "set_memory_valid(0x" + Long.toHexString(k.physToVirt(b[0])) + ", " + (1 << b[1]) + ", 1) and free";
                rc = k.pageAttr.setMemoryValid(k.physToVirt(b[0]), 1 << (int) b[1], true);
                ref.change(k.physToVirt(b[0]), 1L << b[1], validSet, validClear);
                k.pageAlloc.freePages(b[0], (int) b[1]);
            }
            log(trace, op + ": " + what + " -> " + rc);
            if (rc != 0) {
                return "operation " + op + " " + what + " returned " + rc + " (warnings " + k.warnings + ")";
            }
            if (op % 20 == 19 || op == ops - 1) {
                f = check(k, "after operation " + op + " " + what);
                if (f != null) {
                    return f;
                }
            }
        }
        List<Violation> v = ref.compare(5);
        return v.isEmpty() ? null : "reference model: " + v;
    }

    static boolean overlaps(List<long[]> hot, long start, long size) {
        for (long[] h : hot) {
            if (start < h[0] + h[1] && h[0] < start + size) {
                return true;
            }
        }
        return false;
    }

    static String check(Kernel k, String when) {
        List<Violation> v = Invariants.check(k);
        return v.isEmpty() ? null : when + ": " + v;
    }

    static void log(List<String> trace, String s) {
        if (trace != null) {
            trace.add(s);
        }
    }

    @Test
    void theReferenceModelCatchesAWrongAttribute() {
        Kernel k = Kernel.boot(new KernelConfig(), MemoryLayout.ofSize(1L << 30));
        PageRefModel ref = new PageRefModel(k);
        assertThat(ref.compare(5)).isEmpty();
        long va = k.physToVirt(0x6000_0000L);
        ref.change(va, 1, Desc.RDONLY, Desc.WRITE); // the model says ro, the tables still say RW
        assertThat(ref.compare(5)).singleElement().extracting(Violation::invariant).isEqualTo("pageattr-ref");
    }
}

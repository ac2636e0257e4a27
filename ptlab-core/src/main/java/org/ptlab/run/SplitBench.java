package org.ptlab.run;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.ptlab.check.Invariants;
import org.ptlab.kernel.Cpu;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.KernelConfig;
import org.ptlab.kernel.MemoryLayout;
import org.ptlab.kernel.VmStruct;

/**
 * The pageattr/split workloads measured by {@code ptlab bench split} and the JMH benchmarks in
 * ptlab-bench: set-up and one operation each, so both measure the same code.
 */
public final class SplitBench {
    private SplitBench() {}

    static final long G = 1L << 30;

    /** 4K, 48-bit, rodata=full, every CPU with BBML2_NOABORT (Neoverse-V3): a block-mapped linear map. */
    public static Kernel bootBbml2(long mem) {
        KernelConfig c = new KernelConfig();
        c.cpus = new ArrayList<>(List.of(Cpu.parse("neoverse-v3")));
        return Kernel.boot(c, MemoryLayout.ofSize(mem));
    }

    /**
     * Workload 1 set-up: n one-page VM_ALLOC areas, the i-th backed by a page in the middle of the
     * i-th untouched 1G PUD block, so set_memory_ro of the area splits PUD and PMD (two tables).
     */
    public static VmStruct[] oneGigAreas(Kernel k, int n) {
        VmStruct[] out = new VmStruct[n];
        long base = 0x1_0000_0000L; // above the image, 1G aligned
        for (int i = 0; i < n; i++) {
            long pa = base + (long) i * G + 0x2_3000L + (0x15L << 21);
            out[i] = k.vmalloc.vmallocPages(new long[] {pa}, VmStruct.VM_FLUSH_RESET_PERMS, true, "bench" + i);
            if (out[i] == null) {
                throw new IllegalStateException("no room for " + n + " 1G blocks");
            }
        }
        return out;
    }

    /** Workload 1 operation: set_memory_ro of one area (alias split inside a 1G block). */
    public static int roInOneGigBlock(Kernel k, VmStruct a) {
        return k.pageAttr.setMemoryRo(a.addr, 1);
    }

    /**
     * Workload 2 set-up: one-page areas whose backing pages tile 1 GiB of the linear map, all made
     * read-only and writable once so the 1G block is already split to PTEs.
     */
    public static VmStruct[] splitGig(Kernel k) {
        int n = (int) (G >>> k.geo.pageShift);
        VmStruct[] out = new VmStruct[n];
        long base = 0x1_0000_0000L;
        for (int i = 0; i < n; i++) {
            out[i] = k.vmalloc.vmallocPages(new long[] {base + ((long) i << k.geo.pageShift)}, 0, false, "p");
            k.pageAttr.setMemoryRo(out[i].addr, 1);
            k.pageAttr.setMemoryRw(out[i].addr, 1);
        }
        return out;
    }

    /** Workload 2 operation: a set_memory_ro / set_memory_rw pair on a random page of the range. */
    public static int roRwPair(Kernel k, VmStruct[] areas, SplittableRandom r) {
        VmStruct a = areas[r.nextInt(areas.length)];
        return k.pageAttr.setMemoryRo(a.addr, 1) | k.pageAttr.setMemoryRw(a.addr, 1);
    }

    /** Workload 3: the 1 TiB module scenario text (n load/unload pairs, checks every checkEvery steps). */
    public static String moduleScenario(long loads) {
        return "machine: {mem: 1T, cpu: neoverse-v3}\nsteps:\n  - repeat:\n      times: " + loads + "\n      steps:\n"
                + "        - module_load: {name: m, text: 64K, rodata: 16K, data: 16K, ro_after_init: 4K}\n"
                + "        - module_unload: m\n";
    }

    /** Median of a sample. */
    public static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** Whether the invariants hold (benchmarks verify their end state). */
    public static boolean ok(Kernel k) {
        return Invariants.check(k).isEmpty();
    }
}

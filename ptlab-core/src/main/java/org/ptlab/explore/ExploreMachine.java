package org.ptlab.explore;

import java.util.ArrayList;
import java.util.List;
import org.ptlab.arch.Granule;
import org.ptlab.arch.Sizes;
import org.ptlab.kernel.Cpu;
import org.ptlab.kernel.KernelConfig;
import org.ptlab.kernel.KernelVersion;
import org.ptlab.kernel.LazyMmu;
import org.ptlab.kernel.MemoryLayout;
import org.ptlab.kernel.Rodata;

/**
 * The small machine an explored scenario runs on: granule, one RAM bank at the default base with
 * no kernel image in it (so the whole bank is plain linear map), the number of modelled CPUs,
 * which of them have BBML2_NOABORT, debug_pagealloc, the kernel release and variant selections.
 * Cheap to boot, since every execution boots a fresh one.
 */
public record ExploreMachine(Granule granule, long memory, int cpus, Bbml2 bbml2, boolean debugPagealloc,
        KernelVersion version, List<String> variants, String hw) {

    /**
     * Which CPUs have BBML2_NOABORT (scenario files: {@code bbml2: true | false | boot-cpu}). ALL and
     * NONE override the capability of every CPU; BOOT_CPU makes CPU0 a Neoverse-V3 (on the MIDR
     * allow-list) and the others Neoverse-N1s (not on it), so the kernel's own per-CPU decision
     * ({@code KernelConfig.cpuHasBbml2}) and the hardware model's cores disagree across CPUs.
     */
    public enum Bbml2 {
        ALL("yes"), NONE("no"), BOOT_CPU("boot CPU only");

        final String label;

        Bbml2(String label) {
            this.label = label;
        }

        public static Bbml2 of(boolean on) {
            return on ? ALL : NONE;
        }
    }

    public ExploreMachine(Granule granule, long memory, int cpus, boolean bbml2, boolean debugPagealloc, KernelVersion version,
            List<String> variants, String hw) {
        this(granule, memory, cpus, Bbml2.of(bbml2), debugPagealloc, version, variants, hw);
    }

    /** Without the hardware model (TLBs, walkers). */
    public ExploreMachine(Granule granule, long memory, int cpus, boolean bbml2, boolean debugPagealloc, KernelVersion version,
            List<String> variants) {
        this(granule, memory, cpus, Bbml2.of(bbml2), debugPagealloc, version, variants, null);
    }

    public ExploreMachine {
        if (cpus < 1 || cpus > 8) {
            throw new IllegalArgumentException("cpus: expected 1..8, got " + cpus);
        }
        if (memory <= 0 || memory > (1L << 32)) {
            throw new IllegalArgumentException("memory: expected a size up to 4G, got " + memory);
        }
        if (bbml2 == null) {
            throw new IllegalArgumentException("bbml2: expected ALL, NONE or BOOT_CPU");
        }
        variants = List.copyOf(variants);
    }

    /** 4K pages, the given memory, n CPUs with BBML2_NOABORT, rodata=full, newest release. */
    public static ExploreMachine of(String memory, int cpus) {
        return new ExploreMachine(Granule.G4K, Sizes.parse(memory), cpus, true, false, KernelVersion.NEWEST, List.of());
    }

    public ExploreMachine withVariants(List<String> v) {
        List<String> all = new ArrayList<>(variants);
        all.addAll(v);
        return new ExploreMachine(granule, memory, cpus, bbml2, debugPagealloc, version, all, hw);
    }

    public ExploreMachine withDebugPagealloc(boolean on) {
        return new ExploreMachine(granule, memory, cpus, bbml2, on, version, variants, hw);
    }

    public ExploreMachine withBbml2(boolean on) {
        return withBbml2(Bbml2.of(on));
    }

    public ExploreMachine withBbml2(Bbml2 b) {
        return new ExploreMachine(granule, memory, cpus, b, debugPagealloc, version, variants, hw);
    }

    public KernelConfig config() {
        KernelConfig c = new KernelConfig();
        c.granule = granule;
        c.version = version;
        c.rodata = Rodata.FULL;
        c.debugPagealloc = debugPagealloc;
        c.bbml2Override = bbml2 == Bbml2.BOOT_CPU ? null : bbml2 == Bbml2.ALL;
        c.memoryBlockSize = 2L << 20; // small machines: 2M hotplug blocks
        c.cpus = new ArrayList<>();
        for (int i = 0; i < cpus; i++) {
            c.cpus.add(Cpu.parse(bbml2 != Bbml2.BOOT_CPU ? "max" : i == 0 ? "neoverse-v3" : "neoverse-n1"));
        }
        for (String v : variants) {
            c.variants = c.variants.with(v);
        }
        return c;
    }

    public MemoryLayout layout() {
        return new MemoryLayout().addMemory(MemoryLayout.DEFAULT_RAM_BASE, MemoryLayout.DEFAULT_RAM_BASE + memory);
    }

    @Override
    public String toString() {
        return String.format("%s pages, %s RAM, %d CPUs, BBML2_NOABORT %s%s, linux %s%s", granule.label, Sizes.label(memory), cpus,
                bbml2.label, (debugPagealloc ? ", debug_pagealloc" : "") + (hw != null ? ", hardware model " + hw : ""), version.label,
                variants.isEmpty() ? "" : ", " + String.join(",", variants));
    }
}

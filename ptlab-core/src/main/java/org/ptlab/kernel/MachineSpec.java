package org.ptlab.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ptlab.arch.Granule;
import org.ptlab.arch.Sizes;

/**
 * A machine description as users write it (command-line options or a scenario's {@code machine:}
 * section), turned into a {@link KernelConfig} and a {@link MemoryLayout}. Precedence: the kernel
 * version first (it decides how the rest is parsed), then the command line ({@code cmdline}), then
 * the explicit settings, which override what the command line said.
 */
public final class MachineSpec {
    public String mem;
    public String memmap;
    public String iomem;
    public String granule;
    public Integer vaBits;
    public String kernel;
    /** A kernel build configuration file (/boot/config-*); its choices are the defaults. */
    public String kernelConfig;
    public String rodata;
    public String cmdline;
    public String cpu;
    public String bbml2;
    public Boolean debugPagealloc;
    /** kfence.sample_interval; setting it builds KFENCE in. */
    public Long kfence;
    public Boolean realm;
    public Boolean kpti;
    /** The firmware passes a KASLR seed (QEMU's virt board does); null = no seed (ptlab's default machine). */
    public Boolean kaslr;
    public Boolean tlbRange;
    public String memoryBlockSize;
    public List<String> variants = new ArrayList<>();
    /** Run after boot (e.g. {@code --from-capture}: replace the painted linear map by a real kernel's). */
    public java.util.function.Consumer<Kernel> afterBoot;
    /** Where the boot-time calls' pages lie ({@link KernelConfig#bootPages}); null: the model places them. */
    public java.util.function.BiFunction<java.util.List<String>, Integer, long[]> bootPages;

    /** The result: configuration, layout and warnings (from the command line). */
    public record Built(KernelConfig cfg, MemoryLayout mem, List<String> warnings) {}

    public Built build() {
        KernelConfig cfg = new KernelConfig();
        List<String> warnings = new ArrayList<>();
        if (kernel != null) {
            cfg.version = KernelVersion.parse(kernel);
        }
        Granule g = granule != null ? Granule.parse(granule) : null;
        // The build configuration: a real config file, or Debian's generic arm64 build of the named
        // release (its -16k flavour with --granule 16K). Without either, ptlab's neutral machine:
        // 48-bit VA, KFENCE not built in, rodata full by default.
        if (kernelConfig != null) {
            String text;
            try {
                text = Files.readString(Path.of(kernelConfig), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException(kernelConfig + ":1: cannot read: " + e.getMessage());
            }
            BuildConfig bc = BuildConfig.parse(text, kernelConfig);
            if (kernel != null && bc.version != null && bc.version != cfg.version) {
                throw new IllegalArgumentException(kernelConfig + ":1: a Linux " + bc.version.label
                        + " configuration, but --kernel says " + cfg.version.label);
            }
            bc.applyTo(cfg);
        } else if (kernel != null) {
            BuildConfig.debian(cfg.version, g != null ? g : Granule.G4K).applyTo(cfg);
        }
        if (g != null) {
            cfg.granule = g;
            if (cfg.buildConfig != null) {
                cfg.buildConfig.granule = g;
            }
        }
        if (vaBits != null) {
            cfg.vaBits = vaBits;
        }
        if (cmdline != null) {
            warnings.addAll(Cmdline.apply(cmdline, cfg));
        }
        if (rodata != null) {
            cfg.rodata = Rodata.parseOption(rodata, cfg.version);
        }
        if (cpu != null) {
            cfg.cpus.clear();
            for (String c : cpu.split(",")) {
                cfg.cpus.add(Cpu.parse(c));
            }
        }
        if (vaBits == null && cfg.buildConfig != null) {
            // vabits_actual: 52 only when the build allows it and the boot CPU has FEAT_LPA2.
            cfg.vaBits = cfg.buildConfig.vaBitsActual(cfg.cpus.get(0).lpa2());
        }
        cfg.geometry(); // rejects unsupported granule/VA combinations early
        if (bbml2 != null) {
            switch (bbml2.trim()) {
                case "noabort": cfg.bbml2Override = Boolean.TRUE; break;
                case "none": cfg.bbml2Override = Boolean.FALSE; break;
                case "auto": cfg.bbml2Override = null; break;
                default: throw new IllegalArgumentException("bad --bbml2 '" + bbml2 + "': expected noabort, none or auto");
            }
        }
        if (debugPagealloc != null) {
            cfg.debugPagealloc = debugPagealloc;
        }
        if (kfence != null) {
            cfg.kfence = true;
            cfg.kfenceSampleInterval = kfence;
        }
        if (realm != null) {
            cfg.realm = realm;
        }
        if (kaslr != null) {
            cfg.kaslrSeed = kaslr;
        }
        if (kpti != null) {
            cfg.kpti = kpti;
        } else if (kaslrRequiresNg(cfg)) {
            cfg.kpti = true;
        }
        if (tlbRange != null) {
            cfg.tlbRange = tlbRange;
        }
        if (memoryBlockSize != null) {
            long b = Sizes.parse(memoryBlockSize);
            if (Long.bitCount(b) != 1 || b < cfg.geometry().pageSize) {
                throw new IllegalArgumentException("bad memory block size '" + memoryBlockSize + "': expected a power of two of at least one page");
            }
            cfg.memoryBlockSize = b;
        }
        for (String v : variants) {
            cfg.variants = cfg.variants.with(v);
        }
        cfg.afterBoot = afterBoot;
        cfg.bootPages = bootPages;
        MemoryLayout layout = layout();
        try {
            layout.validate(cfg.geometry().pageSize);
        } catch (IllegalArgumentException e) {
            if (iomem != null && mem == null && memmap == null && !String.valueOf(e.getMessage()).startsWith(iomem)) {
                throw new IllegalArgumentException(iomem + ": " + e.getMessage(), e); // the layout came from this file
            }
            throw e;
        }
        return new Built(cfg, layout, warnings);
    }

    /**
     * Non-global kernel mappings from the start because of KASLR: 6.1 setup.c setup_arch()
     * ({@code arm64_use_ng_mappings = kaslr_requires_kpti()}, whose cpufeature.c body also needs
     * {@code kaslr_offset() > 0}); 6.12, 7.2, 7.3 pi/map_kernel.c early_map_kernel() ({@code if
     * (kaslr_seed && kaslr_requires_kpti())}, 7.2/7.3 through {@code ng_mappings_allowed()}, false
     * only on Cavium ThunderX erratum 27456 parts, not modelled). kaslr_requires_kpti() (6.1
     * cpufeature.c, 6.12/7.2/7.3 asm/mmu.h): false when CONFIG_ARM64_E0PD and the boot CPU has
     * FEAT_E0PD, else true. Needs CONFIG_RANDOMIZE_BASE (and CONFIG_UNMAP_KERNEL_AT_EL0 for
     * PTE_MAYBE_NG to read the flag), a firmware seed and no {@code nokaslr}.
     */
    static boolean kaslrRequiresNg(KernelConfig cfg) {
        if (!cfg.kaslrSeed || cfg.noKaslr) {
            return false;
        }
        BuildConfig bc = cfg.buildConfig;
        if (bc != null && (!bc.randomizeBase || !bc.unmapKernelAtEl0)) {
            return false;
        }
        boolean e0pdBuilt = bc == null || bc.e0pd;
        return !(e0pdBuilt && cfg.cpus.get(0).e0pd());
    }

    private MemoryLayout layout() {
        int given = (mem != null ? 1 : 0) + (memmap != null ? 1 : 0) + (iomem != null ? 1 : 0);
        if (given > 1) {
            throw new IllegalArgumentException("give only one of --mem, --memmap and --iomem");
        }
        if (memmap != null) {
            return Memmap.parse(memmap);
        }
        if (iomem != null) {
            return Iomem.parse(org.ptlab.io.InputFile.readText(Path.of(iomem), org.ptlab.io.InputFile.Kind.IOMEM), iomem);
        }
        long size;
        try {
            size = Sizes.parse(mem != null ? mem : "4G");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--mem: " + e.getMessage());
        }
        if (size == 0) {
            throw new IllegalArgumentException("bad --mem '" + mem + "': expected a size above zero");
        }
        return MemoryLayout.ofSize(size);
    }
}

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
 * The one machine description, as users write it (command-line options, a run scenario's or an
 * explorer scenario's {@code machine:} section, a sweep point), turned into a {@link KernelConfig}
 * and a {@link MemoryLayout}. Precedence inside one description: the kernel version first (it
 * decides how the rest is parsed), then the command line ({@code cmdline}), then the explicit
 * settings, which override what the command line said. Between descriptions: a file's
 * {@code machine:} starts from the command's defaults ({@link #explorerDefaults()} for the
 * explorer), and the command-line options are laid over it ({@link #overlay}).
 *
 * <p>The fields are set while a description is read; after that a description is a value: copies
 * are made with {@link #copy}, {@link #with}, {@link #withVariants} and {@link #overlay}, never by
 * changing a shared one and putting it back.
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
    /**
     * The number of CPUs: with one CPU type ({@link #cpu} naming one, or the default max) every CPU
     * is of that type; with a list it must name this many. Null: one per name in {@code cpu}.
     */
    public Integer cpus;
    /**
     * The hardware model of every core (a preset such as neoverse-n1: TLBs, walk caches, hazard
     * checks), for the commands that run one beside the kernel (the explorer); null: none. Checked
     * by the reader (the kernel package does not know the hardware's presets).
     */
    public String hw;
    public List<String> variants = new ArrayList<>();
    /** Run after boot (e.g. {@code --from-capture}: replace the painted linear map by a real kernel's). */
    public java.util.function.Consumer<Kernel> afterBoot;
    /** Where the boot-time calls' pages lie ({@link KernelConfig#bootPages}); null: the model places them. */
    public java.util.function.BiFunction<java.util.List<String>, Integer, long[]> bootPages;

    /** The result: configuration, layout and warnings (from the command line). */
    public record Built(KernelConfig cfg, MemoryLayout mem, List<String> warnings) {}

    /** The keys of a {@code machine:} section and of {@link #set}, in the order {@link #settings} lists them. */
    public static final List<String> KEYS = List.of("mem", "memmap", "iomem", "granule", "va-bits", "kernel", "kernel-config", "rodata",
            "cmdline", "cpu", "cpus", "bbml2", "debug-pagealloc", "kfence", "realm", "kpti", "kaslr", "tlb-range", "memory-block-size", "hw");

    /**
     * The explorer's small machine (every execution boots a fresh one): 4K pages, 4M of RAM in one
     * bank at 0x40000000 (below 48M no kernel image is placed in it, so the whole bank is plain
     * linear map), every CPU a max with BBML2_NOABORT, 2M memory blocks; otherwise ptlab's neutral
     * machine (7.2's rules, 48-bit VA, rodata=full, no KFENCE). An explorer scenario's
     * {@code machine:} and the command's machine options are laid over it.
     */
    public static MachineSpec explorerDefaults() {
        MachineSpec s = new MachineSpec();
        s.granule = "4K";
        s.mem = "4M";
        s.bbml2 = "noabort";
        s.memoryBlockSize = "2M";
        return s;
    }

    /** An independent copy (the variant list is copied; afterBoot and bootPages are shared). */
    public MachineSpec copy() {
        MachineSpec c = new MachineSpec();
        c.mem = mem;
        c.memmap = memmap;
        c.iomem = iomem;
        c.granule = granule;
        c.vaBits = vaBits;
        c.kernel = kernel;
        c.kernelConfig = kernelConfig;
        c.rodata = rodata;
        c.cmdline = cmdline;
        c.cpu = cpu;
        c.bbml2 = bbml2;
        c.debugPagealloc = debugPagealloc;
        c.kfence = kfence;
        c.realm = realm;
        c.kpti = kpti;
        c.kaslr = kaslr;
        c.tlbRange = tlbRange;
        c.memoryBlockSize = memoryBlockSize;
        c.cpus = cpus;
        c.hw = hw;
        c.variants = new ArrayList<>(variants == null ? List.of() : variants);
        c.afterBoot = afterBoot;
        c.bootPages = bootPages;
        return c;
    }

    /** A copy changed by {@code change}: {@code spec.with(s -> s.mem = "8M")}. This one is left as it is. */
    public MachineSpec with(java.util.function.Consumer<MachineSpec> change) {
        MachineSpec c = copy();
        change.accept(c);
        return c;
    }

    /** A copy with {@code more} selected after this one's variants (a later selection of a family wins). */
    public MachineSpec withVariants(List<String> more) {
        MachineSpec c = copy();
        c.variants.addAll(more);
        return c;
    }

    /**
     * A copy with every setting {@code over} gives replacing this one's (command-line options over a
     * file's {@code machine:}); over's variants are selected after this one's. One memory source
     * replaces another ({@code --memmap} over a file's {@code mem:}); an explicit {@code cpu} list
     * replaces a CPU count.
     */
    public MachineSpec overlay(MachineSpec over) {
        MachineSpec c = copy();
        if (over.mem != null || over.memmap != null || over.iomem != null) {
            c.mem = over.mem;
            c.memmap = over.memmap;
            c.iomem = over.iomem;
        }
        if (over.cpu != null && over.cpus == null) {
            c.cpus = null;
        }
        c.granule = pick(over.granule, c.granule);
        c.vaBits = pick(over.vaBits, c.vaBits);
        c.kernel = pick(over.kernel, c.kernel);
        c.kernelConfig = pick(over.kernelConfig, c.kernelConfig);
        c.rodata = pick(over.rodata, c.rodata);
        c.cmdline = pick(over.cmdline, c.cmdline);
        c.cpu = pick(over.cpu, c.cpu);
        c.cpus = pick(over.cpus, c.cpus);
        c.bbml2 = pick(over.bbml2, c.bbml2);
        c.debugPagealloc = pick(over.debugPagealloc, c.debugPagealloc);
        c.kfence = pick(over.kfence, c.kfence);
        c.realm = pick(over.realm, c.realm);
        c.kpti = pick(over.kpti, c.kpti);
        c.kaslr = pick(over.kaslr, c.kaslr);
        c.tlbRange = pick(over.tlbRange, c.tlbRange);
        c.memoryBlockSize = pick(over.memoryBlockSize, c.memoryBlockSize);
        c.hw = pick(over.hw, c.hw);
        c.variants.addAll(over.variants == null ? List.of() : over.variants);
        c.afterBoot = pick(over.afterBoot, c.afterBoot);
        c.bootPages = pick(over.bootPages, c.bootPages);
        return c;
    }

    private static <T> T pick(T over, T base) {
        return over != null ? over : base;
    }

    /**
     * Set one key of {@link #KEYS} from its text (a sweep axis, a schedule file's machine line):
     * sizes and names as written, {@code va-bits}/{@code cpus}/{@code kfence} numbers, booleans
     * true/false. Throws IllegalArgumentException naming the key and what was expected.
     */
    public void set(String key, String value) {
        String v = value.trim();
        switch (key) {
            case "mem" -> mem = v;
            case "memmap" -> memmap = v;
            case "iomem" -> iomem = v;
            case "granule" -> granule = v;
            case "va-bits" -> vaBits = (int) number(key, v, 0, 64);
            case "kernel" -> kernel = v;
            case "kernel-config" -> kernelConfig = v;
            case "rodata" -> rodata = v;
            case "cmdline" -> cmdline = value;
            case "cpu" -> cpu = v;
            case "cpus" -> cpus = (int) number(key, v, 1, 64);
            case "bbml2" -> bbml2 = v;
            case "debug-pagealloc" -> debugPagealloc = bool(key, v);
            case "kfence" -> kfence = number(key, v, 0, Long.MAX_VALUE);
            case "realm" -> realm = bool(key, v);
            case "kpti" -> kpti = bool(key, v);
            case "kaslr" -> kaslr = bool(key, v);
            case "tlb-range" -> tlbRange = bool(key, v);
            case "memory-block-size" -> memoryBlockSize = v;
            case "hw" -> hw = v.equals("none") ? null : v;
            default -> throw new IllegalArgumentException("unknown machine key '" + key + "': expected one of " + String.join(", ", KEYS));
        }
    }

    /** The keys this description sets, as {@link #set} reads them back (variants and afterBoot aside). */
    public java.util.Map<String, String> settings() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        Object[] vals = {mem, memmap, iomem, granule, vaBits, kernel, kernelConfig, rodata, cmdline, cpu, cpus, bbml2, debugPagealloc, kfence,
            realm, kpti, kaslr, tlbRange, memoryBlockSize, hw};
        for (int i = 0; i < vals.length; i++) {
            if (vals[i] != null) {
                m.put(KEYS.get(i), String.valueOf(vals[i]));
            }
        }
        return m;
    }

    private static long number(String key, String v, long min, long max) {
        long n;
        try {
            n = Long.decode(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": expected a number, got '" + v + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(key + ": expected " + min + ".." + max + ", got " + n);
        }
        return n;
    }

    private static boolean bool(String key, String v) {
        return switch (v.toLowerCase(java.util.Locale.ROOT)) { // as YNode.bool reads a machine: section
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException(key + ": expected true or false, got '" + v + "'");
        };
    }

    /** Whether the secondaries lack BBML2_NOABORT by construction ({@code bbml2: boot-cpu}). */
    public boolean bbml2BootCpuOnly() {
        return bbml2 != null && bbml2.trim().equals("boot-cpu");
    }

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
        if (cpus != null && cpus < 1) {
            throw new IllegalArgumentException("cpus: expected at least 1, got " + cpus);
        }
        if (bbml2BootCpuOnly()) {
            // the boot CPU on the BBML2 MIDR allow-list (Neoverse-V3), the secondaries not on it
            // (Neoverse-N1): the kernel's per-CPU decision and the cores' capabilities differ across CPUs
            if (cpu != null) {
                throw new IllegalArgumentException("bbml2: boot-cpu chooses the CPU types itself (a neoverse-v3 boot CPU, neoverse-n1 "
                        + "secondaries): give cpu: or bbml2: boot-cpu, not both");
            }
            int n = cpus != null ? cpus : 2;
            cfg.cpus.clear();
            for (int i = 0; i < n; i++) {
                cfg.cpus.add(Cpu.parse(i == 0 ? "neoverse-v3" : "neoverse-n1"));
            }
        } else if (cpus != null && cfg.cpus.size() != cpus) {
            if (cfg.cpus.size() != 1) {
                throw new IllegalArgumentException("cpu: names " + cfg.cpus.size() + " CPUs, but cpus: says " + cpus);
            }
            Cpu one = cfg.cpus.get(0);
            cfg.cpus.clear();
            for (int i = 0; i < cpus; i++) {
                cfg.cpus.add(one);
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
                case "auto", "boot-cpu": cfg.bbml2Override = null; break;
                default: throw new IllegalArgumentException("bad --bbml2 '" + bbml2 + "': expected noabort, none, auto or boot-cpu");
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

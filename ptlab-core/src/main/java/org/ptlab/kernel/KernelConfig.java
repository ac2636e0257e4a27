package org.ptlab.kernel;

import java.util.ArrayList;
import java.util.List;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;

/**
 * Everything that decides how a modelled kernel builds and changes its linear map: the Kconfig
 * choices (granule, VA bits, KFENCE built in), the command line (rodata=, debug_pagealloc=,
 * kfence.sample_interval=, arm64.nobbml2), the CPUs (their MIDRs decide BBML2_NOABORT), the
 * release whose rules apply, and ptlab's variant selections. Settings live here in one place.
 */
public final class KernelConfig {
    public Granule granule = Granule.G4K;
    public int vaBits = 48;
    /** Run at the end of {@link Kernel#boot} (set by {@code MachineSpec.afterBoot}; null: nothing). */
    public java.util.function.Consumer<Kernel> afterBoot;
    public KernelVersion version = KernelVersion.NEWEST;
    /** rodata mode after parsing; default: what the version's default config gives (full). */
    public Rodata rodata = Rodata.FULL;
    public boolean debugPagealloc;
    /** CONFIG_KFENCE. */
    public boolean kfence;
    /** kfence.sample_interval at boot; 0 means KFENCE is initialised late (or never). */
    public long kfenceSampleInterval;
    /** CONFIG_KFENCE_NUM_OBJECTS: the pool is (objects + 1) * 2 pages. */
    public int kfenceNumObjects = 255;
    /** CONFIG_NET_PTP_CLASSIFY + CONFIG_BPF_JIT_DEFAULT_ON: ptp_classifier_init() JIT-compiles at boot ({@link BootInitcalls}). */
    public boolean ptpClassifierJit;
    /**
     * Where the boot-time calls' pages lie: (vmalloc callers naming the area, pages) -> physical addresses, or null
     * to let the model place them ({@link BootInitcalls}); the oracle check takes them from a capture.
     */
    public java.util.function.BiFunction<java.util.List<String>, Integer, long[]> bootPages;
    /** crashkernel= on the command line (6.1 then maps the linear map with pages). */
    public boolean crashkernel;
    /** CONFIG_ARM64_VA_BITS of the build, or 0 when no build config was applied. */
    public int configVaBits;
    /** The build configuration applied (Debian's or a --kernel-config file), or null. */
    public BuildConfig buildConfig;
    /** Running as a realm guest (is_realm_world()). */
    public boolean realm;
    /** KPTI (arm64_use_ng_mappings): kernel mappings are non-global. */
    public boolean kpti;
    /** The firmware passes a KASLR seed (/chosen/kaslr-seed, as QEMU's virt board does); see {@link MachineSpec#kaslr}. */
    public boolean kaslrSeed;
    /** nokaslr on the command line: kaslr_early_init() returns a zero seed. */
    public boolean noKaslr;
    /** FEAT_TLBIRANGE. */
    public boolean tlbRange;
    /** arm64.nobbml2 on the command line. */
    public boolean noBbml2;
    /** The CPUs; the first is the boot CPU. */
    public List<Cpu> cpus = new ArrayList<>(List.of(Cpu.parse("max")));
    /** --bbml2 override: null = decide from the CPUs, TRUE/FALSE = every CPU has / lacks it. */
    public Boolean bbml2Override;
    /** Memory hotplug block size (memory_block_size_bytes), 0 = the granule's section size. */
    public long memoryBlockSize;
    /** The kernel command line as given, for reports. */
    public String cmdline = "";
    /** Variant selections, e.g. account=exact, split=upstream (immutable: replace with {@link #withVariants}). */
    public Variants variants = Variants.none();

    /** A copy of this configuration with the given "family=name" variants chosen on top. */
    public KernelConfig withVariants(java.util.List<String> specs) {
        KernelConfig c = copy();
        c.variants = variants.withVariants(specs);
        return c;
    }

    /** A copy with one more "family=name" chosen. */
    public KernelConfig withVariant(String spec) {
        return withVariants(java.util.List.of(spec));
    }

    public Geometry geometry() {
        return Geometry.of(granule, vaBits);
    }

    /** Whether a CPU has BBML2_NOABORT as the kernel decides it (override, nobbml2, MIDR list, release). */
    public boolean cpuHasBbml2(Cpu c) {
        if (!version.hasBbml2BlockMapping() || noBbml2) {
            return false;
        }
        if (bbml2Override != null) {
            return bbml2Override;
        }
        return c.bbml2NoAbort(version);
    }

    /** The boot CPU's own check (used by map_mem before capabilities are final). */
    public boolean bootCpuBbml2() {
        return cpuHasBbml2(cpus.get(0));
    }

    /** The system capability ARM64_HAS_BBML2_NOABORT once finalised: every CPU must have it. */
    public boolean systemBbml2() {
        for (Cpu c : cpus) {
            if (!cpuHasBbml2(c)) {
                return false;
            }
        }
        return true;
    }

    /** memory_block_size_bytes(): the section size (128M; 512M with 64K pages) unless set. */
    public long memoryBlockSize() {
        if (memoryBlockSize != 0) {
            return memoryBlockSize;
        }
        return granule == Granule.G64K ? 512L << 20 : 128L << 20;
    }

    public KernelConfig copy() {
        KernelConfig c = new KernelConfig();
        c.granule = granule;
        c.vaBits = vaBits;
        c.version = version;
        c.rodata = rodata;
        c.debugPagealloc = debugPagealloc;
        c.kfence = kfence;
        c.kfenceSampleInterval = kfenceSampleInterval;
        c.kfenceNumObjects = kfenceNumObjects;
        c.crashkernel = crashkernel;
        c.ptpClassifierJit = ptpClassifierJit;
        c.bootPages = bootPages;
        c.configVaBits = configVaBits;
        c.buildConfig = buildConfig;
        c.realm = realm;
        c.kpti = kpti;
        c.tlbRange = tlbRange;
        c.noBbml2 = noBbml2;
        c.cpus = new ArrayList<>(cpus);
        c.bbml2Override = bbml2Override;
        c.memoryBlockSize = memoryBlockSize;
        c.cmdline = cmdline;
        c.variants = variants;
        return c;
    }

    /** One-line summary for reports. */
    public String summary() {
        StringBuilder b = new StringBuilder();
        b.append("linux ").append(version.label).append(", ").append(geometry())
                .append(", rodata=").append(rodata.label(version))
                .append(", BBML2_NOABORT ").append(systemBbml2() ? "yes" : bootCpuBbml2() ? "boot CPU only" : "no");
        if (debugPagealloc) {
            b.append(", debug_pagealloc");
        }
        if (kfence) {
            b.append(", kfence.sample_interval=").append(kfenceSampleInterval);
        }
        if (realm) {
            b.append(", realm");
        }
        if (kpti) {
            b.append(", kpti");
        }
        if (!variants.isEmpty()) {
            b.append(", variants ").append(variants);
        }
        return b.toString();
    }
}

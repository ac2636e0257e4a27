package org.ptlab.cli;

import java.util.ArrayList;
import java.util.List;
import org.ptlab.kernel.MachineSpec;
import picocli.CommandLine.Option;

/**
 * The options that describe a machine to boot, shared by every command that boots one (a picocli
 * mixin; {@code MachineOptionsTest} checks every machine-building command has it). Each option
 * writes its setting straight into one {@link MachineSpec}, which {@link #spec()} hands out as a
 * copy holding only what was given: commands lay it over their defaults or a file's
 * {@code machine:} ({@link MachineSpec#overlay}).
 */
public final class MachineOptions {
    /** What the options gave (unset fields stay null). */
    private final MachineSpec given = new MachineSpec();

    @Option(names = "--mem", paramLabel = "SIZE", description = "RAM size in one range at 0x40000000, e.g. 256G, 259505132K (default 4G; explore: 4M)")
    void mem(String v) {
        given.mem = v;
    }

    @Option(names = "--memmap", paramLabel = "START-END[,...]", description = "RAM ranges (END exclusive, or inclusive when it ends in fff; START+SIZE also accepted)")
    void memmap(String v) {
        given.memmap = v;
    }

    @Option(names = "--iomem", paramLabel = "FILE", description = "a /proc/iomem file: System RAM is the memory, its 'Kernel code' the image")
    void iomem(String v) {
        given.iomem = v;
    }

    @Option(names = "--granule", paramLabel = "4K|16K|64K", description = "translation granule (default 4K)")
    void granule(String v) {
        given.granule = v;
    }

    @Option(names = "--va-bits", paramLabel = "N", description = "VA bits: 39/48/52 (4K), 36/47/48/52 (16K), 42/48/52 (64K); default: the build's (52 with an LPA2 boot CPU such as max, else 48 or 47 on 16K), 48 without --kernel")
    void vaBits(int v) {
        given.vaBits = v;
    }

    @Option(names = "--kernel", paramLabel = "6.1|6.12|7.2|7.3", description = "whose rules apply, built as Debian's generic arm64 kernel of that release (its -16k flavour with --granule 16K): "
            + "6.1 VA_BITS=48 without KFENCE; 6.12, 7.2, 7.3 VA_BITS=52 (LPA2) with KFENCE (sample interval 0); rodata full by default. Without --kernel: 7.2's rules on a neutral build (48-bit VA, no KFENCE)")
    void kernel(String v) {
        given.kernel = v;
    }

    @Option(names = "--kernel-config", paramLabel = "FILE", description = "a real kernel build config (/boot/config-*): its release, page size, VA_BITS, KFENCE and sample interval, rodata and debug_pagealloc defaults")
    void kernelConfig(String v) {
        given.kernelConfig = v;
    }

    @Option(names = "--rodata", paramLabel = "full|on|noalias|off", description = "rodata mode; 'on' means what the selected kernel means by it")
    void rodata(String v) {
        given.rodata = v;
    }

    @Option(names = "--cmdline", paramLabel = "\"...\"", description = "a real kernel command line (rodata=, debug_pagealloc=, kfence.sample_interval=, arm64.nobbml2, kpti=)")
    void cmdline(String v) {
        given.cmdline = v;
    }

    @Option(names = "--cpu", paramLabel = "NAME[:rXpY][,...]", description = "CPU types, boot CPU first (e.g. neoverse-v3, cortex-a57, max, 0x410fd842, max:midr=0x410fd842 for QEMU's max with that MIDR, NAME:bbm=3); BBML2_NOABORT follows the release's MIDR allow-list (7.3: also ID_AA64MMFR2_EL1.BBM >= 3)")
    void cpu(String v) {
        given.cpu = v;
    }

    @Option(names = "--bbml2", paramLabel = "noabort|none|auto", description = "override BBML2_NOABORT for every CPU")
    void bbml2(String v) {
        given.bbml2 = v;
    }

    @Option(names = "--debug-pagealloc", description = "boot with debug_pagealloc=on")
    void debugPagealloc(boolean v) {
        given.debugPagealloc = v;
    }

    @Option(names = "--kfence", paramLabel = "INTERVAL", description = "build KFENCE in with this kfence.sample_interval (0 = late init)")
    void kfence(long v) {
        given.kfence = v;
    }

    @Option(names = "--realm", description = "run as a realm guest")
    void realm(boolean v) {
        given.realm = v;
    }

    @Option(names = "--kpti", description = "KPTI: kernel mappings are non-global (nG)")
    void kpti(boolean v) {
        given.kpti = v;
    }

    @Option(names = "--variant", paramLabel = "FAMILY=NAME", description = "select a variant (repeatable); see `ptlab variants`")
    List<String> variants = new ArrayList<>();

    @Option(names = "--from-capture", paramLabel = "DIR", description = "start from a real kernel's captured tables (a `ptlab oracle capture` folder): its machine, its linear map instead of the painted one")
    java.nio.file.Path fromCapture;

    @Option(names = "--cpus", paramLabel = "N", description = "number of CPUs, each of the --cpu type when it names one (default: one per --cpu name; explore: one per program)")
    void cpus(int v) {
        given.cpus = v;
    }

    @Option(names = "--memory-block-size", paramLabel = "SIZE", description = "hotplug memory block size (default: the section size, 128M; 512M with 64K pages; explore: 2M)")
    void memoryBlockSize(String v) {
        given.memoryBlockSize = v;
    }

    @Option(names = "--tlb-range", negatable = true, description = "the CPUs have FEAT_TLBIRANGE (TLBI by range)")
    void tlbRange(boolean v) {
        given.tlbRange = v;
    }

    @Option(names = "--kaslr", description = "the firmware passes a KASLR seed (QEMU's virt board does)")
    void kaslr(boolean v) {
        given.kaslr = v;
    }

    /** The machine the options give: only the settings given (null elsewhere), as a fresh copy. */
    public MachineSpec spec() {
        MachineSpec s = given.copy();
        s.variants = new ArrayList<>(variants);
        if (fromCapture != null) {
            org.ptlab.oracle.CaptureImport.apply(s, fromCapture);
        }
        return s;
    }
}

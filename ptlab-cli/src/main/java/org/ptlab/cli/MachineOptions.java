package org.ptlab.cli;

import java.util.ArrayList;
import java.util.List;
import org.ptlab.kernel.MachineSpec;
import picocli.CommandLine.Option;

/** The options that describe a machine to boot, shared by every command that boots one. */
public final class MachineOptions {
    @Option(names = "--mem", paramLabel = "SIZE", description = "RAM size in one range at 0x40000000, e.g. 256G, 259505132K (default 4G)")
    String mem;

    @Option(names = "--memmap", paramLabel = "START-END[,...]", description = "RAM ranges (END exclusive, or inclusive when it ends in fff; START+SIZE also accepted)")
    String memmap;

    @Option(names = "--iomem", paramLabel = "FILE", description = "a /proc/iomem file: System RAM is the memory, its 'Kernel code' the image")
    String iomem;

    @Option(names = "--granule", paramLabel = "4K|16K|64K", description = "translation granule (default 4K)")
    String granule;

    @Option(names = "--va-bits", paramLabel = "N", description = "VA bits: 39/48/52 (4K), 36/47/48/52 (16K), 42/48/52 (64K); default: the build's (52 with an LPA2 boot CPU such as max, else 48 or 47 on 16K), 48 without --kernel")
    Integer vaBits;

    @Option(names = "--kernel", paramLabel = "6.1|6.12|7.2|7.3", description = "whose rules apply, built as Debian's generic arm64 kernel of that release (its -16k flavour with --granule 16K): "
            + "6.1 VA_BITS=48 without KFENCE; 6.12, 7.2, 7.3 VA_BITS=52 (LPA2) with KFENCE (sample interval 0); rodata full by default. Without --kernel: 7.2's rules on a neutral build (48-bit VA, no KFENCE)")
    String kernel;

    @Option(names = "--kernel-config", paramLabel = "FILE", description = "a real kernel build config (/boot/config-*): its release, page size, VA_BITS, KFENCE and sample interval, rodata and debug_pagealloc defaults")
    String kernelConfig;

    @Option(names = "--rodata", paramLabel = "full|on|noalias|off", description = "rodata mode; 'on' means what the selected kernel means by it")
    String rodata;

    @Option(names = "--cmdline", paramLabel = "\"...\"", description = "a real kernel command line (rodata=, debug_pagealloc=, kfence.sample_interval=, arm64.nobbml2, kpti=)")
    String cmdline;

    @Option(names = "--cpu", paramLabel = "NAME[:rXpY][,...]", description = "CPU types, boot CPU first (e.g. neoverse-v3, cortex-a57, max, 0x410fd842, max:midr=0x410fd842 for QEMU's max with that MIDR, NAME:bbm=3); BBML2_NOABORT follows the release's MIDR allow-list (7.3: also ID_AA64MMFR2_EL1.BBM >= 3)")
    String cpu;

    @Option(names = "--bbml2", paramLabel = "noabort|none|auto", description = "override BBML2_NOABORT for every CPU")
    String bbml2;

    @Option(names = "--debug-pagealloc", description = "boot with debug_pagealloc=on")
    Boolean debugPagealloc;

    @Option(names = "--kfence", paramLabel = "INTERVAL", description = "build KFENCE in with this kfence.sample_interval (0 = late init)")
    Long kfence;

    @Option(names = "--realm", description = "run as a realm guest")
    Boolean realm;

    @Option(names = "--kpti", description = "KPTI: kernel mappings are non-global (nG)")
    Boolean kpti;

    @Option(names = "--variant", paramLabel = "FAMILY=NAME", description = "select a variant (repeatable); see `ptlab variants`")
    List<String> variants = new ArrayList<>();

    @Option(names = "--from-capture", paramLabel = "DIR", description = "start from a real kernel's captured tables (a `ptlab oracle capture` folder): its machine, its linear map instead of the painted one")
    java.nio.file.Path fromCapture;

    /** The machine as a spec. */
    public MachineSpec spec() {
        MachineSpec s = new MachineSpec();
        s.mem = mem;
        s.memmap = memmap;
        s.iomem = iomem;
        s.granule = granule;
        s.vaBits = vaBits;
        s.kernel = kernel;
        s.kernelConfig = kernelConfig;
        s.rodata = rodata;
        s.cmdline = cmdline;
        s.cpu = cpu;
        s.bbml2 = bbml2;
        s.debugPagealloc = debugPagealloc;
        s.kfence = kfence;
        s.realm = realm;
        s.kpti = kpti;
        s.variants = new ArrayList<>(variants);
        if (fromCapture != null) {
            org.ptlab.oracle.CaptureImport.apply(s, fromCapture);
        }
        return s;
    }
}

package org.ptlab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ptlab.oracle.CaptureSpec;
import org.ptlab.oracle.Capturer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ptlab oracle}: real Debian arm64 kernels under QEMU as ptlab's oracle (docs/oracle.md). */
@Command(name = "oracle", mixinStandardHelpOptions = true,
        description = {"Capture real Debian arm64 kernels' linear maps under QEMU and check the model against them.",
            "See docs/oracle.md."},
        subcommands = {OracleCommand.Capture.class})
final class OracleCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code ptlab oracle capture}. */
    @Command(name = "capture", mixinStandardHelpOptions = true,
            description = {"Boot a Debian arm64 kernel under qemu-system-aarch64 (TCG) and record its linear map, read",
                "from guest memory (TTBR1_EL1 tables), with /proc/iomem, command line, meminfo, dmesg, build config",
                "and (workloads) the kprobe trace, into OUT/NAME. Needs qemu-system-arm, gdb-multiarch, cpio.",
                "Kernels are cached under $PTLAB_ORACLE_CACHE (default ~/.cache/ptlab/oracle).",
                "Example: ptlab oracle capture --kernel 7.2 --cpu max,midr=0x410fd842 --mem 2G --out captures"})
    static final class Capture implements Callable<Integer> {
        @Option(names = "--kernel", paramLabel = "K", description = "6.1, 6.12, 6.12-16k, 7.2, 7.2-16k, 7.3, 7.3-16k, newest, newest-16k, or a Debian package name")
        String kernel;

        @Option(names = "--mem", paramLabel = "SIZE", defaultValue = "2G", description = "guest memory, e.g. 2G or 1536M (default 2G)")
        String mem;

        @Option(names = "--cpu", paramLabel = "QEMUCPU", defaultValue = "cortex-a57", description = "QEMU -cpu: max, cortex-a57, max,midr=0x410fd842 (Neoverse-V3 r0p2, BBML2_NOABORT); default cortex-a57")
        String cpu;

        @Option(names = "--smp", paramLabel = "N", defaultValue = "2", description = "guest CPUs (default 2)")
        int smp;

        @Option(names = "--cmdline", paramLabel = "\"...\"", defaultValue = "", description = "extra kernel command line (rodata=, kfence.sample_interval=, mem=, crashkernel=, ...)")
        String cmdline;

        @Option(names = "--workload", paramLabel = "W", defaultValue = "none", description = "none | modules (load 7 fs modules, unload 2, traced) | modules-cycle (three rounds)")
        String workload;

        @Option(names = "--name", paramLabel = "NAME", description = "capture folder name (default: from the settings)")
        String name;

        @Option(names = "--matrix", paramLabel = "FILE", description = "capture every entry of a matrix file (docs/oracle.md) instead")
        Path matrix;

        @Option(names = "--only", paramLabel = "NAME[,...]", split = ",", description = "with --matrix: only these entries")
        List<String> only = new ArrayList<>();

        @Option(names = "--out", paramLabel = "DIR", required = true, description = "the folder receiving capture folders")
        Path out;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException, InterruptedException {
            PrintWriter stdout = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            List<CaptureSpec> specs = new ArrayList<>();
            if (matrix != null) {
                specs.addAll(org.ptlab.oracle.Matrix.read(matrix));
                if (!only.isEmpty()) {
                    specs.removeIf(s -> !only.contains(s.name()));
                }
            } else {
                specs.add(new CaptureSpec(kernel, mem, cpu, smp, cmdline, workload, name));
            }
            Capturer c = new Capturer(Capturer.defaultCache(), err);
            c.checkTools(true);
            int i = 0;
            for (CaptureSpec s : specs) {
                i++;
                if (specs.size() > 1) {
                    err.printf("oracle: [%d/%d] %s%n", i, specs.size(), s.folderName());
                    err.flush();
                }
                Capturer.Done d = c.capture(s, out);
                stdout.printf("captured %s in %.1f s%n", d.folder(), d.seconds());
                stdout.flush();
            }
            return 0;
        }
    }
}

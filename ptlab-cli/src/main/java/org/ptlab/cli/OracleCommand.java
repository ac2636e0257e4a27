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
        header = "Capture real Debian arm64 kernels' linear maps under QEMU and check the model against every capture.",
        description = {"Capture real Debian arm64 kernels' linear maps under QEMU and check the model against them.",
            "See docs/oracle.md."},
        subcommands = {OracleCommand.Capture.class, OracleCommand.Check.class})
final class OracleCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code ptlab oracle capture}. */
    @Command(name = "capture", mixinStandardHelpOptions = true,
            header = "Boot a Debian arm64 kernel under QEMU and record its linear map, memory map, config and trace.",
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

        @Option(names = "--no-trace", description = "plain capture: command line console=ttyAMA0 plus --cmdline only (no kprobe/trace events, no"
                + " no_hash_pointers, whose boot-time allocations move pages); vmallocinfo, symbols and kernel-map.txt are still"
                + " recorded; no trace, no KFENCE object state; workload none only")
        boolean noTrace;

        @Option(names = "--initrd-size", paramLabel = "BYTES", description = "pad the initramfs (xz) with zeros to BYTES (e.g. 0xf1000): its"
                + " reserved range in /proc/iomem is then that of an earlier boot (boot-time allocations depend on it)")
        String initrdSize;

        @Option(names = "--name", paramLabel = "NAME", description = "capture folder name (default: from the settings)")
        String name;

        @Option(names = "--matrix", paramLabel = "FILE", description = "capture every entry of a matrix file (docs/oracle.md) instead")
        Path matrix;

        @Option(names = "--only", paramLabel = "NAME[,...]", split = ",", description = "with --matrix: only these entries")
        List<String> only = new ArrayList<>();

        @Option(names = "--skip-existing", description = "with --matrix: keep captures already in OUT")
        boolean skipExisting;

        @Option(names = "--keep-going", description = "with --matrix: go on after a failed capture (listed at the end, exit 1)")
        boolean keepGoing;

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
                specs.add(new CaptureSpec(kernel, mem, cpu, smp, cmdline, workload, name, !noTrace));
            }
            Capturer c = new Capturer(Capturer.defaultCache(), err);
            if (initrdSize != null) {
                try {
                    c.initrdSize(initrdSize.startsWith("0x") ? Long.parseLong(initrdSize.substring(2), 16) : Long.parseLong(initrdSize));
                } catch (NumberFormatException e) {
                    throw new Cli.InputError("bad --initrd-size '" + initrdSize + "': expected bytes, e.g. 987136 or 0xf1000");
                }
            }
            c.checkTools(true);
            int i = 0;
            List<String> failed = new ArrayList<>();
            for (CaptureSpec s : specs) {
                i++;
                if (skipExisting && java.nio.file.Files.exists(out.resolve(s.folderName()).resolve("linear-map.txt"))) {
                    continue;
                }
                if (specs.size() > 1) {
                    err.printf("oracle: [%d/%d] %s%n", i, specs.size(), s.folderName());
                    err.flush();
                }
                try {
                    Capturer.Done d = c.capture(s, out);
                    stdout.printf("captured %s in %.1f s%n", d.folder(), d.seconds());
                } catch (IOException | IllegalStateException | IllegalArgumentException | java.io.UncheckedIOException e) {
                    if (!keepGoing) {
                        throw new Cli.InputError(s.folderName() + ": " + e.getMessage());
                    }
                    err.println("oracle: " + s.folderName() + " failed: " + e.getMessage());
                    failed.add(s.folderName());
                }
                stdout.flush();
            }
            if (!failed.isEmpty()) {
                err.println("oracle: failed: " + String.join(", ", failed));
                return 1;
            }
            return 0;
        }
    }

    /** {@code ptlab oracle check}. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            header = "Predict each real-kernel capture from its own inputs and compare it range by range.",
            description = {"Predict each capture from its own inputs (boot from iomem + command line + release + CPU +",
                "granule/VA bits; workload captures: replay of the captured trace on top) and compare with the real",
                "linear map: decomposition, table pages per level and every range. Prints a diff of ranges on a",
                "mismatch. Without DIR: every committed capture (ptlab-core/src/test/resources/oracle), ending with",
                "'N of M captures reproduced exactly'. Exit status 1 when any capture is not reproduced.",
                "Example: ptlab oracle check captures/7.2-v3-2G"})
    static final class Check implements Callable<Integer> {
        @picocli.CommandLine.Parameters(paramLabel = "DIR", arity = "0..*", description = "capture folders, or folders holding capture folders")
        List<Path> dirs = new ArrayList<>();

        @Option(names = "--brief", description = "one line per capture, no diff")
        boolean brief;

        @Option(names = "--table", description = "print the matrix as a Markdown table (capture, kernel, CPU, memory, command line, real and predicted pieces, match)")
        boolean table;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            List<Path> folders = new ArrayList<>();
            List<Path> roots = dirs.isEmpty() ? List.of(committedRoot()) : dirs;
            for (Path d : roots) {
                if (!java.nio.file.Files.isDirectory(d)) {
                    throw new Cli.InputError(d + ": not a capture folder");
                }
                if (java.nio.file.Files.exists(d.resolve("linear-map.txt"))) {
                    folders.add(d);
                } else {
                    List<Path> found = org.ptlab.oracle.OracleCheck.captureDirs(d);
                    if (found.isEmpty()) {
                        throw new Cli.InputError(d + ": no capture folders (folders with linear-map.txt) in it");
                    }
                    folders.addAll(found);
                }
            }
            // read every capture first: a missing or corrupt file stops before any output
            List<org.ptlab.oracle.Capture> caps = new ArrayList<>();
            for (Path f : folders) {
                caps.add(org.ptlab.oracle.Capture.load(f));
            }
            int exact = 0;
            if (table) {
                out.println("| capture | kernel | CPU | memory | command line | real pieces | predicted pieces | match |");
                out.println("|---|---|---|---|---|---|---|---|");
            }
            for (org.ptlab.oracle.Capture c : caps) {
                org.ptlab.oracle.OracleCheck.Result r = org.ptlab.oracle.OracleCheck.check(c);
                if (r.exact()) {
                    exact++;
                }
                if (table) {
                    out.println(org.ptlab.oracle.OracleReport.row(c, r));
                } else {
                    out.println(c.name() + ": " + (r.exact() ? "reproduced exactly" : "MISMATCH: " + r.summary()));
                    if (!brief && !r.exact()) {
                        for (String l : r.details()) {
                            out.println("    " + l);
                        }
                    }
                }
                out.flush();
            }
            out.println(exact + " of " + caps.size() + " captures reproduced exactly");
            return exact == caps.size() ? 0 : 1;
        }

        /** The committed captures: ptlab-core/src/test/resources/oracle of the checkout this jar was built in, else of the working folder. */
        static Path committedRoot() {
            Path rel = Path.of("ptlab-core", "src", "test", "resources", "oracle");
            try {
                Path jar = Path.of(OracleCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                Path repo = jar.getParent() == null ? null : jar.getParent().getParent() == null ? null : jar.getParent().getParent().getParent();
                if (repo != null && java.nio.file.Files.isDirectory(repo.resolve(rel))) {
                    return repo.resolve(rel);
                }
            } catch (java.net.URISyntaxException | RuntimeException e) {
                // fall through to the working folder
            }
            if (java.nio.file.Files.isDirectory(rel)) {
                return rel;
            }
            throw new Cli.InputError("no committed captures found (" + rel + "): give capture folders");
        }
    }
}

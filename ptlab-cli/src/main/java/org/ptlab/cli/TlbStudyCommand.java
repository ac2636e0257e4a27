package org.ptlab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ptlab.arch.Geometry;
import org.ptlab.arch.Granule;
import org.ptlab.arch.MapSize;
import org.ptlab.arch.Sizes;
import org.ptlab.hw.CoreConfig;
import org.ptlab.hw.HwModel;
import org.ptlab.hw.HwYaml;
import org.ptlab.hw.Presets;
import org.ptlab.kernel.KernelConfig;
import org.ptlab.kernel.MachineSpec;
import org.ptlab.run.AddressMapper;
import org.ptlab.run.ReplayTarget;
import org.ptlab.source.AccessTrace;
import org.ptlab.source.BinaryTrace;
import org.ptlab.source.LackeyReader;
import org.ptlab.study.LatMemRdStudy;
import org.ptlab.study.LinearMapStudy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ptlab tlb-study}: the hardware model's studies and trace replay. */
@Command(name = "tlb-study",
        header = "TLB and table-walk studies on the modelled hardware, and trace replay (see docs/hw.md).", mixinStandardHelpOptions = true,
        description = "TLB and table-walk studies on the modelled hardware (see docs/hw.md).",
        subcommands = {TlbStudyCommand.LatMemRd.class, TlbStudyCommand.LinearMap.class, TlbStudyCommand.ReplayCmd.class,
            TlbStudyCommand.Convert.class, TlbStudyCommand.PresetsCmd.class, TlbStudyPfnmapCommand.class})
final class TlbStudyCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static MapSize kind(String s, Geometry geo) {
        String t = s.trim().toUpperCase(java.util.Locale.ROOT);
        for (MapSize m : geo.mapSizes()) {
            if (m.name().equals(t.replace('-', '_')) || Sizes.label(geo.size(m)).equalsIgnoreCase(t)) {
                return m;
            }
        }
        StringBuilder ok = new StringBuilder();
        for (MapSize m : geo.mapSizes()) {
            ok.append(ok.length() == 0 ? "" : ", ").append(Sizes.label(geo.size(m)));
        }
        throw new IllegalArgumentException("mapping size '" + s + "': expected one of " + ok + " for " + geo);
    }

    @Command(name = "lat-mem-rd",
        header = "lat_mem_rd over 64M..4G with 4K and with 2M mappings: the table of seed 004.", mixinStandardHelpOptions = true,
            description = {"lat_mem_rd -t (stride 64) over 64M..4G with 4K and with 2M mappings: the table of seed 004.",
                "Example: ptlab tlb-study lat-mem-rd --core neoverse-n1"})
    static final class LatMemRd implements Callable<Integer> {
        @Mixin
        CoreOptions core;

        @Option(names = "--sizes", split = ",", description = "memory sizes (default 64M,128M,...,4G)")
        List<String> sizes;

        @Option(names = "--stride", defaultValue = "64", description = "stride in bytes (default 64)")
        long stride;

        @Option(names = "--no-thrash", description = "plain sequential chain instead of -t's page-thrashing order")
        boolean noThrash;

        @Option(names = "--small", defaultValue = "4K", description = "small mapping (default 4K)")
        String small;

        @Option(names = "--large", defaultValue = "2M", description = "large mapping (default 2M)")
        String large;

        @Option(names = "--granule", defaultValue = "4K", description = "translation granule (default 4K)")
        String granule;

        @Option(names = "--warmup", defaultValue = "2000000", description = "warm-up loads per point (at least one pass over the pages)")
        long warmup;

        @Option(names = "--measure", defaultValue = "1000000", description = "measured loads per point")
        long measure;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            CoreConfig c = core.core();
            LatMemRdStudy.Params p = new LatMemRdStudy.Params();
            p.granule = Granule.parse(granule);
            Geometry geo = Geometry.of(p.granule, 48);
            p.small = kind(small, geo);
            p.large = kind(large, geo);
            p.stride = stride;
            p.thrash = !noThrash;
            if (warmup < 0 || measure <= 0) {
                throw new IllegalArgumentException("--warmup must be >= 0 and --measure > 0");
            }
            p.warmup = warmup;
            p.measure = measure;
            if (sizes != null) {
                List<Long> l = new ArrayList<>();
                for (String s : sizes) {
                    long v = Sizes.parse(s);
                    if (v <= 0 || v % geo.size(p.large) != 0 || v > (64L << 30)) {
                        throw new IllegalArgumentException("size " + s + ": expected a multiple of " + Sizes.label(geo.size(p.large))
                                + " up to 64G");
                    }
                    l.add(v);
                }
                p.sizes = l;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.print(LatMemRdStudy.format(LatMemRdStudy.run(c, p), c, p));
            out.flush();
            return 0;
        }
    }

    @Command(name = "linear-map",
        header = "One kernel access stream on a PTE-mapped and on a block-mapped linear map: TLB misses and latency.", mixinStandardHelpOptions = true,
            description = {"One kernel-memory access trace against a PTE-mapped linear map (rodata=full, --bbml2 none) and a",
                "block-mapped one (--bbml2 noabort): TLB misses, MPKI, walks, latency.",
                "Example: ptlab tlb-study linear-map --mem 8G --accesses 2000000"})
    static final class LinearMap implements Callable<Integer> {
        @Mixin
        CoreOptions core;

        /** The machine options (--mem: RAM of both booted kernels, default 8G here; --bbml2 is what the study varies). */
        @Mixin
        MachineOptions machine = new MachineOptions();

        @Option(names = "--accesses", defaultValue = "2000000", description = "measured accesses of the generated trace")
        long accesses;

        @Option(names = "--warmup", defaultValue = "500000", description = "warm-up accesses of the generated trace")
        long warmup;

        @Option(names = "--zipf", defaultValue = "0.8", description = "Zipf exponent of page popularity (default 0.8)")
        double zipf;

        @Option(names = "--ipa", defaultValue = "3", description = "instructions per access, for MPKI of generated traces (default 3)")
        double ipa;

        @Option(names = "--trace", paramLabel = "FILE", description = "replay a recorded trace (lackey or ptlab binary, .gz ok) instead")
        Path trace;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            LinearMapStudy.Params p = new LinearMapStudy.Params();
            MachineSpec given = machine.spec();
            if (given.memmap != null || given.iomem != null) {
                throw new IllegalArgumentException("--memmap/--iomem/--from-capture: the study's kernels have one RAM range of --mem bytes");
            }
            if (given.bbml2 != null) {
                throw new IllegalArgumentException("--bbml2: the study boots once with --bbml2 none and once with noabort");
            }
            p.mem = Sizes.parse(given.mem == null ? "8G" : given.mem);
            if (p.mem < (256L << 20)) {
                throw new IllegalArgumentException("--mem must be at least 256M");
            }
            if (accesses <= 0 || warmup < 0 || ipa <= 0) {
                throw new IllegalArgumentException("--accesses and --ipa must be positive, --warmup non-negative");
            }
            p.accesses = accesses;
            p.warmup = warmup;
            p.zipfS = zipf;
            p.instructionsPerAccess = ipa;
            if (trace != null) {
                org.ptlab.io.InputFile.check(trace, org.ptlab.io.InputFile.Kind.TRACE);
            }
            p.trace = trace;
            p.base = given.with(x -> x.mem = null).build().cfg(); // the machine's settings; the study sets RAM and BBML2
            CoreConfig c = core.core();
            PrintWriter out = spec.commandLine().getOut();
            out.print(LinearMapStudy.format(LinearMapStudy.run(c, p)));
            out.flush();
            return 0;
        }
    }

    @Command(name = "replay",
        header = "Replay a recorded trace (lackey or ptlab binary) on a region, the linear map, a vmalloc area or a user mapping.", mixinStandardHelpOptions = true,
            description = {"Replay a recorded trace (valgrind lackey text or ptlab binary, .gz ok)",
                "on one modelled CPU, its addresses packed by chunks onto a target:",
                "a standalone region mapped with one page size (default), a booted",
                "kernel's linear map, a vmalloc area of the trace's size, or a user",
                "mm's remap_pfn_range VMA.",
                "Example: ptlab tlb-study replay sort.lackey --mapping 4K --mapping 2M",
                "         ptlab tlb-study replay sort.ptltrc --target vmalloc"})
    static final class ReplayCmd implements Callable<Integer> {
        @Mixin
        CoreOptions core;

        @Parameters(index = "0", paramLabel = "TRACE")
        Path trace;

        @Option(names = "--target", defaultValue = "region", paramLabel = "region|linear|vmalloc|user",
                description = "where the trace's addresses are mapped (default region)")
        String target;

        @Option(names = "--mapping", description = {"leaf size(s) to compare (repeatable; default 4K and 2M, linear: 4K and block);",
            "region: 4K 64K 2M 32M 1G; vmalloc: 4K 64K 2M; user: 4K 2M 1G; linear: 4K or block"})
        List<String> mappings;

        @Option(names = "--region", description = "region target: size of the region the trace is packed onto (default 8G)")
        String region;

        /** The machine options every command that builds a machine takes (--mem: RAM of the booted kernel, default 8G here). */
        @Mixin
        MachineOptions machine;

        @Option(names = "--ifetch", description = "also replay instruction fetches (lackey I lines: through the L1 instruction TLB, "
                + "checked for execute permission; region and user targets)")
        boolean ifetch;

        @Option(names = "--ipa", defaultValue = "3", description = "instructions per access when the trace has no instruction count")
        double ipa;

        @Option(names = "--limit", defaultValue = "-1", description = "replay at most this many accesses")
        long limit;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            ReplayTarget.Kind kind = ReplayTarget.Kind.parse(target);
            MachineSpec given = machine.spec();
            String mem = given.mem;
            boolean kernelTarget = kind == ReplayTarget.Kind.LINEAR || kind == ReplayTarget.Kind.VMALLOC;
            if (given.memmap != null || given.iomem != null) {
                throw new IllegalArgumentException("--memmap/--iomem: the replay's kernel has one RAM range of --mem bytes");
            }
            if (kernelTarget && given.bbml2 != null && kind == ReplayTarget.Kind.LINEAR) {
                throw new IllegalArgumentException("--bbml2: on --target linear the mapping decides it (--mapping 4K: none, block: noabort)");
            }
            if (!kernelTarget && (given.kernel != null || given.rodata != null || given.cmdline != null || given.cpu != null
                    || given.bbml2 != null || given.debugPagealloc != null || given.kfence != null || given.realm != null
                    || given.kpti != null || !given.variants.isEmpty())) {
                throw new IllegalArgumentException("--kernel, --rodata, --cmdline, --cpu, --bbml2, --debug-pagealloc, --kfence, --realm, --kpti"
                        + " and --variant apply to --target linear and vmalloc (a booted kernel), not " + kind.label()
                        + " (--granule and --va-bits apply to every target)");
            }
            KernelConfig base = given.with(x -> x.mem = null).build().cfg();
            Geometry geo = base.geometry();
            List<String> ms = mappings == null ? ReplayTarget.defaultMappings(kind, geo) : mappings;
            List<MapSize> leaves = new ArrayList<>();
            for (String m : ms) {
                leaves.add(ReplayTarget.leafFor(kind, m, geo));
            }
            if (region != null && kind != ReplayTarget.Kind.REGION) {
                throw new IllegalArgumentException("--region applies to --target region only (the " + kind.label() + " target is sized by "
                        + (kind == ReplayTarget.Kind.LINEAR ? "--mem" : "the trace") + ")");
            }
            boolean kernel = kind == ReplayTarget.Kind.LINEAR || kind == ReplayTarget.Kind.VMALLOC;
            if (mem != null && !kernel) {
                throw new IllegalArgumentException("--mem applies to --target linear and vmalloc (a booted kernel), not " + kind.label());
            }
            long size = Sizes.parse(region == null ? "8G" : region);
            long ram = Sizes.parse(mem == null ? "8G" : mem);
            if (kind == ReplayTarget.Kind.REGION) {
                for (MapSize k : leaves) {
                    if (size % geo.size(k) != 0 || size < (1L << 30)) {
                        throw new IllegalArgumentException("--region must be a multiple of " + Sizes.label(geo.size(k)) + " and at least 1G");
                    }
                }
            }
            if (ifetch && (kind == ReplayTarget.Kind.LINEAR || kind == ReplayTarget.Kind.VMALLOC)) {
                throw new IllegalArgumentException("--ifetch: the " + kind.label() + " target maps data (PXN): every fetch would fault;"
                        + " replay instruction fetches on --target region or user");
            }
            if (kernel && ram < (256L << 20)) {
                throw new IllegalArgumentException("--mem must be at least 256M");
            }
            org.ptlab.io.InputFile.check(trace, org.ptlab.io.InputFile.Kind.TRACE);
            CoreConfig c = core.core();
            long footprint = 0;
            if (kind == ReplayTarget.Kind.VMALLOC || kind == ReplayTarget.Kind.USER) {
                long chunk = ReplayTarget.chunkFor(kind, geo);
                try (AccessTrace t = BinaryTrace.openAny(trace, ifetch)) {
                    footprint = AddressMapper.chunksTouched(t, chunk) * chunk;
                }
            }
            // Everything is built and replayed before anything is printed: an error is one line, no partial output.
            StringBuilder out = new StringBuilder();
            out.append(String.format("trace %s on %s%n", trace, c.summary()));
            if (footprint != 0) {
                out.append(String.format("footprint: %s in %s chunks%n", Sizes.label(footprint), Sizes.label(ReplayTarget.chunkFor(kind, geo))));
            }
            for (int i = 0; i < ms.size(); i++) {
                MapSize k = leaves.get(i);
                ReplayTarget t;
                switch (kind) {
                    case LINEAR: t = ReplayTarget.linear(base, ram, k == null); break;
                    case VMALLOC: t = ReplayTarget.vmalloc(base, ram, footprint, k); break;
                    case USER: t = ReplayTarget.user(geo, footprint, k, ifetch); break;
                    default: t = ReplayTarget.region(geo, size, k); break;
                }
                if (kind == ReplayTarget.Kind.LINEAR) {
                    long touched;
                    try (AccessTrace tr = BinaryTrace.openAny(trace, ifetch)) {
                        touched = AddressMapper.chunksTouched(tr, t.chunk());
                    }
                    if (touched * t.chunk() > t.size()) {
                        throw new IllegalArgumentException(String.format("--target linear: the trace touches %d chunks of %s, the %s of RAM"
                                + " above the image hold %d: give a larger --mem", touched, Sizes.label(t.chunk()), Sizes.label(t.size()), t.size() / t.chunk()));
                    }
                }
                HwModel hw = t.hw(c);
                long n;
                try (AccessTrace tr = BinaryTrace.openAny(trace, ifetch)) {
                    n = t.replay(hw, tr, limit);
                }
                if (n == 0 && limit != 0) {
                    throw new Cli.InputError(trace + ": no accesses: expected a trace with at least one access"
                            + (ifetch ? "" : " (instruction fetches are replayed only with --ifetch)"));
                }
                if (kind == ReplayTarget.Kind.REGION) {
                    out.append(String.format("%n== %s mappings (%,d accesses replayed; region %s, %s of page tables) ==%n", t.mapping(), n,
                            Sizes.label(size), Sizes.label(t.tableBytes())));
                } else {
                    out.append(String.format("%n== %s, %s mappings (%,d accesses replayed; %s: %s, %s of page tables) ==%n", kind.label(), t.mapping(),
                            n, Sizes.label(t.size()), t.leafSummary(), Sizes.label(t.tableBytes())));
                    out.append(String.format("target            %s%n", t.detail()));
                }
                out.append(hw.cpu(0).stats.format(c.frequencyGHz, ipa));
            }
            PrintWriter pw = spec.commandLine().getOut();
            pw.print(out);
            pw.flush();
            return 0;
        }
    }

    @Command(name = "convert",
        header = "Convert a lackey trace to ptlab's binary format (written atomically).", mixinStandardHelpOptions = true,
            description = {"Convert a lackey trace to ptlab's binary format (written atomically).",
                "Example: ptlab tlb-study convert sort.lackey sort.ptltrc"})
    static final class Convert implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "LACKEY")
        Path in;

        @Parameters(index = "1", paramLabel = "OUT")
        Path out;

        @Option(names = "--ifetch", description = "keep instruction fetches as accesses")
        boolean ifetch;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            org.ptlab.io.OutputFiles.checkFile(out);
            long n;
            long ins;
            try (LackeyReader r = LackeyReader.open(in, ifetch)) {
                n = BinaryTrace.write(r, out);
                ins = r.instructions();
            } catch (org.ptlab.io.InputFile.InputException e) {
                throw e.getMessage().startsWith("no accesses") ? new Cli.InputError(in + ": " + e.getMessage()) : e;
            }
            spec.commandLine().getOut().printf("%s: %,d accesses, %,d instructions, %,d bytes%n", out, n, ins, Files.size(out));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "presets",
        header = "List the core presets, or print one as YAML for --core-config.", mixinStandardHelpOptions = true,
            description = {"List the core presets, or print one as YAML (a starting point for --core-config).",
                "Example: ptlab tlb-study presets --yaml neoverse-n1"})
    static final class PresetsCmd implements Callable<Integer> {
        @Option(names = "--yaml", paramLabel = "PRESET", description = "print this preset as YAML")
        String yaml;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            if (yaml != null) {
                out.print(HwYaml.toYaml(Presets.get(yaml)));
            } else {
                for (String n : Presets.names()) {
                    CoreConfig c = Presets.get(n);
                    out.printf("%s%n  %s%n  source: %s%n", n, c.summary(), c.source);
                }
            }
            out.flush();
            return 0;
        }
    }

}

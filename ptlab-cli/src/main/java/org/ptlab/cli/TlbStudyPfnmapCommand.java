package org.ptlab.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ptlab.arch.Sizes;
import org.ptlab.hw.CoreConfig;
import org.ptlab.hw.Presets;
import org.ptlab.user.UserProt;
import org.ptlab.workload.PfnmapStudy;
import org.ptlab.workload.trace.LatMemRdStudy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ptlab tlb-study pfnmap}: seed 004's lat_mem_rd over a device mapping made by
 * remap_pfn_range with PTEs, PMD leaves and PUD leaves, on the hardware model. Attached under
 * {@code tlb-study} at start-up ({@link #attach}).
 */
@Command(name = "pfnmap", mixinStandardHelpOptions = true,
        description = {"lat_mem_rd -t (stride 64) over mmap(device_fd) whose driver calls remap_pfn_range, mapped with PTEs",
            "only, with PMD leaves (seed 004) and with PUD leaves: the seed 004 table with a PUD column.",
            "Example: ptlab tlb-study pfnmap --sizes 64M,1G,4G"})
final class TlbStudyPfnmapCommand implements Callable<Integer> {
    @Option(names = "--core", defaultValue = Presets.DEFAULT, description = "core preset (default ${DEFAULT-VALUE})")
    String core;

    @Option(names = "--sizes", split = ",", description = "memory sizes (default 64M,128M,...,4G)")
    List<String> sizes;

    @Option(names = "--stride", defaultValue = "64", description = "stride in bytes (default 64)")
    long stride;

    @Option(names = "--cache", defaultValue = "normal", description = "memory type the driver maps with: normal, wc, device, uc (default normal)")
    String cache;

    @Option(names = "--measure", defaultValue = "1000000", description = "measured loads per run (default 1000000)")
    long measure;

    @Spec
    CommandSpec spec;

    /** Put this command under `tlb-study`, creating a bare `tlb-study` if the CLI has none yet. */
    static void attach(CommandLine root) {
        CommandLine ts = root.getSubcommands().get("tlb-study");
        if (ts == null) {
            ts = new CommandLine(new Bare());
            root.addSubcommand("tlb-study", ts);
        }
        if (!ts.getSubcommands().containsKey("pfnmap")) {
            ts.addSubcommand("pfnmap", new TlbStudyPfnmapCommand());
        }
    }

    /** `tlb-study` when the hardware studies' own command is not built in. */
    @Command(name = "tlb-study", mixinStandardHelpOptions = true, description = "TLB and table-walk studies on the modelled hardware.")
    static final class Bare implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        CoreConfig c;
        try {
            c = Presets.get(core);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("unknown core '" + core + "': expected one of " + Presets.names());
        }
        UserProt.Cache mt = null;
        for (UserProt.Cache x : UserProt.Cache.values()) {
            if (x.label.equals(cache)) {
                mt = x;
            }
        }
        if (mt == null) {
            throw new IllegalArgumentException("bad --cache '" + cache + "': expected normal, wc, device or uc");
        }
        if (stride <= 0 || stride > (1 << 20)) {
            throw new IllegalArgumentException("--stride " + stride + ": expected 1..1M bytes");
        }
        if (measure < 1000) {
            throw new IllegalArgumentException("--measure " + measure + ": expected at least 1000 loads");
        }
        LatMemRdStudy.Params p = new LatMemRdStudy.Params();
        p.stride = stride;
        p.measure = measure;
        if (sizes != null) {
            List<Long> l = new ArrayList<>();
            for (String s : sizes) {
                long v = Sizes.parse(s);
                if (v < (2L << 20) || v > (64L << 30) || (v & ((2L << 20) - 1)) != 0) {
                    throw new IllegalArgumentException("size '" + s + "': expected a multiple of 2M from 2M to 64G");
                }
                l.add(v);
            }
            p.sizes = l;
        }
        out.print(PfnmapStudy.format(PfnmapStudy.run(c, p, mt), c, p, mt));
        out.flush();
        return 0;
    }
}

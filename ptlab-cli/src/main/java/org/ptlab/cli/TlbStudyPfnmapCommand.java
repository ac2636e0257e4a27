package org.ptlab.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ptlab.arch.Sizes;
import org.ptlab.hw.CoreConfig;
import org.ptlab.study.LatMemRdStudy;
import org.ptlab.study.PfnmapStudy;
import org.ptlab.user.UserProt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ptlab tlb-study pfnmap}: seed 004's lat_mem_rd over a device mapping made by
 * remap_pfn_range with PTEs, PMD leaves and PUD leaves, on the hardware model. Attached under
 * {@code tlb-study} (a subcommand of {@link TlbStudyCommand}).
 */
@Command(name = "pfnmap",
        header = "lat_mem_rd over a remap_pfn_range device mapping with PTE, PMD and PUD leaves (seed 004).", mixinStandardHelpOptions = true,
        description = {"lat_mem_rd -t (stride 64) over mmap(device_fd) whose driver calls remap_pfn_range, mapped with PTEs",
            "only, with PMD leaves (seed 004) and with PUD leaves: the seed 004 table with a PUD column.",
            "Example: ptlab tlb-study pfnmap --sizes 64M,1G,4G"})
final class TlbStudyPfnmapCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    CoreOptions core;

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

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        CoreConfig c = core.core();
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

package org.ptlab.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ptlab.check.Invariants;
import org.ptlab.check.Violation;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.MachineSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ptlab demo}: the question of seed 003 on a 256 GiB machine: rodata=full without BBM level 2
 * (PTE-mapped linear map) against the same machine with BBML2_NOABORT (block-mapped), side by side.
 */
@Command(name = "demo",
        header = "Seed 003's question: page tables saved by block mappings on 256 GiB with rodata=full.", mixinStandardHelpOptions = true,
        description = {"Boot a 256 GiB machine with rodata=full twice: without BBML2_NOABORT (the linear map is",
            "PTE-mapped) and with it (block-mapped), and show both DirectMap tables and the page-table",
            "memory the blocks save (seed 003 reported about 500 MB on a 256 GB AmpereOne).",
            "The machine options (--mem, --kernel, --granule, --cpu, --variant, ...) change the machine; --bbml2 is what the demo varies.",
            "Example: ptlab demo --mem 259505132K"})
final class DemoCommand implements Callable<Integer> {
    /** The machine options, laid over the demo's machine (256G, Linux 7.2, rodata=full); --bbml2 is what the demo varies. */
    @picocli.CommandLine.Mixin
    MachineOptions machine = new MachineOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Kernel pte = boot("none");
        Kernel blk = boot("noabort");
        out.printf("ptlab demo: %s of RAM, %s pages, %d-bit VA, Linux %s, rodata=%s%n%n",
                BootReport.gib(pte.mem.mappedBytes()), pte.geo.granule.label, pte.geo.vaBits, pte.cfg.version.label, rodataLabel(pte));
        out.print(BootReport.sideBySide(pte, "without BBML2_NOABORT", blk, "with BBML2_NOABORT"));
        long saved = pte.linearTableBytes() - blk.linearTableBytes();
        out.printf("%nBlock mappings save %d kB (%.1f MiB) of page tables: %.3f%% of RAM.%n", saved >> 10, saved / 1048576.0,
                100.0 * saved / pte.mem.mappedBytes());
        out.printf("(Seed 003 measured MemTotal +516148 kB on a 256 GB AmpereOne; try --mem 259505132K.)%n");
        out.printf("%nWithout BBML2_NOABORT: force_pte_mapping()=%s. With it: linear_map_requires_bbml2=%s,%n"
                + "so every later set_memory_*() on the linear alias splits blocks live (ptlab boot --help, ptlab variants).%n",
                BootReport.yn(pte.forcePteMapping), BootReport.yn(blk.linearMapRequiresBbml2));
        List<Violation> v = new ArrayList<>(Invariants.check(pte));
        v.addAll(Invariants.check(blk));
        out.printf("Invariants after boot: %s%n", v.isEmpty() ? "all hold (counters equal the walk, tables reachable once, CONT groups whole)" : v.size() + " violated");
        out.flush();
        for (Violation x : v) {
            spec.commandLine().getErr().println("ptlab: invariant violated: " + x);
        }
        return v.isEmpty() ? 0 : 1;
    }

    private static String rodataLabel(Kernel k) {
        return k.cfg.rodata.label(k.cfg.version);
    }

    /** The demo's machine: 256G of RAM, Linux 7.2's rules (Debian's build), rodata=full. */
    static MachineSpec demoMachine() {
        MachineSpec s = new MachineSpec();
        s.mem = "256G";
        s.kernel = "7.2";
        s.rodata = "full";
        return s;
    }

    private Kernel boot(String bbml2) {
        MachineSpec over = machine.spec();
        if (over.bbml2 != null) {
            throw new IllegalArgumentException("demo: --bbml2: the demo boots once without BBML2_NOABORT and once with it");
        }
        MachineSpec.Built b = demoMachine().overlay(over).with(x -> x.bbml2 = bbml2).build();
        return Kernel.boot(b.cfg(), b.mem());
    }
}

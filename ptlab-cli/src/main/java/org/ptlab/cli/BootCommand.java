package org.ptlab.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.ptlab.check.Invariants;
import org.ptlab.check.Ptdump;
import org.ptlab.check.Violation;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.MachineSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ptlab boot}: boot a modelled machine and print its DirectMap lines and page-table memory. */
@Command(name = "boot",
        header = "Boot a modelled arm64 kernel and print its DirectMap lines and linear-map page tables.", mixinStandardHelpOptions = true,
        description = {"Boot a modelled arm64 kernel and print the linear map's /proc/meminfo DirectMap lines",
            "and its page-table memory; --ptdump adds the kernel_page_tables dump.",
            "Example: ptlab boot --mem 512G --rodata full --bbml2 noabort"})
final class BootCommand implements Callable<Integer> {
    @Mixin
    MachineOptions machine;

    @Option(names = "--ptdump", description = "also print the linear map in kernel_page_tables format")
    boolean ptdump;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    @Option(names = "--no-check", description = "skip the invariant check after boot")
    boolean noCheck;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        MachineSpec.Built b = machine.spec().build();
        for (String w : b.warnings()) {
            err.println("ptlab: warning: " + w);
        }
        Kernel k = Kernel.boot(b.cfg(), b.mem());
        List<Violation> v = noCheck ? List.of() : Invariants.check(k);
        if (json) {
            out.print(BootReport.toJson(BootReport.json(k, v)));
        } else {
            out.print(BootReport.header(k));
            out.print(BootReport.meminfo(k));
            out.print(BootReport.tables(k));
            if (ptdump) {
                out.print(Ptdump.linearMap(k));
            }
        }
        out.flush();
        for (Violation x : v) {
            err.println("ptlab: invariant violated: " + x);
        }
        return v.isEmpty() ? 0 : 1;
    }
}

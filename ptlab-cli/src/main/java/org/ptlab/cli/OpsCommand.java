package org.ptlab.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.ptlab.ops.Op;
import org.ptlab.ops.Ops;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ptlab ops}: the catalogue of kernel calls every front end uses, one line each. */
@Command(name = "ops", mixinStandardHelpOptions = true,
        header = "List the kernel calls of the one catalogue, by family, with their arguments and what each models.",
        description = {"List the kernel calls the model offers (org.ptlab.ops.Ops), by family: name, arguments, what it models.",
            "A run scenario step, an explorer CPU program, a replayed ftrace event and a generated workload",
            "all call these by the same name with the same meaning.", "Example: ptlab ops"})
final class OpsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String family = null;
        for (Op op : Ops.catalogue().all()) {
            if (!op.family().equals(family)) {
                family = op.family();
                out.printf("%s%s:%n", family.equals(Ops.catalogue().all().iterator().next().family()) ? "" : "\n", family);
            }
            out.printf("  %s%n      %s%n", op.usage(), op.help());
        }
        out.flush();
        return 0;
    }
}

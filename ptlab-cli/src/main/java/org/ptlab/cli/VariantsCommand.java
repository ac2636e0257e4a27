package org.ptlab.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.ptlab.kernel.Variant;
import org.ptlab.kernel.VariantRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ptlab variants}: every registered variant, one line each. */
@Command(name = "variants",
        header = "List the variants (family=name) of the algorithms the seeds argue about.", mixinStandardHelpOptions = true,
        description = {"List the variants (family=name) of the algorithms the seeds argue about, one line each;",
            "'*' marks each family's default. Select with --variant family=name."})
final class VariantsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        VariantRegistry reg = VariantRegistry.standard();
        int width = 0;
        for (VariantRegistry.Family f : reg.families().values()) {
            for (Variant v : f.members()) {
                width = Math.max(width, v.family().length() + 1 + v.name().length());
            }
        }
        String fmt = "%s %-" + width + "s %s%n";
        for (VariantRegistry.Family f : reg.families().values()) {
            for (Variant v : f.members()) {
                String from = reg.external().contains(v) ? " [" + v.getClass().getName() + "]" : "";
                out.printf(fmt, f.isDefault(v) ? "*" : " ", v.family() + "=" + v.name(), v.description() + from);
            }
        }
        out.flush();
        return 0;
    }
}

package org.ptlab.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.ptlab.kernel.Variants;
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
        int width = 0;
        for (List<Variants.Variant> l : Variants.FAMILIES.values()) {
            for (Variants.Variant v : l) {
                width = Math.max(width, v.family().length() + 1 + v.name().length());
            }
        }
        String fmt = "%s %-" + width + "s %s%n";
        for (Map.Entry<String, List<Variants.Variant>> e : Variants.FAMILIES.entrySet()) {
            for (Variants.Variant v : e.getValue()) {
                out.printf(fmt, v.isDefault() ? "*" : " ", v.family() + "=" + v.name(), v.description());
            }
        }
        out.flush();
        return 0;
    }
}

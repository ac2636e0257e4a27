package org.ptlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Every command that builds a machine takes the same machine options: the {@link MachineOptions}
 * mixin. The test walks picocli's whole command tree and needs every command classified, so a new
 * command cannot be added without deciding which kind it is.
 */
class MachineOptionsTest {
    /** Commands that boot a modelled kernel from a machine description: they take the machine options. */
    static final Set<String> MACHINE = Set.of("boot", "demo", "run", "compare", "trace", "explore", "tlb-study replay", "tlb-study linear-map",
            "study degradation");

    /** Commands that boot a modelled kernel but whose machine is fixed or comes from elsewhere, with the reason. */
    static final Map<String, String> OWN_MACHINE = Map.of(
            "bench boot", "a benchmark: a fixed machine (its --mem sizes it) so that figures compare across runs",
            "bench split", "a benchmark on a fixed machine",
            "bench explore", "a benchmark on a fixed built-in scenario",
            "bench explore-depth", "a benchmark over the shipped scenarios as they are",
            "bench pfnmap", "a benchmark on a fixed machine",
            "bench sweep", "a benchmark on a fixed sweep",
            "sweep", "each point's machine is the sweep file's (the same machine: keys, MachineSpec.set)",
            "oracle check", "each capture's own machine (its iomem, command line, release, CPU)",
            "oracle capture", "boots a real Debian kernel under QEMU, not the model");

    /** Commands that boot no kernel model. */
    static final Set<String> NO_MACHINE = Set.of("ptlab", "help", "bench", "bench tlb", "tlb-study", "tlb-study lat-mem-rd", "tlb-study convert",
            "tlb-study presets", "tlb-study pfnmap", "variants", "ops", "study", "oracle");

    static void walk(CommandLine c, String path, Map<String, CommandSpec> out) {
        out.put(path, c.getCommandSpec());
        for (Map.Entry<String, CommandLine> e : c.getSubcommands().entrySet()) {
            if (e.getValue().getCommandSpec().name().equals(e.getKey())) { // not an alias
                walk(e.getValue(), path.equals("ptlab") ? e.getKey() : path + " " + e.getKey(), out);
            }
        }
    }

    static boolean hasMachineOptions(CommandSpec s) {
        return s.mixins().values().stream().anyMatch(m -> m.userObject() instanceof MachineOptions);
    }

    @Test
    void everyMachineBuildingCommandHasTheMachineOptions() {
        Map<String, CommandSpec> all = new TreeMap<>();
        walk(new CommandLine(new Ptlab()), "ptlab", all);
        List<String> unclassified = new ArrayList<>();
        for (Map.Entry<String, CommandSpec> e : all.entrySet()) {
            String p = e.getKey();
            boolean has = hasMachineOptions(e.getValue());
            if (MACHINE.contains(p)) {
                assertThat(has).as(p + " builds a machine: expected the MachineOptions mixin").isTrue();
                for (String o : List.of("--mem", "--memmap", "--iomem", "--granule", "--va-bits", "--kernel", "--kernel-config", "--rodata",
                        "--cmdline", "--cpu", "--cpus", "--bbml2", "--debug-pagealloc", "--kfence", "--variant", "--from-capture")) {
                    assertThat(e.getValue().findOption(o)).as(p + " " + o).isNotNull();
                }
            } else if (OWN_MACHINE.containsKey(p) || NO_MACHINE.contains(p)) {
                assertThat(has).as(p + ": classified as not taking the machine options, but it has them: move it to MACHINE").isFalse();
            } else {
                unclassified.add(p);
            }
        }
        assertThat(unclassified).as("commands to classify in MachineOptionsTest (MACHINE, OWN_MACHINE with a reason, or NO_MACHINE)").isEmpty();
        List<String> gone = new ArrayList<>(MACHINE);
        gone.addAll(OWN_MACHINE.keySet());
        gone.addAll(NO_MACHINE);
        gone.removeAll(all.keySet());
        assertThat(gone).as("classified commands that no longer exist").isEmpty();
    }

    /** One precedence everywhere: the command's defaults, then the file's machine:, then the options. */
    @Test
    void optionsOverrideTheFilesMachine() {
        CliTest.Run r = CliTest.run("explore", "../scenarios/concurrency/seed000-split-race.yaml", "--mem", "8M", "--variant", "split=no-lock",
                "--quiet", "--executions", "1");
        assertThat(r.out()).contains("machine: 4K pages, 8M RAM, 2 CPUs, BBML2_NOABORT yes, linux 7.2, split=no-lock");
        CliTest.Run bad = CliTest.run("explore", "../scenarios/concurrency/seed000-split-race.yaml", "--granule", "8K", "--quiet");
        assertThat(bad.status()).isEqualTo(2);
        CliTest.Run run = CliTest.run("run", "../scenarios/seed000-valid-bit.yaml", "--mem", "2G", "--kernel", "6.12");
        assertThat(run.status()).isZero();
        assertThat(run.out()).contains("linux 6.12");
    }

    /** The older explorer keys in a run scenario: read, with one deprecation line on standard error; an option error names the options. */
    @Test
    void olderKeysWarnAndOptionErrorsSayWhereTheyCameFrom(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path f = dir.resolve("old.yaml");
        java.nio.file.Files.writeString(f, "machine: {memory: 1G}\nsteps: [check]\n");
        CliTest.Run r = CliTest.run("run", f.toString());
        assertThat(r.status()).isZero();
        assertThat(r.err()).contains("warning: " + f + ": deprecated spelling (machine.memory (now mem))");
        CliTest.Run bad = CliTest.run("run", f.toString(), "--va-bits", "36");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err()).contains(f + ":1:10: ").contains("(machine: with the options {va-bits=36})");
    }
}

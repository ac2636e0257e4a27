package org.ptlab.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ptlab bench}: performance figures of the model, measured on this machine. */
@Command(name = "bench",
        header = "Measure the model's speed and memory (figures and targets in the README).", mixinStandardHelpOptions = true,
        description = "Measure the model's speed and memory (see the README for the figures and targets).",
        subcommands = {BenchBootCommand.class, BenchSplitCommand.class, BenchTlbCommand.class, BenchExploreCommand.class, BenchExploreDepthCommand.class,
            BenchPfnmapCommand.class, BenchSweepCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

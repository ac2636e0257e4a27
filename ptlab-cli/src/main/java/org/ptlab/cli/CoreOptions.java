package org.ptlab.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ptlab.hw.CoreConfig;
import org.ptlab.hw.HwYaml;
import org.ptlab.hw.Presets;
import picocli.CommandLine.Option;

/** How a command picks the modelled core: a preset or a YAML file. */
public final class CoreOptions {
    @Option(names = "--core", paramLabel = "PRESET", description = "core preset: neoverse-n1 (default), cortex-a72, cortex-a55")
    String preset;

    @Option(names = "--core-config", paramLabel = "FILE", description = "custom core configuration in YAML (see docs/hw.md)")
    Path config;

    public CoreConfig core() {
        if (config != null) {
            if (preset != null) {
                throw new IllegalArgumentException("give --core or --core-config, not both (use 'base: <preset>' inside the YAML)");
            }
            try {
                return HwYaml.load(config);
            } catch (IOException e) {
                throw new Cli.InputError(config + ": " + e.getMessage());
            }
        }
        return Presets.get(preset == null ? Presets.DEFAULT : preset);
    }
}

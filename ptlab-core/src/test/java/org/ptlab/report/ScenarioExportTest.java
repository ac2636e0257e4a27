package org.ptlab.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ptlab.kernel.MachineSpec;
import org.ptlab.scenario.Scenario;
import org.ptlab.source.FtraceParser;

/** A replayed trace exported as a scenario runs to exactly the same state as the replay itself. */
class ScenarioExportTest {
    static final Path SAMPLE = Path.of("src/test/resources/traces/arm64-module-bpf-secretmem.trace");

    @Test
    void exportedScenarioReproducesTheReplay() throws Exception {
        FtraceParser.Trace t = FtraceParser.parse(Files.readString(SAMPLE, StandardCharsets.UTF_8), "sample.trace");
        MachineSpec m = new MachineSpec();
        m.mem = "8G";
        m.bbml2 = "noabort";
        List<String> steps = new ArrayList<>();
        RunRecord replay = Runs.trace(m, List.of("split=minimal"), t, 1, ProgressReporter.silent(), steps, null);
        String yaml = ScenarioExport.yaml("exported", m, List.of("split=minimal"), steps);
        assertThat(yaml).contains("  - vmalloc: {name: vm16, size: 0x18000, module: true, flags: [flush_reset_perms]}")
                .contains("  - set_memory_ro: {area: vm16, offset: 0, pages: 24}")
                .contains("  - vfree: vm26")
                .contains("  # module_load ext4_test (sample.trace:24)")
                .contains("variants: [split=minimal]");
        Scenario s = Scenario.parse(yaml, "exported.yaml");
        RunRecord run = Runs.scenario(s, List.of(), null, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                ProgressReporter.silent());
        assertThat(run.status).isZero();
        assertThat(replay.status).isZero();
        RunRecord.Snapshot a = replay.last();
        RunRecord.Snapshot b = run.last();
        assertThat(b.directMapKb).containsExactly(a.directMapKb);
        assertThat(b.linearTablePages).isEqualTo(a.linearTablePages);
        assertThat(b.tablePages).isEqualTo(a.tablePages);
        assertThat(b.splits).isEqualTo(a.splits).isPositive();
        assertThat(b.tlbi).isEqualTo(a.tlbi);
        assertThat(b.tlbiPages).isEqualTo(a.tlbiPages);
        assertThat(b.dsb).isEqualTo(a.dsb);
        assertThat(b.isb).isEqualTo(a.isb);
        // one step per replayed call; the module_load marker is a comment in the scenario
        assertThat(b.step).isEqualTo(a.step - 1);
    }
}

package org.ptlab.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ptlab.explore.ExploreScenario;
import org.ptlab.explore.ScenarioFile;
import org.ptlab.kernel.MachineSpec;
import org.ptlab.yaml.YNode;

/** One machine: reader for run and explorer scenarios: the same keys, the same errors, the older explorer spelling for one release. */
class MachineReaderTest {
    static final String MACHINE = "machine: {granule: 16K, mem: 8M, kernel: \"6.12\", bbml2: none, debug-pagealloc: true, cpus: 2, "
            + "memory-block-size: 32M, rodata: noalias}\n";

    @Test
    void runAndExploreScenariosReadTheSameMachine() {
        Scenario run = Scenario.parse(MACHINE + "steps: [check]\n", "r.yaml");
        ExploreScenario ex = ScenarioFile.parse("name: x\n" + MACHINE + "cpus:\n  - [touch: lm]\n  - [touch: lm]\n", "e.yaml");
        assertThat(ex.machine().settings()).isEqualTo(run.machine.settings());
        assertThat(ex.machine().build().cfg().summary()).isEqualTo(run.machine.build().cfg().summary());
    }

    @Test
    void theSameBadValueGivesTheSameErrorInBoth() {
        for (String bad : List.of("{granule: 8K}", "{mem: lots}", "{kernel: \"5.4\"}", "{cpus: 0}", "{colour: red}", "{bbml2: maybe}")) {
            String r = message(() -> Scenario.parse("machine: " + bad + "\nsteps: [check]\n", "f.yaml"));
            String e = message(() -> ScenarioFile.parse("name: x\nmachine: " + bad + "\ncpus: [[touch: lm]]\n", "f.yaml"));
            assertThat(e).as(bad).isEqualTo(r.replace("f.yaml:1:", "f.yaml:2:")).startsWith("f.yaml:2:");
        }
    }

    static String message(Runnable r) {
        try {
            r.run();
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        throw new AssertionError("no error");
    }

    @Test
    void theOlderExplorerKeysAreReadWithADeprecationLine() {
        List<String> old = new ArrayList<>();
        MachineSpec m = MachineReader.read(YNode.parse("{memory: 8M, version: \"6.1\", bbml2: true, debug_pagealloc: on}", "m.yaml"),
                MachineSpec.explorerDefaults(), old::add);
        assertThat(m.mem).isEqualTo("8M");
        assertThat(m.kernel).isEqualTo("6.1");
        assertThat(m.bbml2).isEqualTo("noabort");
        assertThat(m.debugPagealloc).isTrue();
        assertThat(old).containsExactly("machine.memory (now mem)", "machine.version (now kernel)", "bbml2: true (now noabort)",
                "machine.debug_pagealloc (now debug-pagealloc)");
        Scenario s = Scenario.parse("machine: {memory: 1G}\nsteps: [check]\n", "r.yaml");
        assertThat(s.warnings).singleElement().asString().startsWith("r.yaml: deprecated spelling (machine.memory (now mem))");
        assertThat(Scenario.parse("machine: {mem: 1G}\nsteps: [check]\n", "r.yaml").warnings).isEmpty();
    }

    /** A run is not allowed to change the scenario it ran: variants and options are copies (no mutate-and-restore). */
    @Test
    void runningLeavesTheScenarioAsItWas() {
        Scenario s = Scenario.parse("machine: {mem: 1G}\nvariants: [account=exact]\nsteps: [check]\n", "r.yaml");
        String before = s.machine.settings() + " " + s.machine.variants;
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        org.ptlab.run.ScenarioRunner.run(s, List.of("split=minimal"), null, out);
        Scenario t = s.withMachine(new MachineSpec().with(x -> x.mem = "2G"));
        org.ptlab.run.ScenarioRunner.run(t, List.of(), null, out);
        assertThat(s.machine.settings() + " " + s.machine.variants).isEqualTo(before);
        assertThat(t.machine.mem).isEqualTo("2G");
        assertThatThrownBy(() -> org.ptlab.run.ScenarioRunner.run(Scenario.parse("machine: {mem: 1G, hw: neoverse-n1}\nsteps: [check]\n", "h.yaml"),
                List.of(), null, out)).hasMessageStartingWith("h.yaml:1:10: machine.hw: ptlab run boots no hardware model");
    }
}

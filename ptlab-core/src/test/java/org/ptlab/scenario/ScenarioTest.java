package org.ptlab.scenario;

import org.ptlab.yaml.ScenarioError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ptlab.run.ScenarioRunner;

class ScenarioTest {
    static final Path SCENARIOS = Path.of("..", "scenarios");

    record Out(ScenarioRunner.Result r, String text) {}

    static Out run(Scenario s, String... variants) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ScenarioRunner.Result r = ScenarioRunner.run(s, List.of(variants), null, new PrintStream(b, true, StandardCharsets.UTF_8));
        return new Out(r, b.toString(StandardCharsets.UTF_8));
    }

    @Test
    void doubleCountScenarioPassesExactAndFailsV7NamingCounterAndStep() {
        Scenario s = Scenario.load(SCENARIOS.resolve("seed000-double-count.yaml"));
        Out ok = run(s);
        assertThat(ok.r().status()).as(ok.text()).isZero();
        assertThat(ok.text()).contains("DirectMap1G:").contains("all hold");
        Out bad = run(s, "account=seed000-v7");
        assertThat(bad.r().status()).isEqualTo(1);
        assertThat(bad.text()).contains("VIOLATION after step 0 (boot)").containsPattern("invariant counters: DirectMap\\w+ counter");
    }

    @Test
    void partialRemoveUnderflowsOnlyWithV7() {
        Scenario s = Scenario.load(SCENARIOS.resolve("seed000-partial-remove.yaml"));
        assertThat(run(s).r().status()).isZero();
        Out bad = run(s, "account=seed000-v7");
        assertThat(bad.r().status()).isEqualTo(1);
        assertThat(bad.text()).contains("DirectMap16G counter underflowed");
    }

    @Test
    void shippedScenariosPassByDefault() {
        for (String f : new String[] {"seed000-valid-bit.yaml", "seed000-partial-remove-guard.yaml", "split-whole-ranges.yaml"}) {
            Out o = run(Scenario.load(SCENARIOS.resolve(f)));
            assertThat(o.r().status()).as(f + "\n" + o.text()).isZero();
        }
    }

    @Test
    void aFailedExpectationStopsWithStatusOne() {
        Scenario s = Scenario.parse("machine: {mem: 1G}\nsteps:\n  - vmalloc: {name: a, size: 8K}\n  - set_memory_ro: {area: a, expect: -EINVAL}\n", "t.yaml");
        Out o = run(s);
        assertThat(o.r().status()).isEqualTo(1);
        assertThat(o.text()).contains("step 2 (t.yaml:4: set_memory_ro(a))").contains("returned 0, expected -EINVAL");
    }

    @Test
    void repeatAndCheckEvery() {
        Scenario s = Scenario.parse("machine: {mem: 2G, cpu: neoverse-v3}\ncheck-every: 3\nsteps:\n  - repeat:\n      times: 5\n      steps:\n"
                + "        - module_load: {name: m, text: 16K, rodata: 8K}\n        - module_unload: m\n", "r.yaml");
        Out o = run(s);
        assertThat(o.r().status()).as(o.text()).isZero();
        assertThat(o.r().steps()).isEqualTo(10);
        assertThat(o.r().checks()).isEqualTo(1 + 3 + 1); // boot, steps 3, 6, 9, and the end
    }

    @Test
    void errorsNameFileLineAndColumn() {
        assertError("machine: {mem: 1G}\nsteps:\n  - set_memory_frob: {area: a}\n", "x.yaml:3:5: unknown step 'set_memory_frob'");
        assertError("machine: {mem: 1G}\nsteps:\n  - vmalloc: {name: a, size: lots}\n", "x.yaml:3:30: bad size 'lots'");
        assertError("machine: {mem: 1G}\nsteps:\n  - vmalloc: {name: a, size: 4K, colour: red}\n", "x.yaml:3:34: unknown key 'colour'");
        assertError("machine:\n  mem: 1G\n  mem: 2G\nsteps: []\n", "x.yaml:3:3: duplicate key 'mem'");
        assertError("machine: {mem: 1G}\nvariants: [split=maximal]\nsteps: []\n", "x.yaml:2:12: unknown variant 'maximal'");
        assertError("machine: {mem: 1G\nsteps: []\n", "x.yaml:");
        assertError("steps: [check]\nmachine: {granule: 8K}\n", "x.yaml:2:20: machine.granule: unknown granule");
        assertError("machine: {mem: 1G}\n", "x.yaml:1:1: expected a steps: list");
    }

    static void assertError(String text, String prefix) {
        assertThatThrownBy(() -> {
            Scenario s = Scenario.parse(text, "x.yaml");
            run(s);
        }).isInstanceOf(ScenarioError.class).satisfies(e -> {
            assertThat(e.getMessage()).startsWith(prefix);
            assertThat(e.getMessage()).doesNotContain("\n");
        });
    }
}

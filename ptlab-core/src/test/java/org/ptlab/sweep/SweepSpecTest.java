package org.ptlab.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ptlab.yaml.ScenarioError;

class SweepSpecTest {
    static final Path SWEEPS = Path.of("..", "scenarios", "sweeps");

    static SweepSpec parse(String text) {
        return SweepSpec.parse(text, "s.yaml", SWEEPS);
    }

    @Test
    void theShippedExampleHasTwelvePointsInProductOrder() {
        SweepSpec s = SweepSpec.load(SWEEPS.resolve("example.yaml"));
        assertThat(s.kind).isEqualTo(SweepSpec.Kind.DEGRADATION);
        assertThat(s.axes).containsExactly("mem", "collapse", "seed");
        assertThat(s.points).hasSize(12);
        assertThat(Job.key(s.points.get(0))).isEqualTo("mem=2G collapse=none seed=1");
        assertThat(Job.key(s.points.get(1))).isEqualTo("mem=2G collapse=none seed=2");
        assertThat(Job.key(s.points.get(11))).isEqualTo("mem=4G collapse=background seed=2");
    }

    @Test
    void anUnknownAxisKeyNamesItsLineAndColumnAndTheKeysExpected() {
        assertThatThrownBy(() -> parse("base:\n  study: degradation\naxes:\n  mem: [2G]\n  colapse: [none]\n"))
                .isInstanceOf(ScenarioError.class)
                .hasMessageStartingWith("s.yaml:5:3: unknown axis key 'colapse' for a study degradation base: expected one of mem, collapse");
    }

    @Test
    void anEmptyProductIsRefused() {
        assertThatThrownBy(() -> parse("base:\n  study: degradation\naxes:\n  mem: [2G]\n  seed: []\n"))
                .isInstanceOf(ScenarioError.class).hasMessage("s.yaml:5:9: empty product: axis seed has no values");
        assertThatThrownBy(() -> parse("base:\n  study: degradation\npoints: []\n"))
                .isInstanceOf(ScenarioError.class).hasMessageContaining("empty product");
        assertThatThrownBy(() -> parse("base:\n  explore: ../concurrency/seed000-split-race.yaml\ncampaign:\n  strategy: random\n  seeds: 5..4\n"))
                .isInstanceOf(ScenarioError.class).hasMessageContaining("s.yaml:5:10: empty product");
    }

    @Test
    void badValuesAndBasesAreOneLineWithAPosition() {
        assertThatThrownBy(() -> parse("base:\n  study: degradation\naxes:\n  collapse: [none, nope]\n"))
                .isInstanceOf(ScenarioError.class).hasMessageStartingWith("s.yaml:4:20: bad value 'nope' for collapse");
        assertThatThrownBy(() -> parse("base:\n  run: no-such-file.yaml\naxes:\n  mem: [2G]\n"))
                .isInstanceOf(ScenarioError.class).hasMessageStartingWith("s.yaml:2:8: cannot read the run scenario");
        assertThatThrownBy(() -> parse("base:\n  study: degradation\naxes:\n  mem: [2G]\npoints:\n  - {mem: 2G}\n"))
                .isInstanceOf(ScenarioError.class).hasMessageContaining("expected exactly one of axes:");
        assertThatThrownBy(() -> parse("base:\n  tlb-study: pfnmap\naxes:\n  size: [64M]\n"))
                .isInstanceOf(ScenarioError.class).hasMessageStartingWith("s.yaml:2:14: tlb-study 'pfnmap' cannot be swept");
    }

    @Test
    void pointsAndRangesAndRunAxes() {
        SweepSpec s = parse("base:\n  run: ../seed000-double-count.yaml\npoints:\n  - {account: exact}\n  - {account: seed000-v7, mem: 8G}\n");
        assertThat(s.axes).containsExactly("account", "mem");
        assertThat(s.points).hasSize(2);
        assertThat(s.points.get(0).get("mem")).isEmpty();
        SweepSpec r = parse("base:\n  study: degradation\naxes:\n  seed: 1..5\n");
        assertThat(r.points).extracting(p -> p.get("seed")).containsExactly("1", "2", "3", "4", "5");
    }

    @Test
    void aFailingJobRecordsItsErrorInItsRow() {
        SweepSpec s = parse("base:\n  study: degradation\naxes:\n  mem: [512M]\n");
        Row r = Jobs.run(s.jobs().get(0));
        assertThat(r.verdict()).isEqualTo("error");
        assertThat(String.valueOf(r.get("error"))).isEqualTo("IllegalArgumentException: mem: expected at least 1G, got 512M");
        assertThat(r.json()).isEqualTo("{\"point\":0,\"mem\":\"512M\",\"verdict\":\"error\","
                + "\"error\":\"IllegalArgumentException: mem: expected at least 1G, got 512M\"}");
        assertThat(Row.csv(List.of(r))).isEqualTo("point,mem,verdict,detail,error\n0,512M,error,,"
                + "\"IllegalArgumentException: mem: expected at least 1G, got 512M\"\n");
    }

    @Test
    void runPointsApplyMachineKeysAndVariants() {
        SweepSpec s = parse("base:\n  run: ../seed000-double-count.yaml\naxes:\n  account: [exact, seed000-v7]\n");
        Row ok = Jobs.run(s.jobs().get(0));
        Row bad = Jobs.run(s.jobs().get(1));
        assertThat(ok.verdict()).isEqualTo("ok");
        assertThat(bad.verdict()).isEqualTo("violation");
        assertThat(String.valueOf(bad.get("detail"))).contains("counters");
        assertThat(ok.get("DirectMap4K_kB")).isInstanceOf(Number.class);
    }
}

package org.ptlab.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;

/**
 * The workload-settings parser (`ptlab study degradation --set NAME=VALUE`, the `workload:`
 * scenario step): whatever the input, it returns valid settings or throws
 * IllegalArgumentException with a one-line message. Regression mode replays the corpus in
 * src/test/resources; JAZZER_FUZZ=1 fuzzes for real.
 */
class WorkloadSettingsFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void assignment(FuzzedDataProvider d) {
        String a = d.consumeRemainingAsString();
        try {
            WorkloadSettings w = WorkloadSettings.defaults().with(a);
            assertThat(w.hours()).isPositive();
            assertThat(w.samples()).isPositive();
            assertThat(w.toString()).contains("hours=");
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
        }
    }

    @Test
    void namedSettings() {
        WorkloadSettings w = WorkloadSettings.defaults().with("bpf.rate=100").with("scan.bytes", "2G").with("seed=0x10");
        assertThat(w.bpfRate()).isEqualTo(100);
        assertThat(w.scanBytes()).isEqualTo(2L << 30);
        assertThat(w.seed()).isEqualTo(16);
        assertThat(w.hours()).isEqualTo(WorkloadSettings.defaults().hours());
        assertThatThrownBy(() -> WorkloadSettings.defaults().with("hours=-1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a number >= 0");
        assertThatThrownBy(() -> WorkloadSettings.defaults().with("hours=0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("above zero");
        assertThatThrownBy(() -> WorkloadSettings.defaults().with("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected name=value");
    }
}

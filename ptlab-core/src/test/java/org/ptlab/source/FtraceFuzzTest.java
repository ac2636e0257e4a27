package org.ptlab.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.MachineSpec;
import org.ptlab.run.FtraceReplay;

/**
 * Fuzz test of the ftrace trace parser and the replay's argument handling: whatever the text, the
 * parser returns events or throws one IllegalArgumentException line naming the file and line; a
 * parsed trace replays or fails with IllegalArgumentException (a bad argument or directive).
 * `mvn verify` replays the corpus in src/test/resources (regression mode);
 * `JAZZER_FUZZ=1 mvn -pl ptlab-core test -Dtest=FtraceFuzzTest` fuzzes for real.
 */
class FtraceFuzzTest {
    private static final MachineSpec.Built SMALL;

    static {
        MachineSpec m = new MachineSpec();
        m.mem = "512M";
        SMALL = m.build();
    }

    @FuzzTest(maxDuration = "30s")
    void parseAndReplay(FuzzedDataProvider d) {
        String text = d.consumeRemainingAsString();
        FtraceParser.Trace t;
        try {
            t = FtraceParser.parse(text, "fuzz.trace");
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("fuzz.trace:").doesNotContain("\n");
            return;
        }
        assertThat(t.warnings()).allSatisfy(w -> assertThat(w).startsWith("fuzz.trace").doesNotContain("\n"));
        if (t.events().size() > 200) {
            return;
        }
        Kernel k = Kernel.boot(SMALL.cfg(), SMALL.mem());
        try {
            FtraceReplay.Result r = FtraceReplay.replay(k, t, new FtraceReplay.Listener() {}, 0);
            assertThat(r.status()).isBetween(0, 1);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("fuzz.trace").doesNotContain("\n");
        } catch (FtraceReplay.ReplayStopped e) {
            assertThat(e.getMessage()).startsWith("fuzz.trace:");
        }
    }
}

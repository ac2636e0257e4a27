package org.ptlab.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.ptlab.arch.Sizes;

/**
 * Fuzz tests of every parser of user input: whatever the input, a parser either succeeds or throws
 * IllegalArgumentException with a message (for files: naming the file and line); nothing else
 * escapes. `mvn verify` replays the corpus in src/test/resources (regression mode);
 * `JAZZER_FUZZ=1 mvn -pl ptlab-core test -Dtest=ParserFuzzTest` fuzzes for real.
 */
class ParserFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void iomem(FuzzedDataProvider d) {
        String text = d.consumeRemainingAsString();
        try {
            MemoryLayout m = Iomem.parse(text, "fuzz/iomem");
            assertThat(m.memory()).isNotEmpty();
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("fuzz/iomem:").doesNotContain("\n");
        }
    }

    @FuzzTest(maxDuration = "30s")
    void cmdline(FuzzedDataProvider d) {
        KernelConfig cfg = new KernelConfig();
        cfg.version = KernelVersion.values()[d.consumeInt(0, 2)];
        String line = d.consumeRemainingAsString();
        assertThat(Cmdline.apply(line, cfg)).allSatisfy(w -> assertThat(w).doesNotContain("\n"));
        assertThat(cfg.rodata).isNotNull();
    }

    @FuzzTest(maxDuration = "30s")
    void memmapAndSizes(FuzzedDataProvider d) {
        String a = d.consumeString(64);
        String b = d.consumeRemainingAsString();
        try {
            long v = Sizes.parse(a);
            assertThat(v).isNotNegative();
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
        try {
            MemoryLayout m = Memmap.parse(b);
            m.validate(4096);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
        }
    }

    @FuzzTest(maxDuration = "30s")
    void cpu(FuzzedDataProvider d) {
        try {
            Cpu c = Cpu.parse(d.consumeRemainingAsString());
            assertThat(c.name()).isNotNull();
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @FuzzTest(maxDuration = "30s")
    void buildConfig(FuzzedDataProvider d) {
        try {
            BuildConfig b = BuildConfig.parse(d.consumeRemainingAsString(), "fuzz/config");
            KernelConfig cfg = new KernelConfig();
            b.applyTo(cfg);
            assertThat(b.vaBitsActual(false)).isPositive();
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("fuzz/config:").doesNotContain("\n");
        }
    }
}

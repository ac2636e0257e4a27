package org.ptlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepCliTest {
    @Test
    void aSmallSweepWritesItsRowsAndExitsZero(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("s.yaml");
        Files.writeString(spec, "base:\n  run: " + Path.of("..", "scenarios", "seed000-double-count.yaml").toAbsolutePath()
                + "\naxes:\n  account: [exact, seed000-v7]\n  mem: [4G, 8G]\n");
        CliTest.Run r = CliTest.run("sweep", spec.toString(), "--out", dir.resolve("out").toString(), "--quiet");
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("# 4 point(s): 4 run, 0 kept");
        assertThat(Files.readAllLines(dir.resolve("out/results.csv"))).hasSize(5)
                .element(3).asString().startsWith("2,seed000-v7,4G,violation,");
    }

    @Test
    void badInputIsOneLineAndExitTwoWithoutOutput(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("bad.yaml");
        Files.writeString(spec, "base:\n  study: degradation\naxes:\n  mem: [2G]\n  memory: [4G]\n");
        Path out = dir.resolve("out");
        CliTest.Run r = CliTest.run("sweep", spec.toString(), "--out", out.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("ptlab: " + spec + ":5:3: unknown axis key 'memory'").doesNotContain("\n");
        assertThat(out).doesNotExist();

        Files.writeString(spec, "base:\n  study: degradation\naxes:\n  mem: []\n");
        r = CliTest.run("sweep", spec.toString(), "--out", out.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains(":4:8: empty product: axis mem has no values");

        Path ok = Path.of("..", "scenarios", "sweeps", "example.yaml");
        r = CliTest.run("sweep", ok.toString(), "--engine", "spark", "--out", out.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("ptlab: --engine spark: the Spark engine is not on the class path; "
                + "launch with `./ptlab --spark sweep ...` (see README, ptlab-spark)");
        r = CliTest.run("sweep", ok.toString(), "--master", "spark://127.0.0.1:7077", "--out", out.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(out).doesNotExist();
    }
}

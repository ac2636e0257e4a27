package org.ptlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sweep stopped by a signal keeps its completed rows in complete files and leaves no temporary file. */
class SweepInterruptTest {
    @Test
    void aSignalKeepsTheCompletedRowsAndNoPartialFile(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("s.yaml");
        Files.writeString(spec, "base:\n  study: degradation\n  settings: {hours: 24, samples: 3}\naxes:\n  seed: 1..40\n  mem: [1G]\n");
        Path out = dir.resolve("out");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "org.ptlab.cli.Ptlab", "sweep", spec.toString(), "--out", out.toString(),
                "--threads", "1", "--quiet").redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        Path jsonl = out.resolve("results.jsonl");
        long end = System.nanoTime() + 120_000_000_000L;
        while (!(Files.exists(jsonl) && Files.readAllLines(jsonl).size() >= 2) && p.isAlive() && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertThat(p.isAlive()).as("the sweep was still running when its second row arrived").isTrue();
        p.destroy(); // SIGTERM: the same shutdown hooks as Ctrl-C's SIGINT
        assertThat(p.waitFor()).isNotZero();
        List<String> rows = Files.readAllLines(jsonl);
        assertThat(rows.size()).isBetween(2, 39);
        for (int i = 0; i < rows.size(); i++) {
            assertThat(rows.get(i)).startsWith("{\"point\":" + i + ",\"seed\":\"" + (i + 1) + "\",\"mem\":\"1G\",\"verdict\":\"ok\"").endsWith("}");
        }
        assertThat(Files.readAllLines(out.resolve("results.csv"))).hasSize(rows.size() + 1);
        try (var st = Files.list(out)) {
            assertThat(st.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("results.jsonl", "results.csv");
        }
    }
}

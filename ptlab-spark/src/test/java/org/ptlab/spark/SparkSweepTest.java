package org.ptlab.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ptlab.report.ProgressReporter;
import org.ptlab.report.SweepRunner;
import org.ptlab.sweep.Engine;
import org.ptlab.sweep.EngineSettings;
import org.ptlab.sweep.Engines;
import org.ptlab.sweep.LocalEngine;
import org.ptlab.sweep.SweepSpec;

/** The Spark engine gives the local engine's rows byte for byte (issue 15). One Spark context for the whole class. */
class SparkSweepTest {
    static final Path SWEEPS = Path.of("..", "scenarios", "sweeps");
    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    static SweepRunner.Outcome sweep(Engine e, String file, Path out) throws Exception {
        return SweepRunner.run(SweepSpec.load(SWEEPS.resolve(file)), e, out, false, n -> ProgressReporter.silent(), QUIET);
    }

    @Test
    void theExampleSweepAndASeed001CampaignGiveIdenticalRowsOnLocalAndSparkLocal2(@TempDir Path dir) throws Exception {
        try (Engine local = new LocalEngine(2)) {
            sweep(local, "example.yaml", dir.resolve("local"));
            sweep(local, "campaign-seed001.yaml", dir.resolve("local-campaign"));
        }
        SweepRunner.Outcome s;
        SweepRunner.Outcome c;
        try (Engine spark = Engines.open("spark", new EngineSettings("local[2]", 0))) {
            assertThat(spark.describe()).startsWith("spark local[2] (Spark 4.2.0");
            s = sweep(spark, "example.yaml", dir.resolve("spark"));
            c = sweep(spark, "campaign-seed001.yaml", dir.resolve("spark-campaign"));
        }
        assertThat(s.rows()).hasSize(12);
        assertThat(s.errors()).isZero();
        for (String f : new String[] {"results.csv", "results.jsonl"}) {
            assertThat(Files.readString(dir.resolve("spark").resolve(f))).isEqualTo(Files.readString(dir.resolve("local").resolve(f)));
            assertThat(Files.readString(dir.resolve("spark-campaign").resolve(f)))
                    .isEqualTo(Files.readString(dir.resolve("local-campaign").resolve(f)));
        }
        assertThat(c.merged().verdict()).isEqualTo("VIOLATION");
        assertThat(Files.readString(dir.resolve("spark-campaign/counterexample.txt")))
                .isEqualTo(Files.readString(dir.resolve("local-campaign/counterexample.txt")));
    }

    @Test
    void aMalformedOrUnreachableMasterIsBadInput() throws Exception {
        int port;
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0)) {
            port = ss.getLocalPort(); // closed again: nobody listens there
        }
        String url = "spark://127.0.0.1:" + port;
        assertThatThrownBy(() -> SparkEngine.open(url)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--master " + url + ": cannot reach the Spark master (");
        assertThatThrownBy(() -> SparkEngine.open("yarn")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--master yarn: expected local[N], local[*] or spark://HOST:PORT");
    }
}

package org.ptlab.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ptlab.report.ProgressReporter;
import org.ptlab.report.SweepRunner;
import org.ptlab.sweep.Engine;
import org.ptlab.sweep.LocalEngine;
import org.ptlab.sweep.SweepSpec;

/**
 * A real standalone Spark cluster on 127.0.0.1: a master and one worker, each its own JVM started
 * from Spark's main classes on this test's class path (no Spark distribution). The worker launches
 * executors as further JVMs; they find the ptlab and Spark classes through SPARK_DIST_CLASSPATH
 * (Spark's launcher appends it to an executor's class path) with an empty SPARK_HOME/jars.
 */
class StandaloneClusterTest {
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Process start(Path home, String name, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-cp",
                System.getProperty("java.class.path")));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(home.resolve(name + ".log").toFile());
        Map<String, String> env = pb.environment();
        env.put("SPARK_HOME", home.toString());
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_DIST_CLASSPATH", classPathAbsolute());
        return pb.start();
    }

    static String classPathAbsolute() {
        List<String> l = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            l.add(Path.of(e).toAbsolutePath().toString());
        }
        return String.join(File.pathSeparator, l);
    }

    static void await(String what, java.util.function.BooleanSupplier ok, Path log) throws Exception {
        long end = System.nanoTime() + 120_000_000_000L;
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError(what + " did not come up; log:\n" + Files.readString(log));
            }
            Thread.sleep(200);
        }
    }

    @Test
    void aSweepOnAMasterAndAWorkerOnLoopbackGivesTheLocalRows(@TempDir Path dir) throws Exception {
        Path home = dir.resolve("spark-home");
        Files.createDirectories(home.resolve("jars"));
        int port = freePort();
        String spec = "base:\n  run: " + Path.of("..", "scenarios", "seed000-double-count.yaml").toAbsolutePath()
                + "\naxes:\n  account: [exact, seed000-v7]\n  mem: [4G, 6G]\n";
        SweepSpec s = SweepSpec.parse(spec, "cluster.yaml", null);
        SweepRunner.Outcome local;
        try (Engine e = new LocalEngine(2)) {
            local = SweepRunner.run(s, e, dir.resolve("local"), false, n -> ProgressReporter.silent(), SparkSweepTest.QUIET);
        }
        int ui = freePort();
        Process master = start(home, "master", List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                Integer.toString(port), "--webui-port", Integer.toString(ui)));
        Process worker = null;
        try {
            await("the master", () -> {
                try (Socket so = new Socket("127.0.0.1", port)) {
                    return true;
                } catch (IOException x) {
                    return false;
                }
            }, home.resolve("master.log"));
            worker = start(home, "worker", List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "2",
                    "--memory", "1g", "--webui-port", Integer.toString(freePort()), "--work-dir", home.resolve("work").toString(),
                    "spark://127.0.0.1:" + port));
            await("the worker's registration", () -> {
                // the master's status page in JSON counts the workers registered with it
                try (java.io.InputStream in = java.net.URI.create("http://127.0.0.1:" + ui + "/json/").toURL().openStream()) {
                    return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).matches("(?s).*\"aliveworkers\"\\s*:\\s*1.*");
                } catch (IOException x) {
                    return false;
                }
            }, home.resolve("worker.log"));
            SweepRunner.Outcome cluster;
            try (Engine e = SparkEngine.open("spark://127.0.0.1:" + port)) {
                cluster = SweepRunner.run(s, e, dir.resolve("cluster"), false, n -> ProgressReporter.silent(), SparkSweepTest.QUIET);
            }
            assertThat(cluster.rows()).hasSize(4);
            assertThat(cluster.errors()).isZero();
            assertThat(Files.readString(dir.resolve("cluster/results.csv"))).isEqualTo(Files.readString(dir.resolve("local/results.csv")));
            assertThat(Files.readString(dir.resolve("cluster/results.jsonl"))).isEqualTo(Files.readString(dir.resolve("local/results.jsonl")));
            // the rows were computed by an executor JVM the worker launched (its directory under the work dir)
            try (var apps = Files.list(home.resolve("work"))) {
                assertThat(apps.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("app-"));
            }
            assertThat(local.rows()).extracting(r -> r.verdict()).containsExactly("ok", "ok", "violation", "violation");
        } finally {
            if (worker != null) {
                worker.destroy();
                worker.waitFor();
            }
            master.destroy();
            master.waitFor();
        }
    }
}

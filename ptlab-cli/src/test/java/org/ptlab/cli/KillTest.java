package org.ptlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ptlab.io.OutputFiles;

/**
 * Every file-writing command killed at a random moment (seeded, printed), as a child JVM
 * ({@code java -cp ... org.ptlab.cli.Ptlab}): after SIGINT no temporary file is left and the output
 * is the old file or the complete new one; after SIGKILL the output is the old file or the complete
 * new one (a multi-file set: its manifest matches, or is missing, which marks it incomplete).
 * {@code -Dptlab.kills=N} runs N kills (default 6, a few seconds); {@code -Dptlab.killSeed=S}
 * changes the seed. The long campaign is ptlab-bench/campaign.sh.
 */
class KillTest {
    @TempDir
    Path tmp;

    static final String OLD = "old content\n";

    /** One file-writing command: its arguments, given the output folder; and its outputs. */
    record Cmd(String name, List<String> args, String output, boolean set) {}

    List<Cmd> commands(Path out, Path lackey) {
        String sc = Path.of("../scenarios/seed000-double-count.yaml").toAbsolutePath().toString();
        String tr = Path.of("../ptlab-core/src/test/resources/traces/arm64-module-bpf-secretmem.trace").toAbsolutePath().toString();
        return List.of(
                new Cmd("run --report", List.of("run", sc, "--report", out.resolve("r.html").toString()), "r.html", false),
                new Cmd("compare --report", List.of("compare", sc, "--variants", "account=seed000-v7,account=exact", "--report",
                        out.resolve("c.html").toString()), "c.html", false),
                new Cmd("trace --to-scenario", List.of("trace", tr, "--mem", "8G", "--to-scenario", out.resolve("t.yaml").toString()),
                        "t.yaml", false),
                new Cmd("tlb-study convert", List.of("tlb-study", "convert", lackey.toString(), out.resolve("t.ptltrc").toString()),
                        "t.ptltrc", false),
                new Cmd("study degradation --out", List.of("study", "degradation", "--mem", "1G", "--set", "hours=1", "--set", "samples=4",
                        "--variants", "none", "--jobs", "1", "--out", out.resolve("s").toString()), "s", true));
    }

    static Path lackey(Path dir) throws IOException {
        Path f = dir.resolve("big.lackey");
        StringBuilder b = new StringBuilder();
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 400_000; i++) {
            b.append(i % 3 == 0 ? "I  " : " L ").append(Long.toHexString(0x4000000L + r.nextInt(1 << 26))).append(",8\n");
        }
        Files.writeString(f, b.toString());
        return f;
    }

    @Test
    void killedCommandsLeaveNoTemporaryAndOldOrCompleteOutput() throws Exception {
        int kills = Integer.getInteger("ptlab.kills", 6);
        long seed = Long.getLong("ptlab.killSeed", 16);
        System.out.println("KillTest: " + kills + " kills, seed " + seed + " (-Dptlab.kills=N -Dptlab.killSeed=S)");
        SplittableRandom rnd = new SplittableRandom(seed);
        Path lackey = lackey(tmp);
        for (int k = 0; k < kills; k++) {
            Path out = Files.createDirectories(tmp.resolve("out" + k));
            List<Cmd> cmds = commands(out, lackey);
            Cmd c = cmds.get(rnd.nextInt(cmds.size()));
            boolean sigint = k % 2 == 0;
            long delay = 300 + rnd.nextInt(2500);
            prepareOld(out, c);
            Path errFile = tmp.resolve("err" + k + ".txt");
            Process p = start(c.args(), errFile);
            Thread.sleep(delay);
            boolean exited = !p.isAlive();
            if (!exited) {
                if (sigint) {
                    new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
                } else {
                    p.destroyForcibly();
                }
            }
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(c.name() + " ended").isTrue();
            String err = Files.readString(errFile, StandardCharsets.UTF_8);
            System.out.printf("KillTest: %-26s %s after %4d ms%s -> exit %d%n", c.name(), sigint ? "SIGINT " : "SIGKILL", delay,
                    exited ? " (had already ended)" : "", p.exitValue());
            assertThat(err).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception in thread");
            if (sigint || exited) {
                assertThat(temporaries(out)).as(c.name() + ": temporaries after " + (exited ? "exit" : "SIGINT")).isEmpty();
            }
            assertOldOrComplete(out, c);
        }
    }

    static Process start(List<String> args, Path errFile) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "org.ptlab.cli.Ptlab"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(errFile.toFile());
        pb.environment().put("PTLAB_PROGRESS", "plain");
        return pb.start();
    }

    static void prepareOld(Path out, Cmd c) throws IOException {
        if (c.set()) {
            Path d = Files.createDirectories(out.resolve(c.output()));
            OutputFiles.writeSet(d, StudyCommand.Degradation.MANIFEST, java.util.Map.of(
                    "degradation.csv", os -> os.write(OLD.getBytes(StandardCharsets.UTF_8)),
                    "degradation.png", os -> os.write(OLD.getBytes(StandardCharsets.UTF_8)),
                    "degradation.svg", os -> os.write(OLD.getBytes(StandardCharsets.UTF_8))));
        } else {
            Files.writeString(out.resolve(c.output()), OLD);
        }
    }

    static List<Path> temporaries(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    static void assertOldOrComplete(Path out, Cmd c) throws IOException {
        Path f = out.resolve(c.output());
        if (c.set()) {
            Path m = f.resolve(StudyCommand.Degradation.MANIFEST);
            // complete (old or new): the manifest matches; otherwise the manifest is gone: visibly incomplete
            assertThat(!Files.exists(m) || OutputFiles.verifySet(f, StudyCommand.Degradation.MANIFEST)).as(c.name() + ": set complete or"
                    + " marked incomplete").isTrue();
            return;
        }
        byte[] b = Files.readAllBytes(f);
        String s = new String(b, StandardCharsets.ISO_8859_1);
        if (s.equals(OLD)) {
            return;
        }
        switch (c.output()) {
            case "r.html", "c.html" -> assertThat(s).as(c.name() + ": complete report").endsWith("</html>\n");
            case "t.yaml" -> assertThat(s).as(c.name()).contains("steps:").endsWith("\n");
            default -> {
                assertThat(s).startsWith("PTLTRC1\n");
                long n = 0;
                try (InputStream in = Files.newInputStream(f);
                        org.ptlab.source.BinaryTrace.Reader r = new org.ptlab.source.BinaryTrace.Reader(in, f.toString())) {
                    long[] va = new long[4096];
                    byte[] ty = new byte[4096];
                    int k;
                    while ((k = r.next(va, ty, va.length)) > 0) {
                        n += k;
                    }
                }
                assertThat(n).as(c.name() + ": complete trace").isEqualTo(266_666);
            }
        }
    }
}

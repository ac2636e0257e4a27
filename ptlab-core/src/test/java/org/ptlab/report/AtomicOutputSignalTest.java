package org.ptlab.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real process killed with SIGTERM (what Ctrl-C's SIGINT does to a JVM too: shutdown hooks run)
 * while it is writing an output file leaves neither the output nor its temporary behind.
 */
class AtomicOutputSignalTest {
    @TempDir
    Path dir;

    /** The child: starts writing dir/out.html, writes half, then waits to be killed. */
    public static final class Child {
        public static void main(String[] args) {
            AtomicOutput.write(Path.of(args[0]), w -> {
                w.write("<!DOCTYPE html>\n<p>half a report");
                w.flush();
                Files.writeString(Path.of(args[1]), "writing");
                try {
                    Thread.sleep(600_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    private List<String> names() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void killedWriterLeavesNoPartialFile() throws Exception {
        Path out = dir.resolve("out.html");
        Path flag = dir.resolve("flag");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Child.class.getName(),
                out.toString(), flag.toString()).redirectErrorStream(true).redirectOutput(new File("/dev/null")).start();
        try {
            // wait until the child is in the middle of writing (its temporary exists beside the flag)
            for (int i = 0; i < 600 && !Files.exists(flag); i++) {
                Thread.sleep(100);
            }
            assertThat(flag).exists();
            assertThat(names()).hasSize(2).anySatisfy(n -> assertThat(n).startsWith(".out.html.").endsWith(".tmp"));
        } finally {
            p.destroy(); // SIGTERM: the JVM runs its shutdown hooks
            p.waitFor(60, TimeUnit.SECONDS);
        }
        assertThat(names()).containsExactly("flag");
        assertThat(out).doesNotExist();
    }
}

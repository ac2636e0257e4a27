package org.ptlab.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicOutputTest {
    @TempDir
    Path dir;

    private long filesIn(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }

    @Test
    void writesWholeFileAndLeavesNoTemporary() throws Exception {
        Path out = dir.resolve("r.html");
        AtomicOutput.writeString(out, "one");
        AtomicOutput.writeString(out, "two");
        assertThat(Files.readString(out)).isEqualTo("two");
        assertThat(filesIn(dir)).isEqualTo(1);
        assertThat(AtomicOutput.pending()).isEmpty();
    }

    @Test
    void failureHalfwayKeepsTheOldFileAndDeletesTheTemporary() throws Exception {
        Path out = dir.resolve("r.json");
        AtomicOutput.writeString(out, "old");
        assertThatThrownBy(() -> AtomicOutput.write(out, w -> {
            w.write("partial new content");
            throw new IllegalStateException("interrupted");
        })).hasMessage("interrupted");
        assertThat(Files.readString(out)).isEqualTo("old");
        assertThat(filesIn(dir)).isEqualTo(1);
    }

    @Test
    void shutdownHookDeletesAnUncommittedTemporary() throws Exception {
        // what Ctrl-C during a write leaves: a temporary registered, not yet renamed
        Path out = dir.resolve("big.html");
        Path tmp = AtomicOutput.begin(out);
        Files.writeString(tmp, "half a report");
        assertThat(AtomicOutput.pending()).contains(tmp);
        AtomicOutput.deletePending();
        assertThat(tmp).doesNotExist();
        assertThat(out).doesNotExist();
        assertThat(filesIn(dir)).isZero();
    }

    @Test
    void unwritableDirectoryIsOneLineInputError() {
        Path out = dir.resolve("no/such/dir/r.html");
        assertThatThrownBy(() -> AtomicOutput.writeString(out, "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot write " + out)
                .hasMessageNotContaining("\n");
    }
}

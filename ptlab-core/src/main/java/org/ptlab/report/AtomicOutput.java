package org.ptlab.report;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Output files written atomically: the content goes to a temporary file next to the target, which
 * is renamed over the target only once it is complete. A reader therefore sees the old file or the
 * new one, never a partial one. A JVM shutdown hook (Ctrl-C, SIGTERM) deletes every temporary file
 * still open, so an interrupted run leaves no partial output behind.
 */
public final class AtomicOutput {
    private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(AtomicOutput::deletePending, "ptlab-atomic-output-cleanup"));
    }

    private AtomicOutput() {}

    /** Writes the whole content. */
    @FunctionalInterface
    public interface Body {
        void write(Writer w) throws IOException;
    }

    /** Write text atomically to target (UTF-8). */
    public static void writeString(Path target, String text) {
        write(target, w -> w.write(text));
    }

    /** Write through a Writer atomically to target (UTF-8); on any failure the target is untouched. */
    public static void write(Path target, Body body) {
        Path tmp = begin(target);
        try {
            try (OutputStream os = Files.newOutputStream(tmp);
                    Writer w = new java.io.BufferedWriter(new java.io.OutputStreamWriter(os, StandardCharsets.UTF_8))) {
                body.write(w);
            }
            commit(tmp, target);
        } catch (IOException e) {
            abort(tmp);
            throw new IllegalArgumentException("cannot write " + target + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            abort(tmp);
            throw e;
        }
    }

    /** Writes the whole content as bytes (images). */
    @FunctionalInterface
    public interface BinaryBody {
        void write(OutputStream os) throws IOException;
    }

    /** Write bytes atomically to target; on any failure the target is untouched. */
    public static void writeBytes(Path target, BinaryBody body) {
        Path tmp = begin(target);
        try {
            try (OutputStream os = new java.io.BufferedOutputStream(Files.newOutputStream(tmp))) {
                body.write(os);
            }
            commit(tmp, target);
        } catch (IOException e) {
            abort(tmp);
            throw new IllegalArgumentException("cannot write " + target + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            abort(tmp);
            throw e;
        }
    }

    /** Create the temporary file for target and register it for deletion at shutdown. */
    static Path begin(Path target) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        try {
            Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
            PENDING.add(tmp);
            try {
                // createTempFile makes the file private; an output file gets the usual rw-r--r--
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: keep the default
            }
            return tmp;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("cannot write " + target + ": no such directory " + dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + target + ": " + e.getMessage());
        }
    }

    static void commit(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        PENDING.remove(tmp);
    }

    static void abort(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // best effort: the shutdown hook tries again
            return;
        }
        PENDING.remove(tmp);
    }

    /** Temporary files not yet committed (for tests). */
    static Set<Path> pending() {
        return PENDING;
    }

    /** What the shutdown hook does: delete every uncommitted temporary file. */
    static void deletePending() {
        for (Path p : PENDING.toArray(new Path[0])) {
            abort(p);
        }
    }
}

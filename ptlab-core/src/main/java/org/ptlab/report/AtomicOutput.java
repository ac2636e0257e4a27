package org.ptlab.report;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.ptlab.io.OutputFiles;

/**
 * Output files written atomically (the reports' and commands' entry point to {@link OutputFiles}):
 * the content goes to a temporary file next to the target, renamed over the target only once it is
 * complete, so a reader sees the old file or the new one, never a partial one; a shutdown hook
 * (Ctrl-C, SIGTERM) deletes every temporary file still open. Multi-file outputs go through
 * {@link #writeSet} (files renamed into place, a manifest written last). Commands check every
 * output path with {@link #checkFile} / {@link #checkDir} before their work starts.
 */
public final class AtomicOutput {
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
        OutputFiles.write(target, os -> {
            Writer w = new OutputStreamWriter(os, StandardCharsets.UTF_8);
            body.write(w);
            w.flush();
        });
    }

    /** Write bytes atomically through a stream. */
    public static void writeBytes(Path target, OutputFiles.Body body) {
        OutputFiles.write(target, body);
    }

    /** A set of files in one folder, manifest last (see {@link OutputFiles#writeSet}). */
    public static void writeSet(Path dir, String manifestName, Map<String, OutputFiles.Body> files) {
        OutputFiles.writeSet(dir, manifestName, files);
    }

    /** Check before the work that a file can be written at target (null: nothing to check). */
    public static void checkFile(Path target) {
        if (target != null) {
            OutputFiles.checkFile(target);
        }
    }

    /** Check before the work that dir is, or can be created as, a folder. */
    public static void checkDir(Path dir) {
        if (dir != null) {
            OutputFiles.checkDir(dir);
        }
    }

    static Path begin(Path target) {
        return OutputFiles.temp(target);
    }

    static void commit(Path tmp, Path target) throws IOException {
        OutputFiles.commit(tmp, target);
    }

    static void abort(Path tmp) {
        OutputFiles.abort(tmp);
    }

    /** Temporary files not yet committed (for tests). */
    static Set<Path> pending() {
        return OutputFiles.pending();
    }

    /** What the shutdown hook does: delete every uncommitted temporary file. */
    static void deletePending() {
        OutputFiles.deletePending();
    }
}

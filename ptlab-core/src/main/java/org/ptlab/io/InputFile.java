package org.ptlab.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The one way a user's input file is opened. Every parser of user files (scenarios, explorer
 * scenarios, schedules, /proc/iomem, core YAML, ftrace text, access traces) reads through here, so
 * every file is refused the same way and quickly:
 * <ul>
 *   <li>{@code FILE: no such file}, {@code FILE: is a directory}, {@code FILE: not a regular file}
 *       (a device such as /dev/zero, a FIFO), {@code FILE: is empty};
 *   <li>a size cap per {@link Kind} (checked on the file's size before reading, and again while
 *       reading), raised for every kind by {@link #raiseLimit} ({@code ptlab --max-input SIZE});
 *   <li>strict UTF-8 for text: a bad byte is {@code FILE:LINE:COLUMN: invalid UTF-8 (byte 0xNN)}.
 * </ul>
 * Every refusal is an {@link InputException} (an IllegalArgumentException: bad input, exit 2).
 */
public final class InputFile {
    private InputFile() {}

    /** Kinds of input with their size caps. */
    public enum Kind {
        SCENARIO("a scenario file", 1L << 20),
        EXPLORE_SCENARIO("an explorer scenario file", 1L << 20),
        SCHEDULE("a schedule file", 1L << 20),
        IOMEM("a /proc/iomem file", 1L << 20),
        CORE_YAML("a core configuration", 1L << 20),
        FTRACE("an ftrace text", 64L << 20),
        /** Streamed (lackey text, ptlab binary): no total cap, but a cap on one line of text. */
        TRACE("an access trace", Long.MAX_VALUE);

        public final String label;
        public final long defaultLimit;

        Kind(String label, long defaultLimit) {
            this.label = label;
            this.defaultLimit = defaultLimit;
        }

        /** The cap in force: the default, or the raised limit if larger. */
        public long limit() {
            return Math.max(defaultLimit, raised);
        }
    }

    /** The longest line a streamed text trace may have (a lackey line is under 40 bytes). */
    public static final int MAX_TRACE_LINE = 4096;

    private static volatile long raised;

    /** Raise every kind's cap to at least bytes (ptlab --max-input). */
    public static void raiseLimit(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("expected a size above zero");
        }
        raised = bytes;
    }

    /** A refused input: one line naming the file (and line and column where known). */
    public static final class InputException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public InputException(String message) {
            super(message);
        }
    }

    /** Check that p names a non-empty regular file within kind's cap; returns its size. */
    public static long check(Path p, Kind kind) {
        String f = p.toString();
        if (!Files.exists(p)) {
            throw new InputException(f + ": no such file");
        }
        if (Files.isDirectory(p)) {
            throw new InputException(f + ": is a directory, expected " + kind.label);
        }
        if (!Files.isRegularFile(p)) {
            throw new InputException(f + ": not a regular file (a device or a pipe?), expected " + kind.label);
        }
        if (!Files.isReadable(p)) {
            throw new InputException(f + ": cannot read (permission denied)");
        }
        long size;
        try {
            size = Files.size(p);
        } catch (IOException e) {
            throw new InputException(f + ": cannot read: " + e.getMessage());
        }
        if (size == 0) {
            throw new InputException(f + ": is empty, expected " + kind.label);
        }
        if (size > kind.limit()) {
            throw tooLarge(f, kind, size);
        }
        return size;
    }

    private static InputException tooLarge(String f, Kind kind, long size) {
        return new InputException(String.format(Locale.ROOT, "%s: %s is over the %s limit for %s (raise it with ptlab --max-input SIZE)",
                f, size < 0 ? "the file" : human(size), human(kind.limit()), kind.label));
    }

    /** Read a whole text file of the given kind as strict UTF-8 (a BOM is dropped). */
    public static String readText(Path p, Kind kind) {
        check(p, kind);
        byte[] bytes;
        try (InputStream in = Files.newInputStream(p)) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, kind.limit() + 1));
        } catch (NoSuchFileException e) {
            throw new InputException(p + ": no such file");
        } catch (IOException e) {
            throw new InputException(p + ": cannot read: " + e.getMessage());
        }
        if (bytes.length > kind.limit()) {
            throw tooLarge(p.toString(), kind, -1);
        }
        return decode(bytes, p.toString());
    }

    /** Decode bytes as strict UTF-8; a bad byte is FILE:LINE:COLUMN (column in characters, 1-based). */
    public static String decode(byte[] bytes, String file) {
        int off = 0;
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf) {
            off = 3;
        }
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, off, bytes.length - off);
        CharBuffer out = CharBuffer.allocate(bytes.length - off);
        CoderResult r = d.decode(in, out, true);
        if (r.isError()) {
            throw badByte(bytes, off, in.position(), file);
        }
        r = d.flush(out);
        if (r.isError()) {
            throw badByte(bytes, off, in.position(), file);
        }
        out.flip();
        return out.toString();
    }

    private static InputException badByte(byte[] b, int start, int pos, String file) {
        int line = 1;
        int lineStart = start;
        for (int i = start; i < pos; i++) {
            if (b[i] == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        // column in characters: decode the valid part of the line before the bad byte
        String before = new String(b, lineStart, pos - lineStart, StandardCharsets.UTF_8);
        int col = before.codePointCount(0, before.length()) + 1;
        return new InputException(String.format(Locale.ROOT, "%s:%d:%d: invalid UTF-8 (byte 0x%02x): expected UTF-8 text", file, line, col,
                b[pos] & 0xff));
    }

    /**
     * Open a streamed input (an access trace): checked as above, decompressed when the name ends in
     * .gz; the stream is buffered.
     */
    public static InputStream open(Path p, Kind kind) throws IOException {
        check(p, kind);
        InputStream is = Files.newInputStream(p);
        try {
            if (p.toString().endsWith(".gz")) {
                try {
                    is = new java.util.zip.GZIPInputStream(is, 1 << 16);
                } catch (java.util.zip.ZipException | java.io.EOFException e) {
                    throw new InputException(p + ": not a gzip file: " + e.getMessage());
                }
            }
            return new BufferedInputStream(is, 1 << 16);
        } catch (IOException | RuntimeException e) {
            is.close();
            throw e;
        }
    }

    /** A size in the largest unit that divides it (or one decimal of it). */
    static String human(long b) {
        String[] u = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = b;
        int i = 0;
        while (v >= 1024 && i < u.length - 1) {
            v /= 1024;
            i++;
        }
        return i == 0 ? b + " bytes" : (v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f %s", v, u[i]) : String.format(Locale.ROOT, "%.1f %s", v, u[i]));
    }
}

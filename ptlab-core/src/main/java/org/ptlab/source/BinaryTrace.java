package org.ptlab.source;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.ptlab.hw.HwModel;

/**
 * ptlab's compact binary trace. Layout: the 8-byte magic {@code "PTLTRC1\n"}, an unsigned LEB128
 * varint with the instruction count (0 if unknown), then one record per access: an unsigned LEB128
 * varint of {@code zigzag(va - previousVa) << 2 | type} (type 0 load, 1 store, 2 instruction
 * fetch). Sequential and local traces take one or two bytes per access.
 */
public final class BinaryTrace {
    private BinaryTrace() {}

    public static final byte[] MAGIC = "PTLTRC1\n".getBytes(StandardCharsets.US_ASCII);

    /** Write a whole trace to a file atomically (temp file + rename); returns accesses written. */
    public static long write(AccessTrace src, Path out) throws IOException {
        org.ptlab.io.OutputFiles.checkFile(out);
        // The instruction count is known only at the end: the records go to a registered temporary
        // file first (deleted on any failure and by the Ctrl-C hook), then header + records are
        // written atomically to out.
        Path body = org.ptlab.io.OutputFiles.temp(out.resolveSibling(out.getFileName() + ".body"));
        long[] n = new long[1];
        try {
            try (OutputStream bs = new BufferedOutputStream(Files.newOutputStream(body, java.nio.file.StandardOpenOption.WRITE,
                    java.nio.file.StandardOpenOption.TRUNCATE_EXISTING), 1 << 16)) { // no CREATE: see OutputFiles
                n[0] = writeRecords(src, bs);
            }
            if (n[0] == 0) {
                throw new org.ptlab.io.InputFile.InputException("no accesses: expected a trace with at least one access");
            }
            org.ptlab.io.OutputFiles.write(out, os -> {
                os.write(MAGIC);
                writeVarint(os, src.instructions());
                Files.copy(body, os);
            });
        } finally {
            org.ptlab.io.OutputFiles.abort(body);
        }
        return n[0];
    }

    /** Write header and records to a stream (instruction count given up front). */
    public static long write(AccessTrace src, OutputStream os, long instructions) throws IOException {
        os.write(MAGIC);
        writeVarint(os, instructions);
        return writeRecords(src, os);
    }

    private static long writeRecords(AccessTrace src, OutputStream os) throws IOException {
        long[] va = new long[4096];
        byte[] ty = new byte[4096];
        long prev = 0;
        long n = 0;
        int k;
        while ((k = src.next(va, ty, va.length)) > 0) {
            for (int i = 0; i < k; i++) {
                long d = va[i] - prev;
                prev = va[i];
                long z = (d << 1) ^ (d >> 63);
                // zigzag value uses 64 bits; the type takes two more, so write the high bits separately
                writeVarint2(os, z, ty[i] & 3);
            }
            n += k;
        }
        return n;
    }

    /** varint of (z << 2 | t) where z may use all 64 bits: emit the 66-bit value 7 bits at a time. */
    private static void writeVarint2(OutputStream os, long z, int t) throws IOException {
        long lo = z << 2 | t;
        long hi = z >>> 62;
        while (hi != 0 || (lo & ~0x7fL) != 0) {
            os.write((int) (lo & 0x7f) | 0x80);
            lo = (lo >>> 7) | (hi << 57);
            hi >>>= 7;
        }
        os.write((int) lo);
    }

    static void writeVarint(OutputStream os, long v) throws IOException {
        while ((v & ~0x7fL) != 0) {
            os.write((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        os.write((int) v);
    }

    /** Open a binary trace for reading. */
    public static Reader open(Path file) throws IOException {
        return new Reader(org.ptlab.io.InputFile.open(file, org.ptlab.io.InputFile.Kind.TRACE), file.toString());
    }

    /** Open a trace by content: ptlab binary if it starts with the magic, else lackey text. */
    public static AccessTrace openAny(Path file, boolean replayIfetch) throws IOException {
        InputStream b = org.ptlab.io.InputFile.open(file, org.ptlab.io.InputFile.Kind.TRACE);
        b.mark(MAGIC.length);
        byte[] head = b.readNBytes(MAGIC.length);
        b.reset();
        if (java.util.Arrays.equals(head, MAGIC)) {
            return new Reader(b, file.toString());
        }
        return new LackeyReader(b, file.toString(), replayIfetch);
    }

    /** Reads a binary trace; malformed input is an IllegalArgumentException naming file and offset. */
    public static final class Reader implements AccessTrace {
        private final InputStream in;
        private final String where;
        private final long instructions;
        private long offset;
        private long prev;
        private final byte[] buf = new byte[1 << 16];
        private int pos;
        private int lim;

        public Reader(InputStream in, String where) throws IOException {
            this.in = in instanceof BufferedInputStream ? in : in;
            this.where = where;
            for (int i = 0; i < MAGIC.length; i++) {
                int b = read();
                if (b < 0) {
                    throw new IllegalArgumentException(where + ": not a ptlab binary trace: too short for the header");
                }
                if (b != (MAGIC[i] & 0xff)) {
                    throw new IllegalArgumentException(where + ": not a ptlab binary trace: bad magic (expected \"PTLTRC1\")");
                }
            }
            long ins = readVarint64(true);
            if (ins < 0) {
                throw new IllegalArgumentException(where + ": truncated header");
            }
            this.instructions = ins;
        }

        private boolean ended;

        /** The header's instruction count once the whole trace has been read (0 before). */
        @Override
        public long instructions() {
            return ended ? instructions : 0;
        }

        /** The instruction count from the header. */
        public long headerInstructions() {
            return instructions;
        }

        private int read() throws IOException {
            if (pos == lim) {
                lim = in.read(buf, 0, buf.length);
                pos = 0;
                if (lim <= 0) {
                    lim = 0;
                    return -1;
                }
            }
            offset++;
            return buf[pos++] & 0xff;
        }

        /** A plain varint (header); -1 at a clean end. */
        private long readVarint64(boolean header) throws IOException {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = read();
                if (b < 0) {
                    if (shift == 0 && !header) {
                        return -1;
                    }
                    throw new IllegalArgumentException(where + ": truncated varint at byte " + offset);
                }
                v |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException(where + ": varint longer than 10 bytes at byte " + offset);
        }

        @Override
        public int next(long[] va, byte[] type, int max) throws IOException {
            int n = 0;
            while (n < max) {
                int b = read();
                if (b < 0) {
                    ended = true;
                    break;
                }
                long lo = b & 0x7f;
                long hi = 0;
                int shift = 7;
                while ((b & 0x80) != 0) {
                    b = read();
                    if (b < 0) {
                        throw new IllegalArgumentException(where + ": truncated record at byte " + offset);
                    }
                    if (shift >= 70) {
                        throw new IllegalArgumentException(where + ": record longer than 10 bytes at byte " + offset);
                    }
                    long part = b & 0x7f;
                    if (shift < 64) {
                        lo |= part << shift;
                        if (shift > 57) {
                            hi |= part >>> (64 - shift);
                        }
                    } else {
                        hi |= part << (shift - 64);
                    }
                    shift += 7;
                }
                int t = (int) (lo & 3);
                if (t == 3) {
                    throw new IllegalArgumentException(where + ": bad access type 3 at byte " + offset);
                }
                long z = (lo >>> 2) | (hi << 62);
                long d = (z >>> 1) ^ -(z & 1);
                prev += d;
                va[n] = prev;
                type[n++] = (byte) t;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}

package org.ptlab.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.ptlab.hw.HwModel;

/**
 * Reads a Valgrind lackey trace ({@code valgrind --tool=lackey --trace-mem=yes prog}): lines
 * {@code "I  addr,size"} (instruction fetch), {@code " L addr,size"} (load), {@code " S addr,size"}
 * (store), {@code " M addr,size"} (modify: a load and a store). Addresses are hex without 0x, sizes
 * decimal. Valgrind's own lines ({@code ==pid== ...}, {@code --pid-- ...}) and blank lines are
 * skipped. Instruction fetches are counted (for MPKI) and, unless asked for, not replayed as data
 * accesses. A {@code .gz} file is decompressed. A malformed line is an IllegalArgumentException
 * naming the file and line.
 */
public final class LackeyReader implements AccessTrace {
    private final InputStream in;
    private final byte[] lineBuf = new byte[org.ptlab.io.InputFile.MAX_TRACE_LINE];
    private final String where;
    private final boolean ifetch;
    private long line;
    private long instructions;
    private boolean pendingStore;
    private long pendingVa;
    private boolean eof;

    public LackeyReader(InputStream in, String where, boolean replayIfetch) {
        this.in = in;
        this.where = where;
        this.ifetch = replayIfetch;
    }

    public static LackeyReader open(Path file, boolean replayIfetch) throws IOException {
        return new LackeyReader(org.ptlab.io.InputFile.open(file, org.ptlab.io.InputFile.Kind.TRACE), file.toString(), replayIfetch);
    }

    @Override
    public long instructions() {
        return instructions;
    }

    @Override
    public int next(long[] va, byte[] type, int max) throws IOException {
        int n = 0;
        while (n < max) {
            if (pendingStore) {
                va[n] = pendingVa;
                type[n++] = HwModel.STORE;
                pendingStore = false;
                continue;
            }
            if (eof) {
                break;
            }
            String s = readLine();
            if (s == null) {
                eof = true;
                break;
            }
            line++;
            int len = s.length();
            if (len == 0 || s.startsWith("==") || s.startsWith("--")) {
                continue;
            }
            int i = 0;
            while (i < len && s.charAt(i) == ' ') {
                i++;
            }
            if (i >= len) {
                continue;
            }
            char op = s.charAt(i);
            byte t;
            switch (op) {
                case 'I': t = HwModel.IFETCH; break;
                case 'L': t = HwModel.LOAD; break;
                case 'S': t = HwModel.STORE; break;
                case 'M': t = HwModel.LOAD; break;
                default: throw bad("expected I, L, S or M, got '" + op + "'");
            }
            i++;
            if (i >= len || s.charAt(i) != ' ') {
                throw bad("expected a blank after '" + op + "'");
            }
            while (i < len && s.charAt(i) == ' ') {
                i++;
            }
            long addr = 0;
            int digits = 0;
            while (i < len) {
                char ch = s.charAt(i);
                int d = Character.digit(ch, 16);
                if (d < 0) {
                    break;
                }
                if (++digits > 16) {
                    throw bad("address longer than 16 hex digits");
                }
                addr = addr << 4 | d;
                i++;
            }
            if (digits == 0) {
                throw bad("expected a hex address");
            }
            if (i >= len || s.charAt(i) != ',') {
                throw bad("expected ',size' after the address");
            }
            i++;
            int size = 0;
            int sd = 0;
            while (i < len && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                size = size * 10 + (s.charAt(i) - '0');
                if (++sd > 6) {
                    throw bad("access size too large");
                }
                i++;
            }
            if (sd == 0) {
                throw bad("expected a decimal size after ','");
            }
            if (i != len && s.substring(i).trim().length() != 0) {
                throw bad("unexpected text after the size");
            }
            if (t == HwModel.IFETCH) {
                instructions++;
                if (!ifetch) {
                    continue;
                }
            }
            va[n] = addr;
            type[n++] = t;
            if (op == 'M') {
                pendingStore = true;
                pendingVa = addr;
            }
        }
        return n;
    }

    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int lim;

    /** One line (without its end), or null at the end; a line longer than the cap is refused. */
    private String readLine() throws IOException {
        int n = 0;
        boolean any = false;
        while (true) {
            if (pos == lim) {
                lim = in.read(buf, 0, buf.length);
                pos = 0;
                if (lim <= 0) {
                    lim = 0;
                    if (!any) {
                        return null;
                    }
                    break;
                }
            }
            any = true;
            byte c = buf[pos++];
            if (c == '\n') {
                break;
            }
            if (n == lineBuf.length) {
                line++;
                throw bad("line longer than " + lineBuf.length + " bytes");
            }
            lineBuf[n++] = c;
        }
        if (n > 0 && lineBuf[n - 1] == '\r') {
            n--;
        }
        return new String(lineBuf, 0, n, StandardCharsets.ISO_8859_1);
    }

    private IllegalArgumentException bad(String what) {
        return new IllegalArgumentException(where + ":" + line + ": not a lackey trace line: " + what);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}

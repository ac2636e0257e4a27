package org.ptlab.arch;

import java.util.Locale;

/** Parsing and printing of byte sizes the way kernel users write them (256G, 512M, 259505132K). */
public final class Sizes {
    private Sizes() {}

    public static final long KIB = 1L << 10;
    public static final long MIB = 1L << 20;
    public static final long GIB = 1L << 30;
    public static final long TIB = 1L << 40;

    /** Short label of a power-of-two size as in DirectMap names: 4K, 64K, 2M, 32M, 1G, 16G. */
    public static String label(long bytes) {
        String[] units = {"K", "M", "G", "T", "P"};
        long v = bytes >> 10;
        int u = 0;
        while (u < units.length - 1 && v >= 1024 && (v & 1023) == 0) {
            v >>= 10;
            u++;
        }
        return v + units[u];
    }

    /**
     * Parse a size: a decimal or 0x-hex number with an optional suffix K, M, G, T, P (binary, any
     * case, optional trailing B or iB). A bare number is bytes.
     *
     * @throws IllegalArgumentException with a message saying what was expected
     */
    public static long parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("expected a size such as 256G, 512M or 4096");
        }
        String s = text.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty size: expected a size such as 256G, 512M or 4096");
        }
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith("0x")) {
            try {
                return Long.parseUnsignedLong(lower.substring(2), 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad size '" + text + "': expected a hex number after 0x");
            }
        }
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("bad size '" + text + "': expected digits followed by K, M, G, T or P");
        }
        String digits = s.substring(0, i);
        String suffix = lower.substring(i);
        if (suffix.endsWith("ib")) {
            suffix = suffix.substring(0, suffix.length() - 2);
        } else if (suffix.endsWith("b") && suffix.length() == 2) {
            suffix = suffix.substring(0, 1);
        } else if (suffix.equals("b")) {
            suffix = "";
        }
        int shift;
        switch (suffix) {
            case "": shift = 0; break;
            case "k": shift = 10; break;
            case "m": shift = 20; break;
            case "g": shift = 30; break;
            case "t": shift = 40; break;
            case "p": shift = 50; break;
            default:
                throw new IllegalArgumentException("bad size '" + text + "': unknown unit '" + s.substring(i)
                        + "', expected K, M, G, T or P");
        }
        long v;
        try {
            v = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad size '" + text + "': number too large");
        }
        if (v != 0 && Long.numberOfLeadingZeros(v) <= shift) {
            throw new IllegalArgumentException("bad size '" + text + "': too large");
        }
        return v << shift;
    }

    /** Human form for reports: exact binary unit when possible, e.g. 1G, 2M, 1536K, 12345 bytes. */
    public static String human(long bytes) {
        if (bytes == 0) {
            return "0";
        }
        if ((bytes & 1023) != 0) {
            return bytes + "B";
        }
        return label(bytes);
    }
}

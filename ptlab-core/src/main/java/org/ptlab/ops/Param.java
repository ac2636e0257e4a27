package org.ptlab.ops;

import java.util.Locale;
import org.ptlab.arch.Sizes;

/**
 * One argument of a call in the {@link Ops} catalogue: its name (the key in a scenario step), its
 * type, and whether it may be left out (then {@link #dflt} is passed). Every value reaches the call
 * as a {@code long}: addresses and sizes as bytes, page counts, flags as 0/1, {@link Type#PROT} as
 * {@link #RO} or {@link #RW}.
 */
public record Param(String name, Type type, boolean optional, long dflt) {
    /** What an argument is. */
    public enum Type {
        /** A kernel virtual address (scenarios: a hex VA, {@code lm+OFFSET}, or a named area). */
        ADDR,
        /** A physical address. */
        PA,
        /** A number of pages (0..2^31-1). */
        PAGES,
        /** A size in bytes ({@code 2M}, {@code 0x200000}). */
        SIZE,
        /** true or false. */
        BOOL,
        /** ro or rw: the permission change of {@code __change_memory_common}. */
        PROT
    }

    /** {@link Type#PROT} values. */
    public static final long RO = 1;
    public static final long RW = 0;

    public static Param req(String name, Type type) {
        return new Param(name, type, false, 0);
    }

    public static Param opt(String name, Type type, long dflt) {
        return new Param(name, type, true, dflt);
    }

    /** The argument as written in a usage line: NAME or [NAME]. */
    public String label() {
        String l = type == Type.PROT ? "ro|rw" : type == Type.BOOL ? name.toUpperCase(Locale.ROOT) + "=true|false" : name.toUpperCase(Locale.ROOT);
        return optional ? "[" + l + "]" : l;
    }

    /**
     * The value of a written argument of any type but {@link Type#ADDR} (whose lm-relative form
     * depends on the machine: the front end resolves it); an IllegalArgumentException naming the
     * argument and what was expected.
     */
    public long parse(String text) {
        String t = text.trim();
        switch (type) {
            case PAGES:
                try {
                    long v = Long.parseLong(t);
                    if (v < 0 || v > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException(name + ": expected 0.." + Integer.MAX_VALUE + " pages, got " + v);
                    }
                    return v;
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(name + ": expected a number of pages, got '" + t + "'");
                }
            case BOOL:
                switch (t.toLowerCase(Locale.ROOT)) {
                    case "true": case "yes": case "on": case "1": return 1;
                    case "false": case "no": case "off": case "0": return 0;
                    default: throw new IllegalArgumentException(name + ": expected true or false, got '" + t + "'");
                }
            case PROT:
                switch (t) {
                    case "ro": return RO;
                    case "rw": return RW;
                    default: throw new IllegalArgumentException(name + ": expected ro or rw, got '" + t + "'");
                }
            default:
                try {
                    return Sizes.parse(t);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(name + ": " + e.getMessage());
                }
        }
    }
}

package org.ptlab.kernel;

/** Return codes of the modelled kernel functions (negated errno values, as in C). */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1;
    public static final int E2BIG = 7;
    public static final int ENOMEM = 12;
    public static final int EEXIST = 17;
    public static final int EBUSY = 16;
    public static final int EINVAL = 22;

    public static String name(int rc) {
        switch (-rc) {
            case 0: return "0";
            case ENOMEM: return "-ENOMEM";
            case EBUSY: return "-EBUSY";
            case EINVAL: return "-EINVAL";
            case EPERM: return "-EPERM";
            case EEXIST: return "-EEXIST";
            case E2BIG: return "-E2BIG";
            default: return Integer.toString(rc);
        }
    }

    /**
     * An errno as written in a scenario or trace ({@code 0}, {@code -EINVAL} or {@code EINVAL},
     * {@code -ENOMEM}, {@code -EBUSY}, {@code -EPERM}, {@code -EEXIST}, {@code -E2BIG}) as the negative value a call returns; an
     * IllegalArgumentException naming what was expected. The one errno parser of every front end.
     */
    /** What {@link #parse} accepts, for error messages. */
    public static final String EXPECTED = "expected 0, -EINVAL, -ENOMEM, -EBUSY, -EPERM, -EEXIST or -E2BIG";

    public static int parse(String text) {
        String s = text.trim();
        String n = s.startsWith("-") ? s.substring(1) : s;
        switch (n) {
            case "0": return 0;
            case "EINVAL": return -EINVAL;
            case "ENOMEM": return -ENOMEM;
            case "EBUSY": return -EBUSY;
            case "EPERM": return -EPERM;
            case "EEXIST": return -EEXIST;
            case "E2BIG": return -E2BIG;
            default: throw new IllegalArgumentException("bad errno '" + s + "': " + EXPECTED);
        }
    }
}

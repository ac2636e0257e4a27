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
}

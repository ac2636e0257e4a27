package org.ptlab.kernel;

/** The kernel's rodata protection mode after command-line parsing. */
public enum Rodata {
    /** rodata_full: the linear alias of read-only vmalloc memory is made read-only too. */
    FULL,
    /** Image protected, linear alias not tracked (6.x "rodata=on", 7.x "rodata=noalias"). */
    NOALIAS,
    /** rodata=off. */
    OFF;

    /**
     * The mode as the release spells it on its command line: before "noalias" existed (6.x, where
     * "on" means image only) NOALIAS is "rodata=on"; otherwise the mode's own name.
     */
    public String label(KernelVersion v) {
        if (this == NOALIAS && !v.rodataOnIsFull()) {
            return "on";
        }
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean full() {
        return this == FULL;
    }

    public boolean enabled() {
        return this != OFF;
    }

    /**
     * ptlab's own --rodata option: full, noalias, off, and "on" meaning what the selected kernel
     * means by it.
     */
    public static Rodata parseOption(String s, KernelVersion v) {
        switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "full": return FULL;
            case "noalias": return NOALIAS;
            case "on": return v.rodataOnIsFull() ? FULL : NOALIAS;
            case "off": return OFF;
            default:
                throw new IllegalArgumentException("bad --rodata '" + s + "': expected full, on, noalias or off");
        }
    }
}

package org.ptlab.check;

/**
 * A broken invariant: its name (e.g. "counters", "cont-group"), a one-line message in kernel terms,
 * and the VA range affected (for a minimal ptdump), or 0/0 when not tied to a range.
 */
public record Violation(String invariant, String message, long start, long end) {
    public Violation(String invariant, String message) {
        this(invariant, message, 0, 0);
    }

    @Override
    public String toString() {
        return invariant + ": " + message;
    }
}

package org.ptlab.hw;

/**
 * A hardware-visible violation found by {@link HwModel}: the kind, the kernel operation during or
 * after which it was seen (with the CPU that ran it), the CPU whose TLB or walk cache holds the
 * offending entry, the VA, and a readable description of the entries involved.
 */
public record Hazard(Kind kind, String op, long opStart, long opEnd, int opCpu, int cpu, long va, String detail) {

    public enum Kind {
        /** A CPU can still translate with older, more permissive attributes after the operation returned. */
        STALE_TRANSLATION,
        /** Two TLB entries of different sizes for one VA on a CPU without BBML2_NOABORT (or possible after a live size change). */
        TLB_CONFLICT,
        /** A walk cache holds a table page that was freed without invalidating it. */
        FREED_TABLE_WALK
    }

    @Override
    public String toString() {
        String o = op == null ? "(no operation)" : String.format("%s [0x%x, 0x%x) on CPU%d", op, opStart, opEnd, opCpu);
        return String.format("%s: CPU%d va 0x%016x after/in %s: %s", kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '),
                cpu, va, o, detail);
    }
}

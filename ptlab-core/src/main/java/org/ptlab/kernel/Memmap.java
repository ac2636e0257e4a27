package org.ptlab.kernel;

import org.ptlab.arch.Sizes;

/**
 * Parses ptlab's {@code --memmap} list: comma-separated physical ranges {@code START-END} (END
 * exclusive, or inclusive when it ends in ...fff as /proc/iomem writes it) or {@code START+SIZE};
 * numbers in hex (0x...) or sizes (4G). The default kernel image is placed at the start of the
 * first range.
 */
public final class Memmap {
    private Memmap() {}

    public static MemoryLayout parse(String spec) {
        MemoryLayout m = new MemoryLayout();
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty --memmap: expected START-END[,START-END...]");
        }
        for (String part : spec.split(",")) {
            String p = part.trim();
            long start;
            long end;
            int plus = p.indexOf('+');
            int dash = p.indexOf('-');
            try {
                if (plus > 0) {
                    start = Sizes.parse(p.substring(0, plus));
                    end = start + Sizes.parse(p.substring(plus + 1));
                } else if (dash > 0) {
                    start = Sizes.parse(p.substring(0, dash));
                    end = Sizes.parse(p.substring(dash + 1));
                    if ((end & 0xfff) == 0xfff) {
                        end++;
                    }
                } else {
                    throw new IllegalArgumentException("expected START-END or START+SIZE");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad --memmap range '" + p + "': " + e.getMessage());
            }
            if (Long.compareUnsigned(end, start) <= 0) {
                throw new IllegalArgumentException("bad --memmap range '" + p + "': end is not above start");
            }
            for (MemoryLayout.Range r : m.memory()) {
                if (start < r.end() && end > r.start()) {
                    throw new IllegalArgumentException("--memmap ranges " + r + " and " + p + " overlap");
                }
            }
            m.addMemory(start, end);
        }
        m.defaultImage();
        return m;
    }
}

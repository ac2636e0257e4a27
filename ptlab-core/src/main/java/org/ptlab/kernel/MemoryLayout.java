package org.ptlab.kernel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * The physical memory map the kernel boots with: memblock memory ranges ("System RAM"), NOMAP
 * ranges carved out of them, the kernel image's [_stext, __init_begin) and reserved ranges (still
 * mapped; used to place the early KFENCE pool). All ranges are [start, end) physical addresses.
 */
public final class MemoryLayout {
    /** A [start, end) physical range. */
    public record Range(long start, long end) {
        public long size() {
            return end - start;
        }

        public boolean contains(long a) {
            return Long.compareUnsigned(a, start) >= 0 && Long.compareUnsigned(a, end) < 0;
        }

        @Override
        public String toString() {
            return String.format("0x%x-0x%x", start, end - 1);
        }
    }

    /** Default start of RAM (qemu's virt machine). */
    public static final long DEFAULT_RAM_BASE = 0x4000_0000L;
    /** Default kernel image text offset: _stext at RAM base + 0x210000 (as on the 6.1 oracle boots). */
    public static final long DEFAULT_STEXT_OFFSET = 0x21_0000L;
    /** Default [_stext, __init_begin) size: 0x1650000 bytes (22.3 MiB, the 6.1 oracle image). */
    public static final long DEFAULT_TEXT_SIZE = 0x165_0000L;

    private final List<Range> memory = new ArrayList<>();
    private final List<Range> nomap = new ArrayList<>();
    private final List<Range> reserved = new ArrayList<>();
    private long stext;
    private long initBegin;
    /** _stext when it differs from the alias start (6.12+: the alias starts at _text), else 0. */
    private long stextSym;
    /** Kernel data [_sdata, _end) ("Kernel data" in /proc/iomem), or 0. */
    private long dataStart;
    private long dataEnd;
    /** __bss_stop when known (from a capture's kallsyms), else 0: estimated from _end. */
    private long bssStop;

    public List<Range> memory() {
        return Collections.unmodifiableList(memory);
    }

    public List<Range> nomap() {
        return Collections.unmodifiableList(nomap);
    }

    public List<Range> reserved() {
        return Collections.unmodifiableList(reserved);
    }

    public long stext() {
        return stext;
    }

    public long initBegin() {
        return initBegin;
    }

    /**
     * _stext: the image alias' start on 6.1 (whose "Kernel code" starts there); from 6.12 the alias
     * and "Kernel code" start at _text and _stext is the next SEGMENT_ALIGN (64K) boundary after the
     * 64K-aligned .head.text (arch/arm64/kernel/vmlinux.lds.S), unless set.
     */
    public long stextSym(KernelVersion v) {
        if (stextSym != 0) {
            return stextSym;
        }
        return v.atLeast(KernelVersion.V6_12) && initBegin > stext ? stext + 0x1_0000L : stext;
    }

    public MemoryLayout stextSym(long pa) {
        this.stextSym = pa;
        return this;
    }

    /** __init_end (= _sdata, the start of "Kernel data"), or 0 when unknown. */
    public long initEnd() {
        return dataStart;
    }

    /** _end (the end of "Kernel data"), or 0 when unknown. */
    public long kernelEnd() {
        return dataEnd;
    }

    public MemoryLayout kernelData(long sdata, long end) {
        this.dataStart = sdata;
        this.dataEnd = end;
        return this;
    }

    /**
     * __bss_stop: set from a capture's symbols (/proc/kallsyms; oracle check), else _end, the end of
     * "Kernel data" in /proc/iomem (a stated deviation: the pages after BSS, .pgtbl, init_pg_dir, the
     * early stack and padding, then count as data alias). 0 when the kernel data is unknown.
     */
    public long bssStop(KernelVersion v, long pageSize) {
        if (bssStop != 0) {
            return bssStop;
        }
        return dataEnd;
    }

    public MemoryLayout bssStop(long pa) {
        this.bssStop = pa;
        return this;
    }

    public MemoryLayout addMemory(long start, long end) {
        memory.add(new Range(start, end));
        memory.sort(Comparator.comparingLong(Range::start));
        return this;
    }

    public MemoryLayout addNomap(long start, long end) {
        nomap.add(new Range(start, end));
        nomap.sort(Comparator.comparingLong(Range::start));
        return this;
    }

    public MemoryLayout addReserved(long start, long end) {
        reserved.add(new Range(start, end));
        return this;
    }

    public MemoryLayout kernelImage(long stext, long initBegin) {
        this.stext = stext;
        this.initBegin = initBegin;
        return this;
    }

    /** A single RAM range of {@code size} bytes at the default base, with the default image. */
    public static MemoryLayout ofSize(long size) {
        MemoryLayout m = new MemoryLayout();
        m.addMemory(DEFAULT_RAM_BASE, DEFAULT_RAM_BASE + size);
        m.defaultImage();
        return m;
    }

    /** Place the default kernel image at the start of the first range. */
    public MemoryLayout defaultImage() {
        if (!memory.isEmpty() && memory.get(0).size() >= 2 * (DEFAULT_STEXT_OFFSET + DEFAULT_TEXT_SIZE)) {
            long base = memory.get(0).start();
            kernelImage(base + DEFAULT_STEXT_OFFSET, base + DEFAULT_STEXT_OFFSET + DEFAULT_TEXT_SIZE);
        }
        return this;
    }

    /** Total bytes of memory minus NOMAP. */
    public long mappedBytes() {
        long t = 0;
        for (Range r : mappedRanges()) {
            t += r.size();
        }
        return t;
    }

    /** Memory ranges minus NOMAP ranges, sorted. */
    public List<Range> mappedRanges() {
        List<Range> out = new ArrayList<>();
        for (Range r : memory) {
            long s = r.start();
            for (Range n : nomap) {
                if (n.end() <= s || n.start() >= r.end()) {
                    continue;
                }
                if (n.start() > s) {
                    out.add(new Range(s, n.start()));
                }
                s = Math.max(s, n.end());
            }
            if (s < r.end()) {
                out.add(new Range(s, r.end()));
            }
        }
        return out;
    }

    /**
     * Check the layout for a page size: non-empty, page-aligned, non-overlapping, the image inside
     * memory. Throws IllegalArgumentException naming the first problem.
     */
    public void validate(long pageSize) {
        if (memory.isEmpty()) {
            throw new IllegalArgumentException("no memory: expected at least one RAM range");
        }
        Range prev = null;
        for (Range r : memory) {
            if (Long.compareUnsigned(r.end(), r.start()) <= 0) {
                throw new IllegalArgumentException("empty or inverted memory range " + r);
            }
            if (((r.start() | r.end()) & (pageSize - 1)) != 0) {
                throw new IllegalArgumentException("memory range " + r + " is not aligned to the " + (pageSize >> 10) + "K page size");
            }
            if (r.end() > (1L << 48)) {
                throw new IllegalArgumentException("memory range " + r + " lies above the 48-bit physical address space");
            }
            if (prev != null && r.start() < prev.end()) {
                throw new IllegalArgumentException("memory ranges " + prev + " and " + r + " overlap");
            }
            prev = r;
        }
        for (Range n : nomap) {
            if (((n.start() | n.end()) & (pageSize - 1)) != 0) {
                throw new IllegalArgumentException("nomap range " + n + " is not page aligned");
            }
        }
        if (initBegin != 0 || stext != 0) {
            if (((stext | initBegin) & (pageSize - 1)) != 0) {
                throw new IllegalArgumentException("kernel image [" + Long.toHexString(stext) + ", " + Long.toHexString(initBegin)
                        + ") is not aligned to the page size");
            }
            if (initBegin <= stext) {
                throw new IllegalArgumentException("kernel image end is not above its start");
            }
            boolean inside = false;
            for (Range r : memory) {
                if (stext >= r.start() && initBegin <= r.end()) {
                    inside = true;
                }
            }
            if (!inside) {
                throw new IllegalArgumentException("kernel image [0x" + Long.toHexString(stext) + ", 0x" + Long.toHexString(initBegin)
                        + ") is not inside one memory range");
            }
        }
    }

    @Override
    public String toString() {
        return "memory " + memory + (nomap.isEmpty() ? "" : " nomap " + nomap)
                + String.format(" image [0x%x, 0x%x)", stext, initBegin);
    }
}

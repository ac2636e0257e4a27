package org.ptlab.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ptlab.arch.Desc;
import org.ptlab.user.UserProt;

/**
 * The per-page reference model of one user mm, kept by a test or scenario beside the real one and
 * updated with the operation's semantics only (no page tables): the VMAs, and the pages
 * remap_pfn_range mapped (each page's PFN and pgprot). Pages in a VMA with a fault handler may be
 * absent (the handler refills them) but, if present, must map the handler's PFN with the VMA's
 * protection. Stored as intervals, so 64 GiB mappings cost a few objects.
 */
public final class UserRefModel {
    /** A VMA as the reference sees it. */
    public static final class RVma {
        long start;
        long end;
        int flags;
        final UserProt.Cache cache;
        final boolean handler;
        long pgoff;

        RVma(long start, long end, int flags, UserProt.Cache cache, boolean handler, long pgoff) {
            this.start = start;
            this.end = end;
            this.flags = flags;
            this.cache = cache;
            this.handler = handler;
            this.pgoff = pgoff;
        }

        RVma copy() {
            return new RVma(start, end, flags, cache, handler, pgoff);
        }

        long prot() {
            return UserProt.pageProt(flags, cache);
        }
    }

    /** Pages [start, end) mapped by remap_pfn_range to pfn.. with a base-PTE pgprot. */
    static final class Seg {
        long start;
        long end;
        long pfn;
        long prot;

        Seg(long start, long end, long pfn, long prot) {
            this.start = start;
            this.end = end;
            this.pfn = pfn;
            this.prot = prot;
        }
    }

    final int pageShift;
    final TreeMap<Long, RVma> vmas = new TreeMap<>();
    final TreeMap<Long, Seg> segs = new TreeMap<>();

    public UserRefModel(int pageShift) {
        this.pageShift = pageShift;
    }

    /** A copy for the child of a fork: same VMAs and the same remapped pages. */
    public UserRefModel fork() {
        UserRefModel c = new UserRefModel(pageShift);
        for (RVma v : vmas.values()) {
            c.vmas.put(v.start, v.copy());
        }
        for (Seg s : segs.values()) {
            c.segs.put(s.start, new Seg(s.start, s.end, s.pfn, s.prot));
        }
        return c;
    }

    /** A successful mmap at addr (MAP_FIXED replaces what was there). */
    public void mmap(long addr, long len, int prot, UserProt.Cache cache, boolean handler, long pgoff) {
        munmap(addr, len);
        vmas.put(addr, new RVma(addr, addr + len, prot & UserProt.VM_ACCESS_FLAGS, cache, handler, pgoff));
    }

    /** A successful remap_pfn_range. */
    public void remap(long addr, long pfn, long size, long prot) {
        carve(addr);
        carve(addr + size);
        segs.subMap(addr, addr + size).clear();
        segs.put(addr, new Seg(addr, addr + size, pfn, prot));
    }

    /** A successful munmap. */
    public void munmap(long start, long len) {
        long end = start + len;
        carveVma(start);
        carveVma(end);
        vmas.subMap(start, end).clear();
        carve(start);
        carve(end);
        segs.subMap(start, end).clear();
    }

    /** A successful mprotect: VMAs and remapped pages get the new protection. */
    public void mprotect(long start, long len, int prot) {
        long end = start + len;
        carveVma(start);
        carveVma(end);
        carve(start);
        carve(end);
        for (RVma v : vmas.subMap(start, end).values()) {
            v.flags = prot & UserProt.VM_ACCESS_FLAGS;
            for (Seg s : segs.subMap(v.start, v.end).values()) {
                s.prot = v.prot();
            }
        }
    }

    /** The VMA containing addr, or null. */
    public RVma vma(long addr) {
        Map.Entry<Long, RVma> e = vmas.floorEntry(addr);
        return e != null && addr < e.getValue().end ? e.getValue() : null;
    }

    /** VMAs as [start, end) pairs (for generators). */
    public List<long[]> vmaRanges() {
        List<long[]> l = new ArrayList<>();
        for (RVma v : vmas.values()) {
            l.add(new long[] {v.start, v.end});
        }
        return l;
    }

    public boolean handler(long addr) {
        RVma v = vma(addr);
        return v != null && v.handler;
    }

    /** Whether any page of [start, end) is remapped (generators avoid remapping over them). */
    public boolean anyRemapped(long start, long end) {
        Map.Entry<Long, Seg> e = segs.floorEntry(start);
        if (e != null && e.getValue().end > start) {
            return true;
        }
        return !segs.subMap(start, end).isEmpty();
    }

    /** Expected (pfn, pgprot) of the page at va, or null when it must be absent / may be absent. */
    public long[] expected(long va) {
        Map.Entry<Long, Seg> e = segs.floorEntry(va);
        if (e != null && va < e.getValue().end) {
            Seg s = e.getValue();
            return new long[] {s.pfn + ((va - s.start) >>> pageShift), s.prot | Desc.SPECIAL};
        }
        return null;
    }

    /** Total bytes remapped (for coverage). */
    long remappedBytes() {
        long b = 0;
        for (Seg s : segs.values()) {
            b += s.end - s.start;
        }
        return b;
    }

    private void carve(long at) {
        Map.Entry<Long, Seg> e = segs.lowerEntry(at);
        if (e != null && e.getValue().end > at) {
            Seg s = e.getValue();
            Seg hi = new Seg(at, s.end, s.pfn + ((at - s.start) >>> pageShift), s.prot);
            s.end = at;
            segs.put(at, hi);
        }
    }

    private void carveVma(long at) {
        Map.Entry<Long, RVma> e = vmas.lowerEntry(at);
        if (e != null && e.getValue().end > at) {
            RVma v = e.getValue();
            RVma hi = v.copy();
            hi.start = at;
            hi.pgoff = v.pgoff + ((at - v.start) >>> pageShift);
            v.end = at;
            vmas.put(at, hi);
        }
    }
}

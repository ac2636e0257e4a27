package org.ptlab.user;

/**
 * A {@code vm_area_struct}: [start, end), flags ({@code VM_READ}, {@code VM_PFNMAP}, ...),
 * {@code vm_page_prot}, the driver's memory type, whether its {@code vm_ops} has a fault handler
 * ({@code ->fault}/{@code ->huge_fault}, as vfio-pci), and for such VMAs the device PFN mapped at
 * {@code start} (what the handler inserts: {@code pgoff + (addr - start) / PAGE_SIZE}).
 */
public final class Vma {
    public long start;
    public long end;
    public int flags;
    public long pageProt;
    public final UserProt.Cache cache;
    public final boolean faultHandler;
    /** Device PFN at {@link #start} for the fault handler (vm_pgoff as vfio uses it). */
    public long pgoff;

    public Vma(long start, long end, int flags, UserProt.Cache cache, boolean faultHandler, long pgoff) {
        this.start = start;
        this.end = end;
        this.flags = flags;
        this.cache = cache;
        this.faultHandler = faultHandler;
        this.pgoff = pgoff;
        this.pageProt = UserProt.pageProt(flags, cache);
    }

    Vma copy() {
        Vma v = new Vma(start, end, flags, cache, faultHandler, pgoff);
        v.pageProt = pageProt;
        return v;
    }

    public boolean pfnmap() {
        return (flags & UserProt.VM_PFNMAP) != 0;
    }

    public boolean contains(long addr) {
        return Long.compareUnsigned(addr, start) >= 0 && Long.compareUnsigned(addr, end) < 0;
    }

    @Override
    public String toString() {
        return String.format("%016x-%016x %s%s%s", start, end, UserProt.rwx(flags), pfnmap() ? " pfnmap" : "",
                faultHandler ? " fault" : "");
    }
}

package org.ptlab.kernel;

/**
 * A {@code struct vm_struct}: one vmalloc area. {@code size} includes the trailing guard page
 * (as in the kernel, {@code get_vm_area_size()} excludes it); {@code pages} are the physical
 * addresses of the backing pages ({@code area->pages[i]}, one entry per base page), allocated with
 * {@code pageOrder} ({@code area->page_order}).
 */
public final class VmStruct {
    public static final int VM_IOREMAP = 0x1;
    public static final int VM_ALLOC = 0x2;
    public static final int VM_MAP = 0x4;
    public static final int VM_FLUSH_RESET_PERMS = 0x100;
    public static final int VM_ALLOW_HUGE_VMAP = 0x400;

    public final long addr;
    public final long size;
    public final int flags;
    public final int pageOrder;
    public final long[] pages;
    public int nrPages;
    /** Who allocated it (scenario name, "module foo text", ...). */
    public final String caller;

    VmStruct(long addr, long size, int flags, int pageOrder, int nPages, String caller) {
        this.addr = addr;
        this.size = size;
        this.flags = flags;
        this.pageOrder = pageOrder;
        this.pages = new long[nPages];
        this.caller = caller;
    }

    /** {@code get_vm_area_size()}: the mapped size without the guard page. */
    public long mappedSize(long pageSize) {
        return size - pageSize;
    }

    public long end() {
        return addr + size;
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    @Override
    public String toString() {
        return String.format("%s [0x%x-0x%x) %d pages order %d flags 0x%x", caller, addr, addr + size, nrPages, pageOrder, flags);
    }
}

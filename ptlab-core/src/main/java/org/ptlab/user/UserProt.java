package org.ptlab.user;

import org.ptlab.arch.Desc;

/**
 * VMA flags ({@code include/linux/mm.h} values) and the arm64 user protections
 * ({@code protection_map[]} / {@code vm_get_page_prot()} of arch/arm64/mm/mmap.c with the
 * {@code PAGE_*} values of asm/pgtable-prot.h), plus the memory-type helpers a driver applies
 * ({@code pgprot_noncached}, {@code pgprot_device}, {@code pgprot_writecombine}) and
 * {@code pte_modify()}. Only shared mappings are modelled (device mmaps are MAP_SHARED), so the
 * copy-on-write rows of protection_map are not needed.
 */
public final class UserProt {
    private UserProt() {}

    public static final int VM_READ = 0x1;
    public static final int VM_WRITE = 0x2;
    public static final int VM_EXEC = 0x4;
    public static final int VM_SHARED = 0x8;
    public static final int VM_PFNMAP = 0x400;
    public static final int VM_IO = 0x4000;
    public static final int VM_DONTEXPAND = 0x40000;
    public static final int VM_DONTDUMP = 0x4000000;
    /** Bits remap_pfn_range sets on its VMA. */
    public static final int VM_REMAP_FLAGS = VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
    public static final int VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;

    /** How the driver maps the device memory (the memory type of its pgprot). */
    public enum Cache {
        /** Normal cacheable memory (vm_page_prot as is). */
        NORMAL(Desc.MT_NORMAL, "normal"),
        /** pgprot_writecombine: Normal non-cacheable. */
        WRITECOMBINE(Desc.MT_NORMAL_NC, "wc"),
        /** pgprot_device: Device-nGnRE. */
        DEVICE(Desc.MT_DEVICE_nGnRE, "device"),
        /** pgprot_noncached: Device-nGnRnE. */
        NONCACHED(Desc.MT_DEVICE_nGnRnE, "uc");

        public final int memType;
        public final String label;

        Cache(int memType, String label) {
            this.memType = memType;
            this.label = label;
        }
    }

    /** _PAGE_DEFAULT: _PROT_DEFAULT | PTE_ATTRINDX(MT_NORMAL). */
    public static final long PAGE_DEFAULT = Desc.PROT_DEFAULT | Desc.attrIndx(Desc.MT_NORMAL);
    /** PAGE_NONE: present but invalid (the nG marker with VALID clear), read-only, never executable. */
    public static final long PAGE_NONE = (PAGE_DEFAULT & ~Desc.VALID) | Desc.PRESENT_INVALID | Desc.RDONLY | Desc.PXN | Desc.UXN;
    public static final long PAGE_READONLY = PAGE_DEFAULT | Desc.USER | Desc.RDONLY | Desc.NG | Desc.PXN | Desc.UXN;
    public static final long PAGE_SHARED = PAGE_READONLY | Desc.WRITE;
    public static final long PAGE_READONLY_EXEC = PAGE_DEFAULT | Desc.USER | Desc.RDONLY | Desc.NG | Desc.PXN;
    public static final long PAGE_SHARED_EXEC = PAGE_READONLY_EXEC | Desc.WRITE;
    public static final long PAGE_EXECONLY = PAGE_DEFAULT | Desc.RDONLY | Desc.NG | Desc.PXN;

    /** {@code vm_get_page_prot(flags)} for a shared mapping. */
    public static long vmGetPageProt(int flags) {
        boolean r = (flags & VM_READ) != 0;
        boolean w = (flags & VM_WRITE) != 0;
        boolean x = (flags & VM_EXEC) != 0;
        if (x) {
            return w ? PAGE_SHARED_EXEC : r ? PAGE_READONLY_EXEC : PAGE_EXECONLY;
        }
        return w ? PAGE_SHARED : r ? PAGE_READONLY : PAGE_NONE;
    }

    /** The memory type a driver applies; device and non-cacheable types are never executable. */
    public static long applyCache(long prot, Cache c) {
        long p = (prot & ~Desc.ATTRINDX_MASK) | Desc.attrIndx(c.memType);
        if (c != Cache.NORMAL) {
            p |= Desc.PXN | Desc.UXN;
        }
        return p;
    }

    /** The vm_page_prot of a shared VMA with these flags and memory type. */
    public static long pageProt(int flags, Cache c) {
        return applyCache(vmGetPageProt(flags), c);
    }

    /** Bits {@code pte_modify()} takes from the new protection; the rest (OA, type, software) stay. */
    public static final long PTE_MODIFY_MASK = Desc.USER | Desc.PXN | Desc.UXN | Desc.RDONLY | Desc.PRESENT_INVALID
            | Desc.VALID | Desc.WRITE | Desc.GP | Desc.ATTRINDX_MASK;

    /** {@code pte_modify(pte, newprot)} (and pmd_modify / pud_modify through the same bits). */
    public static long pteModify(long old, long newProt) {
        return (old & ~PTE_MODIFY_MASK) | (newProt & PTE_MODIFY_MASK);
    }

    /** "rw-", "r--", "--x" ... for messages. */
    public static String rwx(int flags) {
        return ((flags & VM_READ) != 0 ? "r" : "-") + ((flags & VM_WRITE) != 0 ? "w" : "-") + ((flags & VM_EXEC) != 0 ? "x" : "-");
    }
}

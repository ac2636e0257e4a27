package org.ptlab.source;

import org.ptlab.arch.Desc;
import org.ptlab.check.PageRefModel;
import org.ptlab.kernel.Errno;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.VmStruct;
import org.ptlab.ops.Ops;

/**
 * The kernel calls the workload generators make, each also applied to an optional per-page
 * reference model ({@link PageRefModel}) with the effect it is specified to have, so that any run
 * can be checked against it: vmalloc / vfree (with {@code vm_reset_perms()}), set_memory_ro / rw /
 * x / nx / rox (with the rodata=full linear-alias update), secretmem's
 * set_direct_map_invalid_noflush / default_noflush, and set_memory_valid of linear pages.
 */
public final class Driver {
    public final Kernel k;
    /** The reference model, or null when not tracking. */
    public final PageRefModel ref;
    private final long ps;
    private final long validSet;
    private final long validClear;
    private final long invalidSet;
    private final long invalidClear;
    /** Calls that returned an error (the generators go on; reports show the count). */
    public long errors;
    public String firstError;

    public Driver(Kernel k, boolean track) {
        this.k = k;
        this.ref = track ? new PageRefModel(k) : null;
        this.ps = k.geo.pageSize;
        boolean enc = k.cfg.version.presentInvalidEncoding();
        long ng = k.ng() ? Desc.NG : 0;
        validSet = enc ? Desc.VALID | ng : Desc.VALID;
        validClear = enc ? Desc.PRESENT_INVALID : 0;
        invalidSet = enc ? Desc.PRESENT_INVALID : 0;
        invalidClear = enc ? Desc.VALID | ng : Desc.VALID;
    }

    private int rc(int rc, String what) {
        if (rc != 0) {
            errors++;
            if (firstError == null) {
                firstError = what + " -> " + rc;
            }
        }
        return rc;
    }

    public VmStruct vmalloc(long size, int flags, int order, boolean module, String caller) {
        VmStruct a = k.vmalloc.vmalloc(size, flags, order, module, caller);
        if (a == null) {
            rc(-Errno.ENOMEM, "vmalloc " + caller);
            return null;
        }
        if (ref != null) {
            for (int i = 0; i < a.nrPages; i++) {
                ref.map(a.addr + i * ps, a.pages[i], Desc.pageKernel(k.ng()));
            }
        }
        return a;
    }

    public void vfree(VmStruct a) {
        long[] pages = a.pages.clone();
        int n = a.nrPages;
        boolean reset = a.has(VmStruct.VM_FLUSH_RESET_PERMS) && k.canSetDirectMap;
        k.vmalloc.vfree(a);
        if (ref != null) {
            for (int i = 0; i < n; i++) {
                ref.unmap(a.addr + i * ps);
                if (reset) {
                    long al = k.physToVirt(pages[i]);
                    ref.change(al, 1, invalidSet, invalidClear);
                    ref.change(al, 1, validSet | Desc.WRITE, validClear | Desc.RDONLY);
                }
            }
        }
    }

    /** which: ro, rw, x, nx or rox on pages [off, off + n) of an area. */
    public int setMemory(String which, VmStruct a, int off, int n) {
        long va = a.addr + off * ps;
        int rc = Ops.call(k, "set_memory_" + which, va, n);
        rc(rc, "set_memory_" + which + "(" + a.caller + ")");
        if (rc == 0 && ref != null) {
            boolean ro = which.equals("ro") || which.equals("rox");
            boolean rw = which.equals("rw");
            if ((ro || rw) && k.cfg.rodata.full()) {
                // 7.2+ change_memory_common(): only the requested pages' alias (split=minimal, an alias loop by runs, keeps the whole area)
                boolean requested = k.cfg.version.aliasLoopRequestedPagesOnly() && !k.split.policy.aliasLoopByRuns();
                int first = requested ? (int) ((va - a.addr) / k.geo.pageSize) : 0;
                int count = requested ? n : a.nrPages;
                for (int i = first; i < first + count; i++) {
                    ref.change(k.physToVirt(a.pages[i]), 1, ro ? Desc.RDONLY : Desc.WRITE, ro ? Desc.WRITE : Desc.RDONLY);
                }
            }
            if (ro) {
                ref.change(va, n, Desc.RDONLY, Desc.WRITE);
            }
            if (rw) {
                ref.change(va, n, Desc.WRITE, Desc.RDONLY);
            }
            if (which.equals("x") || which.equals("rox")) {
                ref.change(va, n, 0, Desc.PXN);
            }
            if (which.equals("nx")) {
                ref.change(va, n, Desc.PXN, 0);
            }
        }
        return rc;
    }

    /** secretmem: each page set_direct_map_invalid_noflush, then flush_tlb_kernel_range of it. */
    public void directMapInvalid(long pa, long pages) {
        for (long i = 0; i < pages; i++) {
            long p = pa + i * ps;
            rc(Ops.call(k, "set_direct_map_invalid_noflush", p), "set_direct_map_invalid_noflush");
            k.tlb.flushTlbKernelRange(k.physToVirt(p), k.physToVirt(p) + ps);
        }
        if (ref != null && k.canSetDirectMap) {
            ref.change(k.physToVirt(pa), pages, invalidSet, invalidClear);
        }
    }

    /** secretmem free: each page set_direct_map_default_noflush. */
    public void directMapDefault(long pa, long pages) {
        for (long i = 0; i < pages; i++) {
            rc(Ops.call(k, "set_direct_map_default_noflush", pa + i * ps), "set_direct_map_default_noflush");
        }
        if (ref != null && k.canSetDirectMap) {
            ref.change(k.physToVirt(pa), pages, validSet | Desc.WRITE, validClear | Desc.RDONLY);
        }
    }

    /** set_memory_valid of linear pages (KFENCE-like guard pages, debug_pagealloc-like). */
    public int setValid(long pa, int pages, boolean valid) {
        int rc = rc(Ops.call(k, "set_memory_valid", k.physToVirt(pa), pages, valid ? 1 : 0), "set_memory_valid");
        if (rc == 0 && ref != null) {
            ref.change(k.physToVirt(pa), pages, valid ? validSet : invalidSet, valid ? validClear : invalidClear);
        }
        return rc;
    }
}

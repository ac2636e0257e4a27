package org.ptlab.kernel;

/**
 * Calls the kernel itself makes during boot, after the page allocator is up and before user space,
 * that change the linear map (docs/kernel-versions.md, "Boot-time calls"). Today one: the PTP
 * classifier's BPF program, JIT-compiled at core_initcall.
 *
 * <p>{@code sock_init()} (core_initcall, net/socket.c) calls {@code ptp_classifier_init()}
 * (net/core/ptp_classifier.c), which builds a classic BPF filter with {@code bpf_prog_create()};
 * with {@code CONFIG_BPF_JIT_DEFAULT_ON} ({@code bpf_jit_enable} = 1 from boot) it is JIT-compiled by
 * {@code bpf_int_jit_compile()} (arch/arm64/net/bpf_jit_comp.c):
 * <ul>
 *   <li>6.1: {@code bpf_jit_binary_alloc()} (kernel/bpf/core.c) takes one page from
 *       {@code bpf_jit_alloc_exec()} = {@code vmalloc()}, and {@code bpf_jit_binary_lock_ro()}
 *       (include/linux/filter.h) makes it {@code set_memory_ro()} then {@code set_memory_x()};
 *   <li>6.12, 7.2, 7.3: {@code bpf_jit_binary_pack_alloc()} -> {@code bpf_prog_pack_alloc()} ->
 *       {@code alloc_new_pack()} (kernel/bpf/core.c) takes a whole pack of
 *       {@code BPF_PROG_PACK_SIZE} = 2 MiB (one NUMA node) from {@code bpf_jit_alloc_exec()} =
 *       {@code execmem_alloc(EXECMEM_BPF)} (vmalloc range, {@code VM_FLUSH_RESET_PERMS}) and makes it
 *       {@code set_memory_rox()}.
 * </ul>
 * With rodata=full the linear alias of every page of that area becomes read-only.
 *
 * <p>Where the pages lie is the page allocator's choice. {@link KernelConfig#bootPages} supplies the
 * real ones (the oracle check takes them from a capture); without it the model places them itself
 * (a stated deviation): 6.1 and 6.12 take order-0 pages from the model's allocator; 7.2 and 7.3 take
 * one block of the largest order that fits, as their {@code vm_area_alloc_pages()} (mm/vmalloc.c)
 * tries large orders first, so the pack is physically contiguous.
 */
public final class BootInitcalls {
    private BootInitcalls() {}

    /**
     * The caller /proc/vmallocinfo names for the JIT image's area: {@code bpf_jit_alloc_exec} (6.1,
     * 6.12, 7.2), {@code bpf_prog_pack_alloc} where the compiler inlined it (Debian's 7.3.4 build).
     */
    public static final java.util.List<String> PTP_JIT_CALLERS = java.util.List.of("bpf_jit_alloc_exec", "bpf_prog_pack_alloc");

    /** BPF_PROG_PACK_SIZE with one NUMA node (kernel/bpf/core.c): 2 MiB whatever the page size. */
    public static final long BPF_PROG_PACK_SIZE = 2L << 20;

    /** Pages of the PTP classifier's JIT area on this release and granule. */
    public static int ptpJitPages(KernelVersion v, long pageSize) {
        return v.atLeast(KernelVersion.V6_12) ? (int) (BPF_PROG_PACK_SIZE / pageSize) : 1;
    }

    /** The boot-time calls of cfg's build, in initcall order (run by {@link Kernel#boot}). */
    static void run(Kernel k) {
        if (k.cfg.ptpClassifierJit) {
            ptpClassifierJit(k);
        }
    }

    /** ptp_classifier_init(): the JIT image's area and its permission calls, per release (class comment). */
    static void ptpClassifierJit(Kernel k) {
        KernelVersion v = k.cfg.version;
        int n = ptpJitPages(v, k.geo.pageSize);
        long[] pas = k.cfg.bootPages == null ? null : k.cfg.bootPages.apply(PTP_JIT_CALLERS, n);
        if (pas == null) {
            pas = ownPlacement(k, n, v.atLeast(KernelVersion.V7_2));
        }
        if (pas == null) {
            k.warn("ptp_classifier_init: no memory for the BPF JIT image (not modelled)");
            return;
        }
        boolean pack = v.atLeast(KernelVersion.V6_12);
        // both releases' areas carry VM_FLUSH_RESET_PERMS: alloc_new_pack() via execmem, 6.1's
        // bpf_jit_binary_lock_ro() via set_vm_flush_reset_perms() (the image is never freed at boot)
        VmStruct a = k.vmalloc.vmallocPages(pas, VmStruct.VM_FLUSH_RESET_PERMS, false,
                pack ? "bpf_prog_pack_alloc (ptp_classifier_init)" : "bpf_jit_binary_alloc (ptp_classifier_init)");
        if (a == null) {
            k.warn("ptp_classifier_init: the BPF JIT image's pages are not free in the model (not modelled)");
            return;
        }
        if (pack) {
            k.pageAttr.setMemoryRox(a.addr, n); // alloc_new_pack()
        } else {
            // bpf_jit_binary_lock_ro(): set_vm_flush_reset_perms(), set_memory_ro(), set_memory_x()
            k.pageAttr.setMemoryRo(a.addr, n);
            k.pageAttr.setMemoryX(a.addr, n);
        }
    }

    /**
     * The model's own choice of n free pages: order-0 pages as its allocator hands them out, or
     * (largeFirst) blocks of the largest order that still fits, as vm_area_alloc_pages() of 7.2+
     * asks for. The pages are handed back and then taken by vmallocPages(). Null when memory is short.
     */
    static long[] ownPlacement(Kernel k, int n, boolean largeFirst) {
        long ps = k.geo.pageSize;
        long[] pas = new long[n];
        int[] orders = new int[n];
        int got = 0;
        int maxOrder = largeFirst ? 31 - Integer.numberOfLeadingZeros(n) : 0;
        while (got < n) {
            int order = Math.min(maxOrder, 31 - Integer.numberOfLeadingZeros(n - got));
            long pa = k.pageAlloc.allocPages(order);
            if (pa < 0) {
                if (order == 0) {
                    break;
                }
                maxOrder = order - 1;
                continue;
            }
            for (int j = 0; j < 1 << order; j++) {
                pas[got + j] = pa + j * ps;
            }
            orders[got] = order + 1;
            got += 1 << order;
        }
        for (int i = 0; i < got; i++) {
            if (orders[i] != 0) {
                k.pageAlloc.freePages(pas[i], orders[i] - 1);
            }
        }
        return got == n ? pas : null;
    }
}

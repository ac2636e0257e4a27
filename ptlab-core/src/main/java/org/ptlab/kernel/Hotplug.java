package org.ptlab.kernel;

import java.util.Map;
import java.util.TreeMap;
import org.ptlab.arch.Desc;
import org.ptlab.arch.Geometry;
import org.ptlab.pgtable.Pgtable;
import org.ptlab.pgtable.TableWalk;

/**
 * Memory hotplug of the linear map (arch/arm64/mm/mmu.c, mm/memory_hotplug.c), in memory-block
 * units ({@link KernelConfig#memoryBlockSize()}):
 *
 * <ul>
 *   <li>{@link #addMemory} = {@code add_memory()} + online: {@code arch_add_memory} maps the range
 *       with the boot flags ({@code NO_EXEC}, plus {@code NO_BLOCK|NO_CONT} under
 *       {@code force_pte_mapping()}), undoing a partial mapping on failure; the pages become free.
 *   <li>{@link #offlinePages}: the pages leave the allocator (all must be free: the model does not
 *       migrate). Boot memory never goes offline ({@code prevent_bootmem_remove_notifier}); since
 *       v7.1 ({@code hotplug=v7.1}) neither does a range whose edges are not leaf boundaries of the
 *       linear map (inside a block or a CONT group).
 *   <li>{@link #archRemoveMemory} (unplug, offline blocks only): {@code __remove_pgd_mapping} =
 *       {@code unmap_hotplug_range} (a leaf is cleared whole even if only partly inside; v7.1: one
 *       range flush at the end; pre-7.1: each leaf flushed as it is cleared) then
 *       {@code free_empty_tables} (a table whose entries are all none is unlinked,
 *       {@code __flush_tlb_kernel_pgtable}, freed).
 * </ul>
 * Offline and unplug are distinct: an offline block keeps its mapping until it is unplugged.
 */
public final class Hotplug {
    /** State of a memory block. */
    public enum State { BOOT, ONLINE, OFFLINE }

    private final Kernel k;
    private final Pgtable pg;
    private final Geometry geo;
    private final TreeMap<Long, State> blocks = new TreeMap<>();
    /** The selected hotplug= behaviour (the offline guard and the unmap's TLB maintenance). */
    public final HotplugPolicy policy;

    Hotplug(Kernel k) {
        this.k = k;
        this.pg = k.pg;
        this.geo = k.geo;
        this.policy = k.cfg.variants.policy(HotplugPolicy.class, HotplugPolicy.FAMILY);
    }

    /** Boot memory, one BOOT entry per block it touches. */
    void registerBoot() {
        long bs = k.cfg.memoryBlockSize();
        for (MemoryLayout.Range r : k.mem.memory()) {
            for (long b = r.start() & -bs; b < r.end(); b += bs) {
                blocks.put(b, State.BOOT);
            }
        }
    }

    public State state(long blockStart) {
        return blocks.get(blockStart);
    }

    public Map<Long, State> blocks() {
        return blocks;
    }

    /** Whether every memory block of [start, start + size) is in state want (null: absent). */
    private boolean allBlocks(long start, long size, State want) {
        long bs = k.cfg.memoryBlockSize();
        for (long b = start; b < start + size; b += bs) {
            if (blocks.get(b) != want) {
                return false;
            }
        }
        return true;
    }

    /** Put every memory block of [start, start + size) in state to (null: remove it). */
    private void setBlocks(long start, long size, State to) {
        long bs = k.cfg.memoryBlockSize();
        for (long b = start; b < start + size; b += bs) {
            if (to == null) {
                blocks.remove(b);
            } else {
                blocks.put(b, to);
            }
        }
    }

    private int checkRange(long start, long size) {
        long bs = k.cfg.memoryBlockSize();
        if (size <= 0 || ((start | size) & (bs - 1)) != 0) {
            return -Errno.EINVAL;
        }
        return 0;
    }

    /** {@code add_memory()} of [start, start + size) and onlining it. */
    public int addMemory(long start, long size) {
        int rc = checkRange(start, size);
        if (rc != 0) {
            return rc;
        }
        long vend = k.physToVirt(start + size);
        if (Long.compareUnsigned(start, k.physOffset) < 0 || Long.compareUnsigned(vend - 1, geo.pageEnd - 1) > 0) {
            return -Errno.E2BIG; // register_memory_resource(): !mhp_range_allowed() (mm/memory_hotplug.c)
        }
        if (!allBlocks(start, size, null)) {
            return -Errno.EEXIST; // register_memory_resource(): __request_region() failed, already present
        }
        pg.op("arch_add_memory", k.physToVirt(start), vend, true);
        int flags = Mmu.NO_EXEC_MAPPINGS;
        if (k.forcePteMappingNow()) {
            flags |= Mmu.NO_BLOCK_MAPPINGS | Mmu.NO_CONT_MAPPINGS;
        }
        rc = k.mmu.createPgdMapping(k.swapper, start, k.physToVirt(start), size, k.linearProt(), flags, k.linearOwner);
        if (rc != 0) {
            removePgdMapping(k.physToVirt(start), vend);
            pg.op("arch_add_memory", k.physToVirt(start), vend, false);
            return rc;
        }
        pg.op("arch_add_memory", k.physToVirt(start), vend, false);
        setBlocks(start, size, State.ONLINE);
        k.pageAlloc.addFree(start, start + size);
        return 0;
    }

    /** {@code offline_pages()} of whole blocks. */
    public int offlinePages(long start, long size) {
        int rc = checkRange(start, size);
        if (rc != 0) {
            return rc;
        }
        long bs = k.cfg.memoryBlockSize();
        for (long b = start; b < start + size; b += bs) {
            State s = blocks.get(b);
            if (s == null) {
                return -Errno.EINVAL;
            }
            if (s == State.BOOT) {
                return -Errno.EPERM; // prevent_bootmem_remove_notifier: NOTIFY_BAD -> notifier_to_errno() = -EPERM
            }
            if (s != State.ONLINE) {
                return -Errno.EINVAL;
            }
        }
        long vs = k.physToVirt(start);
        long ve = k.physToVirt(start + size);
        if (policy.refusesOffline(this, vs, ve)) {
            k.warn(String.format("memory offline of 0x%x-0x%x refused: it would split a linear-map leaf", start, start + size));
            return -Errno.EPERM; // the same notifier (v7.1): NOTIFY_BAD
        }
        if (!k.pageAlloc.takeRange(start, start + size)) {
            return -Errno.EBUSY; // pages in use; the model does not migrate
        }
        setBlocks(start, size, State.OFFLINE);
        return 0;
    }

    /** {@code online_pages()} of offline blocks. */
    public int onlinePages(long start, long size) {
        int rc = checkRange(start, size);
        if (rc != 0) {
            return rc;
        }
        if (!allBlocks(start, size, State.OFFLINE)) {
            return -Errno.EINVAL;
        }
        setBlocks(start, size, State.ONLINE);
        k.pageAlloc.addFree(start, start + size);
        return 0;
    }

    /** {@code arch_remove_memory()} of offline blocks: unmap and free the empty tables. */
    public int archRemoveMemory(long start, long size) {
        int rc = checkRange(start, size);
        if (rc != 0) {
            return rc;
        }
        if (!allBlocks(start, size, State.OFFLINE)) {
            return -Errno.EBUSY; // try_remove_memory: every block must be offline
        }
        long vs = k.physToVirt(start);
        long ve = k.physToVirt(start + size);
        pg.op("arch_remove_memory", vs, ve, true);
        removePgdMapping(vs, ve);
        pg.op("arch_remove_memory", vs, ve, false);
        setBlocks(start, size, null);
        return 0;
    }

    /** offline + unplug. */
    public int removeMemory(long start, long size) {
        int rc = offlinePages(start, size);
        return rc != 0 ? rc : archRemoveMemory(start, size);
    }

    /**
     * {@code split_kernel_leaf_boundary}'s question: is va the first address of a linear-map leaf
     * (not inside a block or a CONT group)?
     */
    public boolean isLeafBoundary(long va) {
        if (va == geo.pageEnd) {
            return true;
        }
        TableWalk.Entry e = new TableWalk.Entry();
        long d = TableWalk.leaf(pg, k.swapper, va, e);
        if (d == 0) {
            return true;
        }
        long size = Desc.cont(d) ? geo.contSize(e.level) : geo.entrySize(e.level);
        return (va & (size - 1)) == 0;
    }

    // ------------------------------------------------------------------ __remove_pgd_mapping

    private final long[] lastGroup = new long[5];

    void removePgdMapping(long start, long end) {
        java.util.Arrays.fill(lastGroup, 1);
        unmap(geo.startLevel, k.swapper, start, end);
        policy.rangeCleared(k, start, end);
        freeEmpty(geo.startLevel, k.swapper, start, end);
    }

    private void unmap(int level, long table, long addr, long end) {
        do {
            long next = geo.addrEnd(level, addr, end);
            int idx = geo.index(level, addr);
            long d = pg.read(table, idx);
            if (d != 0) {
                if (!Desc.present(d)) {
                    k.warn(String.format("unmap_hotplug: %s at 0x%x is not present", geo.levelName(level), addr));
                } else if (level == 3 || !Desc.isTable(d)) {
                    long va = addr & -geo.entrySize(level);
                    pg.write(table, idx, 0);
                    long group = va & -geo.contSize(level);
                    boolean first = !Desc.cont(d) || lastGroup[level + 1] != group;
                    lastGroup[level + 1] = group;
                    k.directMap.removed(level, va, d, first);
                    policy.leafCleared(k, va);
                } else {
                    unmap(level + 1, Pgtable.tablePa(d), addr, next);
                }
            }
            addr = next;
        } while (addr != end);
    }

    /** free_empty_tables(start, end, PAGE_OFFSET, PAGE_END): bottom up; the root stays. */
    private void freeEmpty(int level, long table, long addr, long end) {
        do {
            long next = geo.addrEnd(level, addr, end);
            int idx = geo.index(level, addr);
            long d = pg.read(table, idx);
            if (level < 3 && d != 0 && Desc.isTable(d)) {
                long child = Pgtable.tablePa(d);
                freeEmpty(level + 1, child, addr, next);
                long span = geo.entrySize(level);
                long base = addr & -span;
                boolean inside = Long.compareUnsigned(base, geo.pageOffset) >= 0 && Long.compareUnsigned(base + span - 1, geo.pageEnd - 1) <= 0;
                if (inside && empty(child, level + 1)) {
                    pg.write(table, idx, 0);
                    k.tlb.flushTlbKernelPgtable(addr);
                    pg.freeTable(child);
                }
            }
            addr = next;
        } while (addr != end);
    }

    private boolean empty(long table, int level) {
        int n = geo.entries(level);
        for (int i = 0; i < n; i++) {
            if (pg.read(table, i) != 0) {
                return false;
            }
        }
        return true;
    }
}

package org.ptlab.hw;

import java.util.Arrays;

/**
 * Counters of one modelled CPU: accesses, TLB hits and misses per level, walks, walk memory
 * references, walk-cache hits, cache hits of the walker's descriptor loads and of data accesses per
 * cache level, faults, and modelled cycles. Plain fields, updated on the hot path.
 */
public final class HwStats {
    public long accesses;
    /** Instructions the trace executed, when it says (lackey "I" records); else 0. */
    public long instructions;
    public final long[] tlbHits;
    public final long[] tlbMisses;
    public long walks;
    public long walkRefs;
    public long walkCacheHits;
    /** Descriptor loads served per cache level; index = caches.length is memory. */
    public final long[] walkLoads;
    /** Data accesses served per cache level; index = caches.length is memory. */
    public final long[] dataLoads;
    public long translationFaults;
    public long permissionFaults;
    public long cycles;
    public long walkCycles;
    final String[] tlbNames;
    final String[] cacheNames;
    /** Index of the last TLB level of the data path (the unified one); an instruction TLB comes after it. */
    final int lastLevel;

    HwStats(String[] tlbNames, String[] cacheNames, int dataLevels) {
        this.tlbNames = tlbNames;
        this.lastLevel = dataLevels - 1;
        this.cacheNames = cacheNames;
        this.tlbHits = new long[tlbNames.length];
        this.tlbMisses = new long[tlbNames.length];
        this.walkLoads = new long[cacheNames.length + 1];
        this.dataLoads = new long[cacheNames.length + 1];
    }

    public String[] tlbNames() {
        return tlbNames.clone();
    }

    /**
     * Index of the last TLB level searched before a walk (the unified L2 TLB of the presets): its
     * misses are the walks caused by TLB misses. Levels after it are first-level instruction TLBs.
     */
    public int lastLevel() {
        return lastLevel;
    }

    /** Whether a TLB level was looked up at all (an instruction TLB stays unused without fetches). */
    public boolean used(int level) {
        return tlbHits[level] + tlbMisses[level] != 0 || level <= lastLevel;
    }

    public String[] cacheNames() {
        return cacheNames.clone();
    }

    public void reset() {
        accesses = 0;
        instructions = 0;
        Arrays.fill(tlbHits, 0);
        Arrays.fill(tlbMisses, 0);
        walks = 0;
        walkRefs = 0;
        walkCacheHits = 0;
        Arrays.fill(walkLoads, 0);
        Arrays.fill(dataLoads, 0);
        translationFaults = 0;
        permissionFaults = 0;
        cycles = 0;
        walkCycles = 0;
    }

    /** Add another CPU's counters (same configuration). */
    public void add(HwStats o) {
        accesses += o.accesses;
        instructions += o.instructions;
        for (int i = 0; i < tlbHits.length; i++) {
            tlbHits[i] += o.tlbHits[i];
            tlbMisses[i] += o.tlbMisses[i];
        }
        walks += o.walks;
        walkRefs += o.walkRefs;
        walkCacheHits += o.walkCacheHits;
        for (int i = 0; i < walkLoads.length; i++) {
            walkLoads[i] += o.walkLoads[i];
            dataLoads[i] += o.dataLoads[i];
        }
        translationFaults += o.translationFaults;
        permissionFaults += o.permissionFaults;
        cycles += o.cycles;
        walkCycles += o.walkCycles;
    }

    /** Instructions for MPKI: the trace's own count if known, else accesses x instructionsPerAccess. */
    public double instructions(double instructionsPerAccess) {
        return instructions > 0 ? instructions : accesses * instructionsPerAccess;
    }

    /** Misses per thousand instructions at a TLB level. */
    public double mpki(int level, double instructionsPerAccess) {
        double ins = instructions(instructionsPerAccess);
        return ins == 0 ? 0 : tlbMisses[level] * 1000.0 / ins;
    }

    /** Modelled cycles per access. */
    public double cyclesPerAccess() {
        return accesses == 0 ? 0 : (double) cycles / accesses;
    }

    /** Mean memory references per walk. */
    public double refsPerWalk() {
        return walks == 0 ? 0 : (double) walkRefs / walks;
    }

    /** A multi-line report. */
    public String format(double frequencyGHz, double instructionsPerAccess) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("accesses          %,d%n", accesses));
        b.append(String.format("instructions      %,.0f%s%n", instructions(instructionsPerAccess),
                instructions > 0 ? " (from the trace)" : String.format(" (%.2f per access)", instructionsPerAccess)));
        for (int i = 0; i < tlbHits.length; i++) {
            if (!used(i)) {
                continue;
            }
            b.append(String.format("%-8s hits %,d misses %,d (MPKI %.3f)%n", tlbNames[i], tlbHits[i], tlbMisses[i],
                    mpki(i, instructionsPerAccess)));
        }
        b.append(String.format("walks             %,d (%.2f memory references per walk, %,d walk-cache hits)%n", walks,
                refsPerWalk(), walkCacheHits));
        b.append("walk loads from   ");
        for (int i = 0; i <= cacheNames.length; i++) {
            b.append(i == cacheNames.length ? "memory" : cacheNames[i]).append(' ').append(String.format("%,d", walkLoads[i]))
                    .append(i == cacheNames.length ? "" : ", ");
        }
        b.append(String.format("%n"));
        b.append(String.format("faults            %,d translation, %,d permission%n", translationFaults, permissionFaults));
        b.append(String.format("cycles            %,d (%.2f per access, %.2f ns per access at %.2f GHz; walks %,d)%n", cycles,
                cyclesPerAccess(), cyclesPerAccess() / frequencyGHz, frequencyGHz, walkCycles));
        return b.toString();
    }
}

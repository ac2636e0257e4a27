package org.ptlab.study;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.ptlab.arch.MapSize;
import org.ptlab.arch.Sizes;
import org.ptlab.hw.CoreConfig;
import org.ptlab.hw.HwModel;
import org.ptlab.hw.HwStats;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.KernelConfig;
import org.ptlab.run.Replay;
import org.ptlab.run.ReplayTarget;
import org.ptlab.source.AccessTrace;
import org.ptlab.source.BinaryTrace;
import org.ptlab.source.Generators;

/**
 * The linear-map study (seed 003's "kernel TLB MPKI down 28.5%"): one kernel-memory access trace
 * replayed against two booted kernels with rodata=full, one whose CPUs lack BBML2_NOABORT (the
 * linear map is PTE-mapped) and one whose CPUs have it (blocks and contiguous runs), on the same
 * modelled core. The trace is either generated (Zipf-popular pages of RAM above the kernel image,
 * as slab and page-cache accesses would be) or a recorded trace packed onto the linear map.
 */
public final class LinearMapStudy {
    private LinearMapStudy() {}

    public static final class Params {
        public long mem = 8L << 30;
        public long accesses = 2_000_000;
        public long warmup = 500_000;
        public double zipfS = 0.8;
        public double storeFraction = 0.3;
        public double instructionsPerAccess = 3.0;
        public long seed = 3;
        /** A recorded trace to use instead of the generated one (null: generate). */
        public Path trace;
        public KernelConfig base = new KernelConfig();
    }

    public record Side(String label, Kernel kernel, HwStats stats) {}

    public record Result(Side pte, Side block, Params params, CoreConfig core) {}

    public static Result run(CoreConfig core, Params p) {
        return new Result(side("--bbml2 none", false, core, p), side("--bbml2 noabort", true, core, p), p, core);
    }

    private static Side side(String label, boolean bbml2, CoreConfig core, Params p) {
        var t = ReplayTarget.linear(p.base, p.mem, bbml2);
        Kernel k = t.kernel();
        HwModel hw = t.hw(core);
        try {
            if (p.trace == null) {
                AccessTrace g = Generators.zipf(t.size(), k.geo.pageSize, p.zipfS, p.storeFraction, p.seed, p.warmup + p.accesses);
                Replay.run(hw, 0, g, t.offsets(), p.warmup);
                hw.cpu(0).stats.reset();
                Replay.run(hw, 0, g, t.offsets(), p.accesses);
            } else {
                try (AccessTrace r = BinaryTrace.openAny(p.trace, false)) {
                    Replay.run(hw, 0, r, t.packed(), -1);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Side(label, k, hw.cpu(0).stats);
    }

    public static String format(Result r) {
        StringBuilder b = new StringBuilder();
        Params p = r.params();
        b.append(String.format("linear-map study: %s RAM, %s, core %s%n", Sizes.label(p.mem),
                p.trace == null ? String.format("Zipf(s=%.2f) over RAM pages above the image, %,d accesses after %,d warm-up, %.0f%% stores",
                        p.zipfS, p.accesses, p.warmup, 100 * p.storeFraction) : "trace " + p.trace,
                r.core().name));
        for (Side s : new Side[] {r.pte(), r.block()}) {
            Kernel k = s.kernel();
            b.append(String.format("%n[%s] %s%n", s.label(), k.cfg.summary()));
            b.append("  DirectMap:");
            for (MapSize m : k.geo.mapSizes()) {
                long bytes = k.directMap.bytes(m);
                if (bytes != 0) {
                    b.append(String.format(" %s %s", k.geo.directMapName(m), Sizes.label(bytes)));
                }
            }
            b.append(String.format("; linear-map page tables %s%n", Sizes.label(k.linearTableBytes())));
        }
        HwStats a = r.pte().stats();
        HwStats c = r.block().stats();
        double ipa = p.instructionsPerAccess;
        b.append(String.format("%n%-26s %18s %18s %10s%n", "", "PTE-mapped", "block-mapped", "change"));
        row(b, "accesses", a.accesses, c.accesses);
        for (int i = 0; i < a.tlbMisses.length; i++) {
            if (!a.used(i) && !c.used(i)) {
                continue;
            }
            row(b, a.tlbNames()[i] + " misses", a.tlbMisses[i], c.tlbMisses[i]);
            b.append(String.format("%-26s %18.3f %18.3f %9.1f%%%n", a.tlbNames()[i] + " MPKI", a.mpki(i, ipa), c.mpki(i, ipa),
                    change(a.mpki(i, ipa), c.mpki(i, ipa))));
        }
        row(b, "walks", a.walks, c.walks);
        row(b, "walk memory references", a.walkRefs, c.walkRefs);
        b.append(String.format("%-26s %18.2f %18.2f %9.1f%%%n", "ns per access", a.cyclesPerAccess() / r.core().frequencyGHz,
                c.cyclesPerAccess() / r.core().frequencyGHz, change(a.cyclesPerAccess(), c.cyclesPerAccess())));
        b.append(String.format("(MPKI with %s)%n", a.instructions > 0 ? "the trace's instruction count"
                : String.format("%.1f instructions per access", ipa)));
        return b.toString();
    }

    private static void row(StringBuilder b, String name, long x, long y) {
        b.append(String.format("%-26s %,18d %,18d %9.1f%%%n", name, x, y, change(x, y)));
    }

    private static double change(double x, double y) {
        return x == 0 ? 0 : 100.0 * (y - x) / x;
    }
}

package org.ptlab.study;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.ptlab.check.CollapseAudit;
import org.ptlab.check.Invariants;
import org.ptlab.check.Violation;
import org.ptlab.kernel.Cpu;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.KernelConfig;
import org.ptlab.kernel.KernelVersion;
import org.ptlab.kernel.MemoryLayout;
import org.ptlab.kernel.Rodata;
import org.ptlab.source.Driver;
import org.ptlab.source.MixedWorkload;
import org.ptlab.source.WorkloadSettings;

/**
 * The long-run degradation study: the same {@link MixedWorkload} (same seed, same arrivals) on
 * the same machine under each collapse variant, sampling the linear map over modelled time, with
 * the collapse audit run at every sample, the invariant checker every {@code checkEvery} samples
 * and at the end (and the per-page reference
 * model compared at the end when {@code reference} is set; it needs 8 bytes per page).
 */
public final class DegradationStudy {
    /** Collapse variants compared by default. */
    public static final List<String> VARIANTS = List.of("none", "seed001", "order-aware", "x86", "background");

    /** One variant's run. */
    public record Run(String variant, List<MixedWorkload.Sample> samples, long operations, long errors, String firstError,
            long collapses, long tablesFreed, List<Violation> violations, long checks, long millis, Kernel kernel) {}

    private DegradationStudy() {}

    /** The study's machine: Linux 7.2, 4K/48, rodata=full, Neoverse V3 CPUs (BBML2_NOABORT). */
    public static KernelConfig config(String collapse) {
        KernelConfig c = new KernelConfig();
        c.version = KernelVersion.V7_2;
        c.rodata = Rodata.FULL;
        c.cpus = new ArrayList<>(List.of(Cpu.parse("neoverse-v3")));
        c.variants = c.variants.with("execmem=rox-cache");
        c.variants = c.variants.with("collapse=" + collapse);
        return c;
    }

    /** Receives the booted kernel and each sample of one variant's run (e.g. a report recorder). */
    public interface Listener {
        default void booted(Kernel k) {}

        default void sampled(Kernel k, double hours) {}
    }

    /**
     * Run one variant. progress receives (variant, fraction done).
     */
    public static Run run(String collapse, long memBytes, WorkloadSettings s, boolean reference, int checkEvery,
            BiConsumer<String, Double> progress) {
        return run(collapse, memBytes, s, reference, checkEvery, progress, new Listener() {});
    }

    /** Run one variant, telling a listener about the boot and every sample. */
    public static Run run(String collapse, long memBytes, WorkloadSettings s, boolean reference, int checkEvery,
            BiConsumer<String, Double> progress, Listener listener) {
        return run(collapse, List.of(), memBytes, s, reference, checkEvery, progress, listener);
    }

    /** As above with extra variants (family=name) selected on top of the study's machine. */
    public static Run run(String collapse, List<String> extra, long memBytes, WorkloadSettings s, boolean reference, int checkEvery,
            BiConsumer<String, Double> progress, Listener listener) {
        long t0 = System.nanoTime();
        KernelConfig c = config(collapse);
        c.variants = c.variants.withVariants(extra);
        Kernel k = Kernel.boot(c, MemoryLayout.ofSize(memBytes));
        listener.booted(k);
        Driver d = new Driver(k, reference);
        MixedWorkload w = new MixedWorkload(k, d, s);
        List<Violation> viol = new ArrayList<>();
        long[] checks = {0};
        int[] n = {0};
        w.run(f -> {
            n[0]++;
            boolean full = f >= 1.0 || (checkEvery > 0 && n[0] % checkEvery == 0);
            if (full && viol.size() < 16) {
                checks[0]++;
                viol.addAll(Invariants.check(k));
            }
            List<Violation> a = CollapseAudit.drain(k);
            if (viol.size() < 16) {
                viol.addAll(a);
            }
            listener.sampled(k, f * s.hours());
            if (progress != null) {
                progress.accept(collapse, f);
            }
        });
        if (reference) {
            viol.addAll(d.ref.compare(5));
        }
        long total = 0;
        for (long x : k.collapse.collapses) {
            total += x;
        }
        return new Run(collapse, w.samples, w.operations, d.errors, d.firstError, total, k.collapse.tablesFreed,
                viol, checks[0], (System.nanoTime() - t0) / 1_000_000, k);
    }
}

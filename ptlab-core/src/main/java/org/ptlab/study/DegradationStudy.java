package org.ptlab.study;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.ptlab.check.CollapseAudit;
import org.ptlab.check.Invariants;
import org.ptlab.check.Violation;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.KernelConfig;
import org.ptlab.kernel.MachineSpec;
import org.ptlab.kernel.KernelVersion;
import org.ptlab.kernel.MemoryLayout;
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

    /**
     * The study's machine: Linux 7.2's rules on ptlab's neutral build (4K/48), rodata=full, a
     * Neoverse V3 CPU (BBML2_NOABORT); the RAM is the study's --mem. The machine options of
     * {@code ptlab study degradation} are laid over it.
     */
    public static MachineSpec machine() {
        MachineSpec m = new MachineSpec();
        m.kernel = null; // the neutral build of KernelVersion.NEWEST (7.2)
        m.rodata = "full";
        m.cpu = "neoverse-v3";
        return m;
    }

    /** The study's kernel configuration with this collapse variant. */
    public static KernelConfig config(String collapse) {
        return config(machine(), collapse, List.of());
    }

    /** machine's configuration with the study's variants (execmem=rox-cache, collapse=...) and then extra selected. */
    public static KernelConfig config(MachineSpec machine, String collapse, List<String> extra) {
        List<String> vs = new ArrayList<>(List.of("execmem=rox-cache", "collapse=" + collapse));
        vs.addAll(extra);
        return machine.with(x -> {
            x.mem = null; // the study's RAM is one range of memBytes (run below)
            x.memmap = null;
            x.iomem = null;
        }).withVariants(vs).build().cfg();
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
        return run(machine(), collapse, extra, memBytes, s, reference, checkEvery, progress, listener);
    }

    /** As above on another machine (the study's with the command's machine options laid over it). */
    public static Run run(MachineSpec machine, String collapse, List<String> extra, long memBytes, WorkloadSettings s, boolean reference,
            int checkEvery, BiConsumer<String, Double> progress, Listener listener) {
        long t0 = System.nanoTime();
        KernelConfig c = config(machine, collapse, extra);
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

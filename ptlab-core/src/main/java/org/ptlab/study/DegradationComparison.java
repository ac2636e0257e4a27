package org.ptlab.study;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.ptlab.arch.MapSize;
import org.ptlab.arch.Sizes;
import org.ptlab.check.Violation;
import org.ptlab.kernel.KernelConfig;
import org.ptlab.kernel.Variants;
import org.ptlab.source.MixedWorkload.Sample;
import org.ptlab.source.WorkloadSettings;

/**
 * {@code ptlab study degradation}'s orchestration: the settings checked, one {@link DegradationStudy}
 * run per collapse variant on a pool of {@code jobs} threads, progress as a total of per-mille
 * units (1000 per variant), and the results as text: the summary table per variant and the CSV.
 * The command line only parses options, draws the chart and writes the files.
 */
public final class DegradationComparison {
    /** What to compare. */
    public record Settings(long memBytes, List<String> variants, List<String> extraVariants, WorkloadSettings workload, boolean reference,
            int checkEvery, int jobs, org.ptlab.kernel.MachineSpec machine) {
        /** On the study's own machine ({@link DegradationStudy#machine()}). */
        public Settings(long memBytes, List<String> variants, List<String> extraVariants, WorkloadSettings workload, boolean reference,
                int checkEvery, int jobs) {
            this(memBytes, variants, extraVariants, workload, reference, checkEvery, jobs, DegradationStudy.machine());
        }

        public Settings {
            machine = machine.copy();
            if (memBytes < (1L << 30)) {
                throw new IllegalArgumentException("--mem: expected at least 1G, got " + Sizes.label(memBytes));
            }
            for (String v : variants) {
                Variants.none().with("collapse=" + v);
            }
            for (String v : extraVariants) {
                Variants.none().with(v);
                if (v.trim().startsWith("collapse=")) {
                    throw new IllegalArgumentException("--variant " + v + ": the collapse variant is the column: use --variants " + v.substring(9));
                }
            }
            if (checkEvery < 0) {
                throw new IllegalArgumentException("--check-every must be 0 or more");
            }
            if (jobs < 1) {
                throw new IllegalArgumentException("--jobs must be 1 or more");
            }
            variants = List.copyOf(variants);
            extraVariants = List.copyOf(extraVariants);
        }

        /** The settings from "NAME=VALUE" assignments over the defaults. */
        public static WorkloadSettings workload(List<String> assignments) {
            WorkloadSettings ws = WorkloadSettings.defaults();
            for (String s : assignments) {
                ws = ws.with(s);
            }
            return ws;
        }
    }

    private DegradationComparison() {}

    /** Progress units of a comparison: 1000 per variant. */
    public static long progressTotal(Settings s) {
        return 1000L * s.variants().size();
    }

    /** The machine line printed before the runs (the study's kernel without its collapse variant). */
    public static String machineLine(Settings s) {
        KernelConfig kc = DegradationStudy.config(s.machine(), "none", List.of());
        kc.variants = kc.variants.without("collapse");
        return String.format("# degradation study: %s RAM, %s", Sizes.label(s.memBytes()), kc.summary());
    }

    /**
     * Run every variant (jobs at a time); progress receives the per-mille units done so far over all
     * variants; listeners gives each variant's listener (e.g. a report recorder).
     */
    public static List<DegradationStudy.Run> run(Settings s, LongConsumer progress, Function<String, DegradationStudy.Listener> listeners)
            throws Exception {
        Map<String, Long> done = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(s.jobs());
        List<Future<DegradationStudy.Run>> fs = new ArrayList<>();
        for (String v : s.variants()) {
            done.put(v, 0L);
            DegradationStudy.Listener listener = listeners.apply(v);
            fs.add(pool.submit(() -> DegradationStudy.run(s.machine(), v, s.extraVariants(), s.memBytes(), s.workload(), s.reference(), s.checkEvery(), (name, f) -> {
                done.put(name, (long) (f * 1000));
                long sum = 0;
                for (long x : done.values()) {
                    sum += x;
                }
                synchronized (progress) {
                    progress.accept(sum);
                }
            }, listener)));
        }
        List<DegradationStudy.Run> runs = new ArrayList<>();
        try {
            for (Future<DegradationStudy.Run> f : fs) {
                runs.add(f.get());
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        } finally {
            pool.shutdownNow();
        }
        return runs;
    }

    /** Exit status of the comparison: 1 when any run found a violation. */
    public static int status(List<DegradationStudy.Run> runs) {
        for (DegradationStudy.Run r : runs) {
            if (!r.violations().isEmpty()) {
                return 1;
            }
        }
        return 0;
    }

    /** One variant's summary table (five samples over the run), failures and violations. */
    public static void summary(PrintWriter o, DegradationStudy.Run r) {
        o.printf("%n== collapse=%s: %d operations, %d collapses, %d tables freed by collapse, %d invariant checks, %.1f s%n",
                r.variant(), r.operations(), r.collapses(), r.tablesFreed(), r.checks(), r.millis() / 1000.0);
        o.printf("%8s %7s %9s %7s %9s %7s %12s %12s %14s%n", "hours", "PTE", "contPTE", "PMD", "contPMD", "PUD", "PageTables", "TLB entries", "bytes/entry");
        List<Sample> ss = r.samples();
        int n = ss.size() - 1;
        int[] at = {0, n / 4, n / 2, 3 * n / 4, n};
        int prev = -1;
        for (int i : at) {
            if (i == prev) {
                continue;
            }
            prev = i;
            Sample s = ss.get(i);
            o.printf(Locale.ROOT, "%8.1f %6.2f%% %8.2f%% %6.2f%% %8.2f%% %6.2f%% %9d kB %12d %14s%n", s.hours(),
                    100 * s.fraction(MapSize.PTE), 100 * s.fraction(MapSize.CONT_PTE), 100 * s.fraction(MapSize.PMD),
                    100 * s.fraction(MapSize.CONT_PMD), 100 * s.fraction(MapSize.PUD), s.tableBytes() >> 10, s.tlbEntries(),
                    perEntry(s.tlbEntries() == 0 ? 0 : (double) s.mappedBytes() / s.tlbEntries()));
        }
        if (r.errors() > 0) {
            o.printf("# %d calls failed, first: %s%n", r.errors(), r.firstError());
        }
        if (r.violations().isEmpty()) {
            o.println("# invariants and collapse audit: all hold");
        } else {
            o.printf("# VIOLATIONS (%d):%n", r.violations().size());
            for (Violation v : r.violations()) {
                o.println("#   " + v);
            }
        }
    }

    private static String perEntry(double b) {
        if (b >= 1 << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", b / (1 << 30));
        }
        if (b >= 1 << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", b / (1 << 20));
        }
        return String.format(Locale.ROOT, "%.1f KiB", b / 1024);
    }

    /** Every sample of every run as CSV (variant, hours, operations, bytes per mapping size, page tables, TLB entries). */
    public static String csv(List<DegradationStudy.Run> runs) {
        StringBuilder b = new StringBuilder(
                "variant,hours,operations,pte_bytes,cont_pte_bytes,pmd_bytes,cont_pmd_bytes,pud_bytes,pagetable_bytes,tlb_entries\n");
        for (DegradationStudy.Run r : runs) {
            for (Sample s : r.samples()) {
                b.append(r.variant()).append(',').append(String.format(Locale.ROOT, "%.4f", s.hours())).append(',').append(s.operations());
                for (long x : s.directMap()) {
                    b.append(',').append(x);
                }
                b.append(',').append(s.tableBytes()).append(',').append(s.tlbEntries()).append('\n');
            }
        }
        return b.toString();
    }
}

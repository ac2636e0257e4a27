package org.ptlab.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StackedXYAreaRenderer2;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.DefaultTableXYDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.svg.SVGGraphics2D;
import org.ptlab.arch.MapSize;
import org.ptlab.arch.Sizes;
import org.ptlab.check.Violation;
import org.ptlab.kernel.Variants;
import org.ptlab.workload.gen.DegradationStudy;
import org.ptlab.workload.gen.MixedWorkload.Sample;
import org.ptlab.workload.gen.WorkloadSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ptlab study ...}: long-run studies of the linear map. */
@Command(name = "study", mixinStandardHelpOptions = true,
        description = {"Long-run studies of the modelled linear map.", "Example: ptlab study degradation"},
        subcommands = {StudyCommand.Degradation.class})
final class StudyCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code ptlab study degradation}. */
    @Command(name = "degradation", mixinStandardHelpOptions = true,
            description = {"Run the same mixed workload (module churn, BPF JIT, execmem ROX cache, secretmem, KFENCE-like pages)",
                "over a long modelled time under each collapse variant, on Linux 7.2, rodata=full, BBML2_NOABORT (block-mapped",
                "linear map, splits live), and report the DirectMap breakdown, page-table memory and TLB entries needed over time.",
                "Writes DIR/degradation.csv, DIR/degradation.png and DIR/degradation.svg.",
                "TLB entries = number of leaf translations needed to map the linear map once: one per PTE, per contPTE group,",
                "per PMD block, per contPMD group, per PUD block (what a TLB able to hold every size would need to cover it).",
                "Example: ptlab study degradation --set hours=24 --out /tmp/study"})
    static final class Degradation implements java.util.concurrent.Callable<Integer> {
        @Option(names = "--mem", paramLabel = "SIZE", description = "RAM of the machine (default ${DEFAULT-VALUE})")
        String mem = "256G";

        @Option(names = "--variants", paramLabel = "LIST", split = ",", description = "collapse variants to compare (default: all)")
        List<String> variants = new ArrayList<>(DegradationStudy.VARIANTS);

        @Option(names = "--set", paramLabel = "NAME=VALUE", description = "a workload setting (repeatable): hours, modules.rate, modules.life, "
                + "modules.text-max, bpf.rate, bpf.life, execmem.rate, execmem.life, execmem.max, secretmem.rate, secretmem.pages, "
                + "secretmem.life, kfence.rate, kfence.life, scan.seconds, scan.bytes, samples, seed")
        List<String> settings = new ArrayList<>();

        @Option(names = "--out", paramLabel = "DIR", description = "output directory (default ${DEFAULT-VALUE})")
        Path out = Path.of("study-out");

        @Option(names = "--check-every", paramLabel = "N", description = "run the invariant checker every N samples (default 0: at the end only; the collapse audit runs at every sample)")
        int checkEvery;

        @Option(names = "--jobs", paramLabel = "N", description = "variants run in parallel (default: min(2, CPUs))")
        Integer jobs;

        @Option(names = "--report", paramLabel = "OUT.html", description = "also write a self-contained HTML report: one column per variant, one step per sample")
        Path report;

        @Option(names = "--reference", description = "also track the per-page reference model (8 bytes per page of RAM) and compare it at the end")
        boolean reference;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter o = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            long memBytes = Sizes.parse(mem);
            if (memBytes < (1L << 30)) {
                throw new IllegalArgumentException("--mem: expected at least 1G, got " + mem);
            }
            WorkloadSettings ws = WorkloadSettings.defaults();
            for (String s : settings) {
                ws = ws.with(s);
            }
            for (String v : variants) {
                Variants.none().with("collapse=" + v);
            }
            if (checkEvery < 0) {
                throw new IllegalArgumentException("--check-every must be 0 or more");
            }
            int nj = jobs != null ? jobs : Math.min(2, Runtime.getRuntime().availableProcessors());
            if (nj < 1) {
                throw new IllegalArgumentException("--jobs must be 1 or more");
            }
            Files.createDirectories(out);
            org.ptlab.kernel.KernelConfig kc = DegradationStudy.config("none");
            kc.variants = kc.variants.without("collapse");
            o.printf("# degradation study: %s RAM, %s%n", Sizes.label(memBytes), kc.summary());
            o.printf("# workload: %s%n", ws);
            o.flush();
            Map<String, Double> done = new ConcurrentHashMap<>();
            long t0 = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(nj);
            List<Future<DegradationStudy.Run>> fs = new ArrayList<>();
            final WorkloadSettings w = ws;
            Map<String, org.ptlab.report.Recorder> recorders = new ConcurrentHashMap<>();
            for (String v : variants) {
                done.put(v, 0.0);
                DegradationStudy.Listener listener = report == null ? new DegradationStudy.Listener() {} : new DegradationStudy.Listener() {
                    @Override
                    public void booted(org.ptlab.kernel.Kernel k) {
                        recorders.put(v, new org.ptlab.report.Recorder(k, "study degradation", "collapse=" + v, false));
                    }

                    @Override
                    public void sampled(org.ptlab.kernel.Kernel k, double hours) {
                        recorders.get(v).snapshot(String.format(Locale.ROOT, "%.1f h", hours));
                    }
                };
                fs.add(pool.submit(() -> DegradationStudy.run(v, memBytes, w, reference, checkEvery, (name, f) -> {
                    done.put(name, f);
                    progress(err, done, t0);
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
            synchronized (err) {
                err.print("\r\033[K");
                err.flush();
            }
            int status = 0;
            for (DegradationStudy.Run r : runs) {
                summary(o, r);
                if (!r.violations().isEmpty()) {
                    status = 1;
                }
            }
            Path csv = out.resolve("degradation.csv");
            writeAtomically(csv, os -> os.write(csv(runs).getBytes(StandardCharsets.UTF_8)));
            JFreeChart chart = chart(runs, ws, memBytes);
            int width = 1000;
            int height = 220 * runs.size() + 120;
            Path png = out.resolve("degradation.png");
            writeAtomically(png, os -> ChartUtils.writeChartAsPNG(os, chart, width, height));
            Path svg = out.resolve("degradation.svg");
            SVGGraphics2D g = new SVGGraphics2D(width, height);
            chart.draw(g, new Rectangle(0, 0, width, height));
            String doc = g.getSVGDocument();
            writeAtomically(svg, os -> os.write(doc.getBytes(StandardCharsets.UTF_8)));
            if (report != null) {
                List<org.ptlab.report.RunRecord> recs = new ArrayList<>();
                for (String v : variants) {
                    recs.add(recorders.get(v).finish());
                }
                org.ptlab.report.AtomicOutput.writeString(report, org.ptlab.report.HtmlReport.render("study degradation", recs));
                o.printf("# wrote %s%n", report);
            }
            o.printf("# wrote %s, %s, %s (%.1f s)%n", csv, png, svg, (System.nanoTime() - t0) / 1e9);
            o.flush();
            return status;
        }

        private static long lastPrint;

        private static void progress(PrintWriter err, Map<String, Double> done, long t0) {
            long now = System.nanoTime();
            synchronized (err) {
                if (now - lastPrint < 200_000_000L) {
                    return;
                }
                lastPrint = now;
                StringBuilder b = new StringBuilder("\r\033[Kstudy degradation:");
                for (Map.Entry<String, Double> e : new java.util.TreeMap<>(done).entrySet()) {
                    b.append(String.format(Locale.ROOT, " %s %3.0f%%", e.getKey(), e.getValue() * 100));
                }
                b.append(String.format(Locale.ROOT, "  %.0f s", (now - t0) / 1e9));
                err.print(b);
                err.flush();
            }
        }

        private static void summary(PrintWriter o, DegradationStudy.Run r) {
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

        static String csv(List<DegradationStudy.Run> runs) {
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

        static JFreeChart chart(List<DegradationStudy.Run> runs, WorkloadSettings ws, long mem) {
            System.setProperty("java.awt.headless", "true");
            NumberAxis x = new NumberAxis("modelled hours");
            CombinedDomainXYPlot plot = new CombinedDomainXYPlot(x);
            plot.setGap(12);
            x.setRange(0, ws.hours());
            XYPlot firstPlot = null;
            Color[] colors = {new Color(0xd62728), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0x17becf), new Color(0x1f77b4)};
            for (DegradationStudy.Run r : runs) {
                DefaultTableXYDataset ds = new DefaultTableXYDataset();
                for (MapSize m : MapSize.values()) {
                    XYSeries s = new XYSeries(label(m), false, false);
                    double last = -1;
                    for (Sample p : r.samples()) {
                        if (p.hours() == last) {
                            continue;
                        }
                        last = p.hours();
                        s.add(p.hours(), p.fraction(m));
                    }
                    ds.addSeries(s);
                }
                NumberAxis y = new NumberAxis("collapse=" + r.variant());
                y.setRange(0, 1);
                y.setLabelFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
                StackedXYAreaRenderer2 rend = new StackedXYAreaRenderer2();
                for (int i = 0; i < colors.length; i++) {
                    rend.setSeriesPaint(i, colors[i]);
                    rend.setSeriesStroke(i, new BasicStroke(0.5f));
                }
                XYPlot p = new XYPlot(ds, null, y, rend);
                p.setBackgroundPaint(Color.WHITE);
                p.setRangeGridlinePaint(Color.LIGHT_GRAY);
                plot.add(p, 1);
                if (firstPlot == null) {
                    firstPlot = p;
                }
            }
            if (firstPlot != null) {
                plot.setFixedLegendItems(firstPlot.getLegendItems());
            }
            JFreeChart c = new JFreeChart("Fraction of the linear map per mapping size", new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
            c.addSubtitle(new TextTitle(String.format("%s RAM, Linux 7.2, 4K pages, rodata=full, BBML2_NOABORT; workload: %s",
                    Sizes.label(mem), ws), new Font(Font.SANS_SERIF, Font.PLAIN, 10)));
            c.setBackgroundPaint(Color.WHITE);
            return c;
        }

        private static String label(MapSize m) {
            switch (m) {
                case PTE: return "PTE (4K)";
                case CONT_PTE: return "contPTE (64K)";
                case PMD: return "PMD (2M)";
                case CONT_PMD: return "contPMD (32M)";
                default: return "PUD (1G)";
            }
        }

        interface Writer {
            void write(OutputStream os) throws IOException;
        }

        /** Write to a temporary file in the same directory, then rename over the target. */
        static void writeAtomically(Path target, Writer w) throws IOException {
            Path dir = target.toAbsolutePath().getParent();
            Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            try {
                try (OutputStream os = Files.newOutputStream(tmp)) {
                    w.write(os);
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }
}

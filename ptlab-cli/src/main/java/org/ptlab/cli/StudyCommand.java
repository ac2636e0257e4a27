package org.ptlab.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
import org.ptlab.report.AtomicOutput;
import org.ptlab.report.ProgressReporter;
import org.ptlab.source.MixedWorkload.Sample;
import org.ptlab.source.WorkloadSettings;
import org.ptlab.study.DegradationComparison;
import org.ptlab.study.DegradationStudy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ptlab study ...}: long-run studies of the linear map. */
@Command(name = "study",
        header = "Long-run studies of the modelled linear map (degradation under each collapse variant).", mixinStandardHelpOptions = true,
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
    @Command(name = "degradation",
        header = "Run a mixed workload for modelled hours under each collapse variant and report how the linear map degrades.", mixinStandardHelpOptions = true,
            description = {"Run the same mixed workload (module churn, BPF JIT, execmem ROX cache, secretmem, KFENCE-like pages)",
                "over a long modelled time under each collapse variant, on Linux 7.2, rodata=full, BBML2_NOABORT (block-mapped",
                "linear map, splits live), and report the DirectMap breakdown, page-table memory and TLB entries needed over time.",
                "Writes DIR/degradation.csv, DIR/degradation.png and DIR/degradation.svg.",
                "TLB entries = number of leaf translations needed to map the linear map once: one per PTE, per contPTE group,",
                "per PMD block, per contPMD group, per PUD block (what a TLB able to hold every size would need to cover it).",
                "Example: ptlab study degradation --set hours=24 --out /tmp/study"})
    static final class Degradation implements java.util.concurrent.Callable<Integer> {
        /** The machine options, laid over the study's machine (Linux 7.2, rodata=full, Neoverse-V3; --mem default 256G). */
        @picocli.CommandLine.Mixin
        MachineOptions machine = new MachineOptions();

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
            org.ptlab.kernel.MachineSpec given = machine.spec();
            if (given.memmap != null || given.iomem != null) {
                throw new IllegalArgumentException("--memmap/--iomem/--from-capture: the study's machine has one RAM range of --mem bytes");
            }
            long memBytes = Sizes.parse(given.mem == null ? "256G" : given.mem);
            int nj = jobs != null ? jobs : Math.min(2, Runtime.getRuntime().availableProcessors());
            // --variant selects for every column (not collapse=, which --variants sets per column)
            DegradationComparison.Settings st = new DegradationComparison.Settings(memBytes, variants, given.variants,
                    DegradationComparison.Settings.workload(settings), reference, checkEvery, nj,
                    org.ptlab.study.DegradationStudy.machine().overlay(given.with(x -> x.variants = new ArrayList<>())));
            AtomicOutput.checkDir(out); // before the work: a file where the folder should be, a missing parent
            AtomicOutput.checkFile(report);
            o.println(DegradationComparison.machineLine(st));
            o.printf("# workload: %s%n", st.workload());
            o.flush();
            long t0 = System.nanoTime();
            Map<String, org.ptlab.report.Recorder> recorders = new ConcurrentHashMap<>();
            List<DegradationStudy.Run> runs;
            PrintWriter err = spec.commandLine().getErr();
            java.io.PrintStream errStream = new java.io.PrintStream(new java.io.OutputStream() {
                @Override
                public void write(int b) {
                    err.write(b); // progress text is ASCII
                }

                @Override
                public void flush() {
                    err.flush();
                }
            }, true, java.nio.charset.StandardCharsets.US_ASCII);
            // a line a second when not on a terminal: a study runs for minutes
            try (ProgressReporter progress = new ProgressReporter("study degradation", "per-mille", DegradationComparison.progressTotal(st),
                    errStream, ProgressReporter.stderrIsTerminal(), 1, System::nanoTime)) {
                progress.printNow(); // the first line at once, in plain mode too: a study runs for minutes
                runs = DegradationComparison.run(st, progress::update, v -> report == null ? new DegradationStudy.Listener() {}
                        : new DegradationStudy.Listener() {
                            @Override
                            public void booted(org.ptlab.kernel.Kernel k) {
                                org.ptlab.report.Recorder rc = new org.ptlab.report.Recorder(k, "study degradation", "collapse=" + v, false);
                                rc.record().xUnit = "hours";
                                recorders.put(v, rc);
                            }

                            @Override
                            public void sampled(org.ptlab.kernel.Kernel k, double hours) {
                                recorders.get(v).snapshot(String.format(Locale.ROOT, "%.1f h", hours), hours);
                            }
                        });
            }
            for (DegradationStudy.Run r : runs) {
                DegradationComparison.summary(o, r);
            }
            JFreeChart chart = chart(runs, st.workload(), memBytes);
            int width = 1000;
            int height = 220 * runs.size() + 120;
            SVGGraphics2D g = new SVGGraphics2D(width, height);
            g.setDefsKeyPrefix("ptlab-"); // fixed ids (the default is time-based): identical runs give identical files
            chart.draw(g, new Rectangle(0, 0, width, height));
            String doc = g.getSVGDocument();
            String table = DegradationComparison.csv(runs);
            Map<String, org.ptlab.io.OutputFiles.Body> files = new java.util.LinkedHashMap<>();
            files.put("degradation.csv", os -> os.write(table.getBytes(StandardCharsets.UTF_8)));
            files.put("degradation.png", os -> ChartUtils.writeChartAsPNG(os, chart, width, height));
            files.put("degradation.svg", os -> os.write(doc.getBytes(StandardCharsets.UTF_8)));
            AtomicOutput.writeSet(out, MANIFEST, files);
            Path csv = out.resolve("degradation.csv");
            Path png = out.resolve("degradation.png");
            Path svg = out.resolve("degradation.svg");
            if (report != null) {
                List<org.ptlab.report.RunRecord> recs = new ArrayList<>();
                for (String v : variants) {
                    recs.add(recorders.get(v).finish());
                }
                AtomicOutput.writeString(report, org.ptlab.report.HtmlReport.render("study degradation", recs));
                o.printf("# wrote %s%n", report);
            }
            o.printf("# wrote %s, %s, %s and %s last (%.1f s)%n", csv, png, svg, out.resolve(MANIFEST), (System.nanoTime() - t0) / 1e9);
            o.flush();
            return DegradationComparison.status(runs);
        }

        /** The manifest of the output set, written after the CSV, PNG and SVG (see docs/reports.md). */
        static final String MANIFEST = "degradation.manifest";

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

    }
}

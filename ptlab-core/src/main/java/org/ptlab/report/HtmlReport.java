package org.ptlab.report;

import java.util.List;
import java.util.Map;

/**
 * The HTML report: one self-contained file (inline CSS and JavaScript, charts drawn by uPlot inlined
 * from its webjar, the data as embedded JSON; no network access). The page's own script and style are
 * resources next to this class (report.js, report.css, capture.js) showing, for each run (variant column): the configuration, the
 * summary table, plots over the steps (DirectMap breakdown, page-table memory, TLB maintenance and
 * TLB misses where a hardware model measured them), a zoomable map of the linear map coloured by
 * mapping size, and the first violation with the steps that led to it.
 *
 * <p>The page's script writes every number it computes into an element with an id
 * ({@code sum-RUN-KEY}, {@code map-RUN-bytes-SIZE}, {@code render-status}) and copies script errors
 * and {@code console.error} calls into {@code <pre id="console-errors">}, so a headless browser's
 * {@code --dump-dom} shows both what was rendered and whether anything failed.
 */
public final class HtmlReport {
    private HtmlReport() {}

    /** The summary keys, in table order (the ids the page writes are sum-RUN-KEY). */
    public static final List<String> SUMMARY_KEYS = List.of("linear-pt-pages", "linear-pt-kb", "pt-pages", "splits", "collapses",
            "tlbi", "tlbi-pages", "tlbi-all", "dsb", "isb", "warnings", "violations");

    public static String render(String title, List<RunRecord> runs) {
        StringBuilder b = new StringBuilder(64 * 1024);
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>ptlab report: ").append(esc(title)).append("</title>\n")
                .append("<style>\n").append(CSS).append("</style>\n")
                // error capture first, so that anything later is caught
                .append("<script>\n").append(CAPTURE).append("</script>\n")
                .append("</head>\n<body>\n")
                .append("<h1>ptlab report: ").append(esc(title)).append("</h1>\n");
        b.append("<section id=\"config\"><h2>Configuration</h2>\n");
        for (int i = 0; i < runs.size(); i++) {
            RunRecord r = runs.get(i);
            b.append("<h3>").append(esc(columnName(r, i))).append("</h3>\n<table class=\"kv\" id=\"config-").append(i).append("\">\n");
            b.append("<tr><th>source</th><td>").append(esc(r.source)).append("</td></tr>\n");
            for (Map.Entry<String, String> e : r.config.entrySet()) {
                b.append("<tr><th>").append(esc(e.getKey())).append("</th><td>").append(esc(e.getValue())).append("</td></tr>\n");
            }
            b.append("</table>\n");
            if (!r.notes.isEmpty()) {
                b.append("<ul class=\"notes\">\n");
                for (String n : r.notes) {
                    b.append("<li>").append(esc(n)).append("</li>\n");
                }
                b.append("</ul>\n");
            }
        }
        b.append("</section>\n");
        b.append("<section id=\"summary\"><h2>Summary (end of run)</h2>\n<table id=\"summary-table\"></table>\n")
                .append("<p class=\"hint\">Rows marked &#9650; differ between columns.</p></section>\n");
        b.append("<section id=\"plots\"><h2>Over the steps</h2><div id=\"plot-area\"></div></section>\n");
        b.append("<section id=\"maps\"><h2>Linear map by mapping size</h2>\n")
                .append("<p class=\"hint\">Scroll to zoom, drag to pan, double-click to reset. Hover a run for its range.</p>\n")
                .append("<div id=\"map-area\"></div></section>\n");
        b.append("<section id=\"violations\"><h2>First violation</h2><div id=\"violation-area\"></div></section>\n");
        b.append("<section id=\"ops\"><h2>Maintenance per kernel operation</h2><div id=\"ops-area\"></div></section>\n");
        b.append("<h2>Page status</h2>\n<p>render status: <span id=\"render-status\">not rendered (JavaScript off?)</span></p>\n")
                .append("<pre id=\"console-errors\"></pre>\n");
        b.append("<script type=\"application/json\" id=\"ptlab-data\">")
                .append(RunRecord.toCompactJson(runs).replace("</", "<\\/").replace("<!--", "<\\!--"))
                .append("</script>\n");
        b.append("<script>\n").append(SCRIPT).append("</script>\n</body>\n</html>\n");
        return b.toString();
    }

    /** The column heading of run i: its variant label, or "run i". */
    public static String columnName(RunRecord r, int i) {
        return r.label == null || r.label.isEmpty() ? "run " + (i + 1) : r.label;
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<': b.append("&lt;"); break;
                case '>': b.append("&gt;"); break;
                case '&': b.append("&amp;"); break;
                case '"': b.append("&quot;"); break;
                case '\'': b.append("&#39;"); break;
                default: b.append(c);
            }
        }
        return b.toString();
    }

    /** uPlot (org.webjars.npm:uplot), inlined so the report loads nothing from the network. */
    static final String UPLOT_DIR = "META-INF/resources/webjars/uplot/1.6.30/dist/";

    private static final String CSS = resource(UPLOT_DIR + "uPlot.min.css") + "\n" + resource("org/ptlab/report/report.css");
    private static final String CAPTURE = resource("org/ptlab/report/capture.js");
    private static final String SCRIPT = resource(UPLOT_DIR + "uPlot.iife.min.js").replace("</script", "<\\/script") + "\n"
            + resource("org/ptlab/report/report.js");

    private static String resource(String name) {
        try (java.io.InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " missing from the class path (the build packs it)");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read resource " + name, e);
        }
    }
}

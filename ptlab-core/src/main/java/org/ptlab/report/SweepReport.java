package org.ptlab.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.ptlab.sweep.Row;

/**
 * The HTML summary of a sweep ({@code OUT/summary.html}): one self-contained page with every row
 * and, for each numeric figure, a plot of the figure over the first axis with one line per
 * combination of the other axes (inline SVG, no script, no network).
 */
public final class SweepReport {
    private SweepReport() {}

    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
        "#bcbd22", "#17becf"};

    public static String render(String file, String description, List<String> axes, List<Row> rows, String campaignText) {
        StringBuilder b = new StringBuilder(32 * 1024);
        String title = "ptlab sweep " + file;
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").append(HtmlReport.esc(title))
                .append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;font-size:12px}"
                        + "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}th{background:#f4f4f4}"
                        + ".plot{display:inline-block;margin:0 1em 1em 0;vertical-align:top}.plot h3{font-size:13px;margin:0}"
                        + "pre{background:#f8f8f8;padding:.5em}.violation{color:#b00}.error{color:#a60}\n")
                .append("</style>\n</head>\n<body>\n<h1>").append(HtmlReport.esc(title)).append("</h1>\n<p>").append(HtmlReport.esc(description))
                .append("; ").append(rows.size()).append(" row(s)</p>\n");
        if (campaignText != null) {
            b.append("<h2>Campaign verdict</h2>\n<pre id=\"campaign\">").append(HtmlReport.esc(campaignText)).append("</pre>\n");
        }
        List<String> cols = Row.columns(rows);
        List<String> figures = new ArrayList<>();
        for (String c : cols) {
            if (c.equals("point") || axes.contains(c)) {
                continue;
            }
            boolean numeric = false;
            boolean all = true;
            for (Row r : rows) {
                Object v = r.get(c);
                if (v instanceof Number) {
                    numeric = true;
                } else if (v != null && !(v instanceof String s && s.isEmpty())) {
                    all = false;
                }
            }
            if (numeric && all && rows.stream().map(r -> String.valueOf(r.get(c))).distinct().count() > 1) {
                figures.add(c); // constant figures are in the table only
            }
        }
        if (!axes.isEmpty() && !figures.isEmpty()) {
            b.append("<h2>Figures over ").append(HtmlReport.esc(axes.get(0))).append("</h2>\n");
            for (String f : figures) {
                b.append(plot(f, axes, rows));
            }
        }
        b.append("<h2>Rows</h2>\n<table id=\"rows\">\n<tr>");
        for (String c : cols) {
            b.append("<th>").append(HtmlReport.esc(c)).append("</th>");
        }
        b.append("</tr>\n");
        for (Row r : rows) {
            String v = r.verdict();
            b.append("<tr").append(v.equals("violation") ? " class=\"violation\"" : v.equals("error") ? " class=\"error\"" : "").append('>');
            for (String c : cols) {
                Object x = r.get(c);
                b.append("<td>").append(HtmlReport.esc(x == null ? "" : String.valueOf(x))).append("</td>");
            }
            b.append("</tr>\n");
        }
        b.append("</table>\n</body>\n</html>\n");
        return b.toString();
    }

    /** One figure over the first axis, a line per combination of the other axes. */
    static String plot(String figure, List<String> axes, List<Row> rows) {
        String xAxis = axes.get(0);
        List<String> xs = new ArrayList<>(distinct(rows, xAxis));
        Map<String, Map<String, Double>> series = new LinkedHashMap<>();
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (Row r : rows) {
            if (!(r.get(figure) instanceof Number n)) {
                continue;
            }
            StringBuilder k = new StringBuilder();
            for (String a : axes.subList(1, axes.size())) {
                k.append(k.length() == 0 ? "" : " ").append(a).append('=').append(r.get(a));
            }
            double y = n.doubleValue();
            series.computeIfAbsent(k.length() == 0 ? figure : k.toString(), x -> new LinkedHashMap<>()).put(String.valueOf(r.get(xAxis)), y);
            min = Math.min(min, y);
            max = Math.max(max, y);
        }
        if (series.isEmpty()) {
            return "";
        }
        if (min == max) {
            min -= 1;
            max += 1;
        }
        int w = 420;
        int h = 220;
        int left = 70;
        int right = 10;
        int top = 10;
        int bottom = 40;
        StringBuilder b = new StringBuilder();
        b.append("<div class=\"plot\"><h3>").append(HtmlReport.esc(figure)).append("</h3>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(w).append("\" height=\"").append(h + 14 * Math.min(series.size(), 12)).append("\" font-size=\"10\">\n");
        b.append("<rect x=\"").append(left).append("\" y=\"").append(top).append("\" width=\"").append(w - left - right).append("\" height=\"")
                .append(h - top - bottom).append("\" fill=\"none\" stroke=\"#999\"/>\n");
        for (int i = 0; i <= 4; i++) {
            double v = min + (max - min) * i / 4;
            double y = top + (h - top - bottom) * (1 - i / 4.0);
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", left - 4, y + 3, num(v)));
        }
        for (int i = 0; i < xs.size(); i++) {
            double x = xPos(i, xs.size(), left, w - right);
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, h - bottom + 14,
                    HtmlReport.esc(xs.get(i))));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", (left + w - right) / 2, h - 8,
                HtmlReport.esc(xAxis)));
        int si = 0;
        for (Map.Entry<String, Map<String, Double>> e : series.entrySet()) {
            String color = COLORS[si % COLORS.length];
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < xs.size(); i++) {
                Double y = e.getValue().get(xs.get(i));
                if (y == null) {
                    continue;
                }
                double px = xPos(i, xs.size(), left, w - right);
                double py = top + (h - top - bottom) * (1 - (y - min) / (max - min));
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                b.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"><title>%s %s: %s</title></circle>\n",
                        px, py, color, HtmlReport.esc(e.getKey()), HtmlReport.esc(xs.get(i)), num(y)));
            }
            b.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" points=\"").append(pts.toString().trim()).append("\"/>\n");
            if (si < 12) {
                int ly = h + 14 * si;
                b.append("<line x1=\"").append(left).append("\" y1=\"").append(ly).append("\" x2=\"").append(left + 16).append("\" y2=\"")
                        .append(ly).append("\" stroke=\"").append(color).append("\" stroke-width=\"2\"/>");
                b.append("<text x=\"").append(left + 20).append("\" y=\"").append(ly + 3).append("\">").append(HtmlReport.esc(e.getKey()))
                        .append("</text>\n");
            }
            si++;
        }
        b.append("</svg></div>\n");
        return b.toString();
    }

    private static double xPos(int i, int n, int a, int b) {
        return n == 1 ? (a + b) / 2.0 : a + 20 + (b - a - 40) * (double) i / (n - 1);
    }

    private static String num(double v) {
        if (Math.abs(v) >= 1e6 || (v != 0 && Math.abs(v) < 1e-2)) {
            return String.format(Locale.ROOT, "%.3g", v);
        }
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static Set<String> distinct(List<Row> rows, String key) {
        Set<String> s = new LinkedHashSet<>();
        for (Row r : rows) {
            s.add(String.valueOf(r.get(key)));
        }
        return s;
    }
}

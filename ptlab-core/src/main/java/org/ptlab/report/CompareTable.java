package org.ptlab.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The side-by-side text table of `ptlab compare`: one column per run (variant), one row per counter
 * at the end of the run; rows whose values differ between columns are marked with {@code <==} at
 * the end, so the diverging counter stands out in a mail. Plain ASCII, fixed-width columns.
 *
 * <pre>
 *                                  account=seed000-v7  account=exact
 * DirectMap4k (kB)                             123456         120000  &lt;== differs
 * </pre>
 */
public final class CompareTable {
    private CompareTable() {}

    /** The rows: label -> value per run ("" when a run lacks the row, e.g. other geometry). */
    public static Map<String, List<String>> rows(List<RunRecord> runs) {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (int i = 0; i < runs.size(); i++) {
            RunRecord r = runs.get(i);
            RunRecord.Snapshot s = r.last();
            for (int j = 0; j < r.sizeNames.size(); j++) {
                put(rows, r.sizeNames.get(j) + " (kB)", i, runs.size(), Long.toString(s.directMapKb[j]));
            }
            put(rows, "PageTables, linear map (pages)", i, runs.size(), Long.toString(s.linearTablePages));
            put(rows, "PageTables, linear map (kB)", i, runs.size(), Long.toString(s.linearTablePages * r.pageSize >> 10));
            put(rows, "PageTables, all (pages)", i, runs.size(), Long.toString(s.tablePages));
            put(rows, "splits (linear tables installed)", i, runs.size(), Long.toString(s.splits));
            put(rows, "collapses (linear tables freed)", i, runs.size(), Long.toString(s.collapses));
            put(rows, "TLBI instructions", i, runs.size(), Long.toString(s.tlbi));
            put(rows, "TLBI pages (by VA)", i, runs.size(), Long.toString(s.tlbiPages));
            put(rows, "TLBI whole TLB", i, runs.size(), Long.toString(s.tlbiAll));
            put(rows, "DSB ISH", i, runs.size(), Long.toString(s.dsb));
            put(rows, "ISB", i, runs.size(), Long.toString(s.isb));
            put(rows, "kernel WARNs", i, runs.size(), Long.toString(r.warnCount));
            put(rows, "violations", i, runs.size(), Integer.toString(r.violations.size()));
            if (s.tlbMisses >= 0) {
                put(rows, "TLB misses (probe)", i, runs.size(), Long.toString(s.tlbMisses));
            }
            put(rows, "steps", i, runs.size(), Long.toString(s.step));
        }
        return rows;
    }

    private static void put(Map<String, List<String>> rows, String key, int i, int n, String v) {
        List<String> l = rows.computeIfAbsent(key, k -> {
            List<String> x = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                x.add("");
            }
            return x;
        });
        l.set(i, v);
    }

    /** Whether a row's values differ between columns. */
    public static boolean differs(List<String> values) {
        return values.stream().distinct().count() > 1;
    }

    /** The table as text, with the first violation of each run (if any) below it. */
    public static String render(String title, List<RunRecord> runs) {
        Map<String, List<String>> rows = rows(runs);
        int w0 = "".length();
        for (String k : rows.keySet()) {
            w0 = Math.max(w0, k.length());
        }
        int[] w = new int[runs.size()];
        for (int i = 0; i < runs.size(); i++) {
            w[i] = HtmlReport.columnName(runs.get(i), i).length();
            for (List<String> v : rows.values()) {
                w[i] = Math.max(w[i], v.get(i).length());
            }
        }
        StringBuilder b = new StringBuilder();
        b.append("# ").append(title).append('\n');
        if (!runs.isEmpty()) {
            String kernel = runs.get(0).config.getOrDefault("kernel", "");
            int v = kernel.indexOf(", variants ");
            b.append("# ").append(v >= 0 ? kernel.substring(0, v) : kernel).append('\n');
        }
        b.append(pad("", w0));
        for (int i = 0; i < runs.size(); i++) {
            b.append("  ").append(padLeft(HtmlReport.columnName(runs.get(i), i), w[i]));
        }
        b.append('\n');
        for (Map.Entry<String, List<String>> e : rows.entrySet()) {
            b.append(pad(e.getKey(), w0));
            for (int i = 0; i < runs.size(); i++) {
                b.append("  ").append(padLeft(e.getValue().get(i), w[i]));
            }
            if (runs.size() > 1 && differs(e.getValue())) {
                b.append("  <== differs");
            }
            b.append('\n');
        }
        for (int i = 0; i < runs.size(); i++) {
            RunRecord r = runs.get(i);
            for (RunRecord.ViolationRecord v : r.violations) {
                b.append(HtmlReport.columnName(r, i)).append(": VIOLATION after ").append(v.where).append(": ")
                        .append(v.invariant).append(": ").append(v.message).append('\n');
            }
        }
        return b.toString();
    }

    private static String pad(String s, int w) {
        StringBuilder b = new StringBuilder(s);
        while (b.length() < w) {
            b.append(' ');
        }
        return b.toString();
    }

    private static String padLeft(String s, int w) {
        StringBuilder b = new StringBuilder();
        for (int i = s.length(); i < w; i++) {
            b.append(' ');
        }
        return b.append(s).toString();
    }
}

package org.ptlab.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One result row: {@code point}, the axes, {@code verdict}, the job's figures, {@code detail} and
 * {@code error}, in that order. A row travels between engine and driver as one line of JSON; the
 * same row always gives the same bytes.
 */
public final class Row {
    private static final ObjectMapper JSON = new ObjectMapper();

    final LinkedHashMap<String, Object> cells;

    Row(LinkedHashMap<String, Object> cells) {
        this.cells = cells;
    }

    /** A row for job with its axes filled in; the caller adds verdict and figures. */
    static Row start(Job j) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        m.put("point", j.index());
        m.putAll(j.axes());
        return new Row(m);
    }

    Row put(String k, Object v) {
        cells.put(k, v);
        return this;
    }

    /** The same row under another point number (a resumed row whose point moved). */
    public Row withPoint(int p) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>(cells);
        m.put("point", p);
        return new Row(m);
    }

    public int point() {
        return ((Number) cells.get("point")).intValue();
    }

    public String verdict() {
        return String.valueOf(cells.get("verdict"));
    }

    public Object get(String k) {
        return cells.get(k);
    }

    public Map<String, Object> cells() {
        return java.util.Collections.unmodifiableMap(cells);
    }

    /** One line of JSON (no newline). */
    public String json() {
        try {
            return JSON.writeValueAsString(cells);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Row parse(String json) {
        try {
            LinkedHashMap<String, Object> m = JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
            if (!(m.get("point") instanceof Number)) {
                throw new IllegalArgumentException("a result row without a point number");
            }
            return new Row(m);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad result row: " + e.getOriginalMessage());
        }
    }

    /** The CSV columns of these rows: every key in first-seen order, detail and error last. */
    public static List<String> columns(List<Row> rows) {
        Set<String> s = new LinkedHashSet<>();
        for (Row r : rows) {
            s.addAll(r.cells.keySet());
        }
        s.remove("detail");
        s.remove("error");
        List<String> l = new ArrayList<>(s);
        l.add("detail");
        l.add("error");
        return l;
    }

    public static String csv(List<Row> rows) {
        List<String> cols = columns(rows);
        StringBuilder b = new StringBuilder();
        b.append(String.join(",", cols.stream().map(Row::csvField).toList())).append('\n');
        for (Row r : rows) {
            for (int i = 0; i < cols.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                Object v = r.cells.get(cols.get(i));
                b.append(csvField(v == null ? "" : String.valueOf(v)));
            }
            b.append('\n');
        }
        return b.toString();
    }

    static String csvField(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}

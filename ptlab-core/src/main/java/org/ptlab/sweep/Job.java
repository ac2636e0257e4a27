package org.ptlab.sweep;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One point of a sweep (or one work unit of a campaign): everything it needs travels with it (the
 * base's scenario text included), so it runs the same in this JVM or on a Spark executor elsewhere.
 *
 * @param index the point's position in the sweep (rows are sorted by it)
 * @param axes the point's axis values, in axis order
 * @param base what runs at every point
 */
public record Job(int index, LinkedHashMap<String, String> axes, Base base) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The base job: its kind, the scenario file (name and text) for run and explore, and its options. */
    public record Base(SweepSpec.Kind kind, String file, String text, LinkedHashMap<String, String> options) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** The point's identity for --resume: its axis values, in order ("mem=2G collapse=none seed=1"). */
    public String key() {
        return key(axes);
    }

    public static String key(Map<String, String> axes) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : axes.entrySet()) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(e.getKey()).append('=').append(e.getValue());
        }
        return b.toString();
    }

    /** The value of key: the point's axis, else the base's option, else def. */
    String value(String key, String def) {
        String v = axes.get(key);
        if (v == null) {
            v = base.options().get(key);
        }
        return v == null ? def : v;
    }
}

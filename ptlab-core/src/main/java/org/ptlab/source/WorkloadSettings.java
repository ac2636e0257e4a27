package org.ptlab.source;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.ptlab.arch.Sizes;

/**
 * Rates and lifetimes of the generators of {@link MixedWorkload}, in modelled time. Rates are
 * arrivals per modelled hour (Poisson), lifetimes are means of exponential distributions in
 * hours. Every field can be set by name with {@link #with} ("modules.rate=30"), which is what the
 * CLI's {@code --set} and the {@code workload:} scenario step use.
 *
 * @param hours modelled duration
 * @param moduleRate module loads per hour (each: text ROX, rodata RO, data NX, ro_after_init RO)
 * @param moduleLife mean module lifetime
 * @param moduleTextMax largest module text (sizes are uniform from one page)
 * @param bpfRate BPF JIT programs per hour (each an execmem allocation made ROX)
 * @param bpfLife mean BPF program lifetime
 * @param execmemRate execmem ROX cache allocations per hour (sub-range RW, copy, back to ROX)
 * @param execmemLife mean lifetime of such an allocation
 * @param execmemMax largest execmem cache allocation
 * @param secretRate memfd_secret mappings per hour
 * @param secretPages largest number of pages of one secretmem mapping
 * @param secretLife mean secretmem lifetime
 * @param kfenceRate KFENCE-like single-page invalidations per hour
 * @param kfenceLife mean lifetime of such a page
 * @param scanSeconds background collapse: modelled seconds between scans
 * @param scanBytes background collapse: linear-map bytes looked at per scan
 * @param samples number of samples of the linear map taken over the run
 * @param seed random seed
 */
public record WorkloadSettings(double hours, double moduleRate, double moduleLife, long moduleTextMax,
        double bpfRate, double bpfLife, double execmemRate, double execmemLife, long execmemMax,
        double secretRate, int secretPages, double secretLife, double kfenceRate, double kfenceLife,
        double scanSeconds, long scanBytes, int samples, long seed) {

    /** The default mixed workload of `ptlab study degradation` (a modelled week). */
    public static WorkloadSettings defaults() {
        return new WorkloadSettings(168, 2, 24, 512L << 10,
                20, 1, 6, 12, 64L << 10,
                10, 16, 2, 20, 0.5,
                30, 1L << 30, 84, 1);
    }

    private static final String[] KEYS = {"hours", "modules.rate", "modules.life", "modules.text-max", "bpf.rate", "bpf.life",
        "execmem.rate", "execmem.life", "execmem.max", "secretmem.rate", "secretmem.pages", "secretmem.life", "kfence.rate",
        "kfence.life", "scan.seconds", "scan.bytes", "samples", "seed"};

    /** The settable names, in order. */
    public static String[] keys() {
        return KEYS.clone();
    }

    /** A copy with one field set by name; IllegalArgumentException for unknown names or bad values. */
    public WorkloadSettings with(String key, String value) {
        Map<String, Object> m = asMap();
        if (!m.containsKey(key)) {
            throw new IllegalArgumentException("unknown workload setting '" + key + "': expected one of " + String.join(", ", KEYS));
        }
        Object old = m.get(key);
        try {
            if (old instanceof Long) {
                m.put(key, key.equals("seed") ? Long.decode(value.trim()) : Sizes.parse(value.trim()));
            } else if (old instanceof Integer) {
                m.put(key, Integer.parseInt(value.trim()));
            } else {
                double d = Double.parseDouble(value.trim());
                if (d < 0 || Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new NumberFormatException();
                }
                m.put(key, d);
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("bad value '" + value + "' for workload setting " + key + ": expected "
                    + (old instanceof Long ? (key.equals("seed") ? "an integer" : "a size such as 64K") : old instanceof Integer ? "an integer" : "a number >= 0"));
        }
        Object[] v = m.values().toArray();
        WorkloadSettings w = new WorkloadSettings((double) v[0], (double) v[1], (double) v[2], (long) v[3], (double) v[4], (double) v[5],
                (double) v[6], (double) v[7], (long) v[8], (double) v[9], (int) v[10], (double) v[11], (double) v[12], (double) v[13],
                (double) v[14], (long) v[15], (int) v[16], (long) v[17]);
        w.validate();
        return w;
    }

    /** "key=value" */
    public WorkloadSettings with(String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("bad workload setting '" + assignment + "': expected name=value, e.g. modules.rate=30");
        }
        return with(assignment.substring(0, eq).trim(), assignment.substring(eq + 1));
    }

    void validate() {
        if (hours <= 0 || samples < 1 || secretPages < 1 || scanSeconds <= 0 || moduleTextMax <= 0 || execmemMax <= 0) {
            throw new IllegalArgumentException("workload settings: hours, samples, secretmem.pages, scan.seconds, modules.text-max and execmem.max must be above zero");
        }
    }

    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        Object[] v = {hours, moduleRate, moduleLife, moduleTextMax, bpfRate, bpfLife, execmemRate, execmemLife, execmemMax, secretRate,
            secretPages, secretLife, kfenceRate, kfenceLife, scanSeconds, scanBytes, samples, seed};
        for (int i = 0; i < KEYS.length; i++) {
            m.put(KEYS[i], v[i]);
        }
        return m;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Object> e : asMap().entrySet()) {
            if (b.length() > 0) {
                b.append(' ');
            }
            Object v = e.getValue();
            String s = v instanceof Double d ? (d == Math.rint(d) ? String.format(Locale.ROOT, "%.0f", d) : String.format(Locale.ROOT, "%g", d))
                    : v instanceof Long l && !e.getKey().equals("seed") ? Sizes.label(l) : String.valueOf(v);
            b.append(e.getKey()).append('=').append(s);
        }
        return b.toString();
    }
}

package org.ptlab.oracle;

import java.util.Map;

/** The matrix as a Markdown table row: what was captured, what ptlab predicts, whether it matches. */
public final class OracleReport {
    private OracleReport() {}

    public static String row(Capture c, OracleCheck.Result r) {
        String predicted;
        try {
            predicted = pieces(ModelMap.of(OracleCheck.predict(c), c.mair()).decomposition().pieces());
        } catch (RuntimeException e) {
            predicted = "(refused)";
        }
        String kernel = c.props().getOrDefault("kernel.uname_r", "6.1.0-56-arm64");
        String wl = c.workload().equals("none") ? "" : " + " + c.workload();
        String cmd = c.props().containsKey("cmdline.extra") ? c.props().get("cmdline.extra") : c.cmdline().replace("console=ttyAMA0", "").trim();
        return "| " + c.name() + " | " + kernel + wl + " | " + c.props().getOrDefault("qemu.cpu", "max") + " x" + c.smp()
                + " | " + c.props().getOrDefault("qemu.memory", memOf(c)) + " | " + (cmd.isEmpty() ? "" : "`" + cmd + "`")
                + " | " + pieces(c.decomposition().pieces()) + " | " + predicted + " | " + (r.exact() ? "exact" : "no") + " |";
    }

    static String pieces(Map<String, Long> p) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Long> e : p.entrySet()) {
            if (e.getValue() != 0) {
                b.append(b.length() == 0 ? "" : " ").append(e.getValue()).append("x").append(e.getKey());
            }
        }
        return b.toString();
    }

    private static String memOf(Capture c) {
        return (c.decomposition().totalBytes() >> 30) + "G";
    }
}

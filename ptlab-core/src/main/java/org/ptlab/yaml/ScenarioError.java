package org.ptlab.yaml;

/** An error in a scenario file: one line "FILE:LINE:COLUMN: what was expected". */
public final class ScenarioError extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    public final String file;
    public final int line;
    public final int column;

    /** Control characters (a key or value may contain newlines) shown escaped, so the error stays one line. */
    static String oneLine(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                b.append("\\n");
            } else if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029 || c == 0x85) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    public ScenarioError(String file, int line, int column, String message) {
        super(file + ":" + line + ":" + column + ": " + oneLine(message));
        this.file = file;
        this.line = line;
        this.column = column;
    }
}

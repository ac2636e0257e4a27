package org.ptlab.workload;

/** An error in a scenario file: one line "FILE:LINE:COLUMN: what was expected". */
public final class ScenarioError extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    public final String file;
    public final int line;
    public final int column;

    public ScenarioError(String file, int line, int column, String message) {
        super(file + ":" + line + ":" + column + ": " + message);
        this.file = file;
        this.line = line;
        this.column = column;
    }
}

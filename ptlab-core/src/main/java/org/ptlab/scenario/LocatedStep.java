package org.ptlab.scenario;

/** A step with the file position it was written at. */
public record LocatedStep(Step step, String file, int line, int column) {
    public String where() {
        return file + ":" + line;
    }
}

package org.ptlab.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/** Shared CLI plumbing: one-line errors with exit status 2 for bad input. */
public final class Cli {
    private Cli() {}

    /** Bad input: a file, line and what was expected. */
    public static final class InputError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public InputError(String message) {
            super(message);
        }
    }

    static int parameterError(CommandLine.ParameterException ex, String[] args) {
        PrintWriter err = ex.getCommandLine().getErr();
        err.println("ptlab: " + ex.getMessage());
        return 2;
    }

    static int executionError(Exception ex, CommandLine cl, CommandLine.ParseResult pr) {
        PrintWriter err = cl.getErr();
        if (ex instanceof InputError || ex instanceof IllegalArgumentException) {
            err.println("ptlab: " + ex.getMessage());
            err.flush();
            return 2;
        }
        throw new RuntimeException(ex);
    }
}

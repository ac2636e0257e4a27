package org.ptlab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * Shared CLI plumbing: the exit statuses of every command and the one place where an exception
 * becomes a message. No Java stack trace reaches the terminal: bad input is one line (exit 2); an
 * internal error is one line with the exception's class and message and the file under the
 * temporary directory where the full trace was written (exit 4).
 */
public final class Cli {
    private Cli() {}

    /** Checks passed, or every verdict was the expected one. */
    public static final int OK = 0;
    /** A violation was found, or a verdict was not the expected one. */
    public static final int VIOLATION = 1;
    /** Bad input or usage. */
    public static final int BAD_INPUT = 2;
    /** Inconclusive: a budget or bound ran out before the search was complete. */
    public static final int INCONCLUSIVE = 3;
    /** Internal error (a bug in ptlab). */
    public static final int INTERNAL = 4;

    /** The exit statuses as printed by {@code ptlab help} and every command's --help. */
    public static final String[] EXIT_CODES = {
        "0:checks passed / every verdict as expected",
        "1:a violation was found, or a verdict was not the expected one",
        "2:bad input or usage (one line naming the file, line and column or the option)",
        "3:inconclusive: a budget or bound ran out before the search was complete (the covered fraction is printed)",
        "4:internal error (one line; the full trace is written to a file in the temporary directory)",
    };

    /** Bad input: a file, line and what was expected. */
    public static final class InputError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public InputError(String message) {
            super(message);
        }
    }

    static int parameterError(CommandLine.ParameterException ex, String[] args) {
        PrintWriter err = ex.getCommandLine().getErr();
        err.println("ptlab: " + oneLine(ex.getMessage()));
        err.println("ptlab: see 'ptlab " + commandPath(ex.getCommandLine()) + "--help'");
        err.flush();
        return BAD_INPUT;
    }

    private static String commandPath(CommandLine cl) {
        StringBuilder b = new StringBuilder();
        for (CommandLine c = cl; c != null && c.getParent() != null; c = c.getParent()) {
            b.insert(0, c.getCommandName() + " ");
        }
        return b.toString();
    }

    static int executionError(Exception ex, CommandLine cl, CommandLine.ParseResult pr) {
        return report(ex, cl.getErr());
    }

    /** Turn any throwable into its message and exit status. */
    static int report(Throwable ex, PrintWriter err) {
        if (ex instanceof org.ptlab.io.OutputFiles.ShuttingDown) {
            return 130; // Ctrl-C: the JVM is exiting with the signal's status anyway
        }
        if (isBadInput(ex)) {
            err.println("ptlab: " + oneLine(ex.getMessage()));
            err.flush();
            return BAD_INPUT;
        }
        Path trace = writeTrace(ex);
        String what = ex.getClass().getName() + (ex.getMessage() == null ? "" : ": " + oneLine(ex.getMessage()));
        if (ex instanceof OutOfMemoryError) {
            what += " (raise the heap with PTLAB_JAVA_OPTS=-Xmx..., or give a smaller input)";
        }
        err.println("ptlab: internal error: " + what + (trace != null ? " (full trace in " + trace + ")" : ""));
        err.flush();
        return INTERNAL;
    }

    /** Bad input: our own input errors, argument errors, a file that cannot be read. */
    static boolean isBadInput(Throwable ex) {
        return ex instanceof InputError || ex instanceof IllegalArgumentException || ex instanceof java.nio.file.NoSuchFileException
                || ex instanceof java.nio.file.AccessDeniedException || ex instanceof java.nio.charset.CharacterCodingException;
    }

    static String oneLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip() + " ...";
    }

    /** Write the full stack trace to a file in the temporary directory; null if that fails too. */
    static Path writeTrace(Throwable ex) {
        try {
            Path f = Files.createTempFile("ptlab-internal-error-", ".txt");
            StringWriter sw = new StringWriter();
            try (PrintWriter pw = new PrintWriter(sw)) {
                pw.println("ptlab internal error, " + java.time.Instant.now());
                pw.println("java " + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " "
                        + System.getProperty("os.arch"));
                ex.printStackTrace(pw);
            }
            Files.writeString(f, sw.toString(), StandardCharsets.UTF_8);
            return f;
        } catch (IOException | RuntimeException | Error e) {
            return null;
        }
    }
}

package org.ptlab.report;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * Progress of a long run (scenario steps, explored schedules, study points). On a terminal
 * ({@code System.console() != null}) a single bar redrawn in place with a carriage return, at most
 * ten times a second; otherwise (CI logs, pipes) a plain line every {@code lineIntervalSeconds}.
 * Output goes to the error stream so that standard output stays clean for results and JSON.
 *
 * <pre>
 * terminal: run  [##########..........]  50%  500/1000 steps  0:03 left
 * plain:    run: 500/1000 steps (50%), 3.1 s elapsed
 * </pre>
 */
public final class ProgressReporter implements AutoCloseable {
    private static final int BAR = 24;
    private final String label;
    private final String unit;
    private final long total;
    private final PrintStream err;
    private final boolean terminal;
    private final long intervalNanos;
    private final LongSupplier clock;
    private final long startNanos;
    private long lastPrint;
    private long done;
    private boolean printed;
    private boolean closed;

    /**
     * @param total the number of units expected, or 0 when unknown (no percentage)
     * @param terminal whether err is an interactive terminal (draw a bar)
     * @param lineIntervalSeconds seconds between plain lines
     * @param clock nanosecond clock (System::nanoTime; tests pass their own)
     */
    public ProgressReporter(String label, String unit, long total, PrintStream err, boolean terminal,
            double lineIntervalSeconds, LongSupplier clock) {
        this.label = label;
        this.unit = unit;
        this.total = Math.max(0, total);
        this.err = err;
        this.terminal = terminal;
        this.intervalNanos = terminal ? 100_000_000L : (long) (lineIntervalSeconds * 1e9);
        this.clock = clock;
        this.startNanos = clock.getAsLong();
        this.lastPrint = startNanos;
    }

    /** A reporter on System.err: a bar when a console is attached, else a line every 10 s. */
    public static ProgressReporter forConsole(String label, String unit, long total) {
        return new ProgressReporter(label, unit, total, System.err, stderrIsTerminal(), 10, System::nanoTime);
    }

    /**
     * Whether standard error is an interactive terminal (draw bars with carriage returns) or a
     * file, pipe or CI log (plain lines, no control characters). On Linux from /proc/self/fd/2;
     * PTLAB_PROGRESS=plain or =tty overrides; elsewhere whether a console is attached.
     */
    public static boolean stderrIsTerminal() {
        String env = System.getenv("PTLAB_PROGRESS");
        if ("plain".equals(env)) {
            return false;
        }
        if ("tty".equals(env)) {
            return true;
        }
        try {
            String t = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/2")).toString();
            return t.startsWith("/dev/pts/") || t.startsWith("/dev/tty") || t.equals("/dev/console");
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    /**
     * For work with no natural unit (a benchmark, one long replay): after 2 s, the elapsed time on
     * stderr (a line redrawn in place on a terminal, a plain line every 10 s otherwise) until closed.
     */
    public static AutoCloseable heartbeat(String label) {
        boolean tty = stderrIsTerminal();
        long t0 = System.nanoTime();
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(2000);
                while (true) {
                    long s = (System.nanoTime() - t0) / 1_000_000_000L;
                    synchronized (System.err) {
                        if (tty) {
                            System.err.print(String.format("\r%s: working, %d:%02d elapsed", label, s / 60, s % 60));
                        } else {
                            System.err.println(String.format("%s: working, %d s elapsed", label, s));
                        }
                        System.err.flush();
                    }
                    Thread.sleep(tty ? 1000 : 10_000);
                }
            } catch (InterruptedException e) {
                if (tty && System.nanoTime() - t0 >= 2_000_000_000L) {
                    synchronized (System.err) {
                        System.err.print("\r\033[K");
                        System.err.flush();
                    }
                }
            }
        }, "ptlab-heartbeat");
        t.setDaemon(true);
        t.start();
        return () -> {
            t.interrupt();
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    /** A reporter that prints nothing. */
    public static ProgressReporter silent() {
        return new ProgressReporter("", "", 0, null, false, 0, () -> 0L);
    }

    public long done() {
        return done;
    }

    /** Advance by n units; prints when the interval has passed. */
    public void advance(long n) {
        update(done + n);
    }

    /** Set the number of units done; prints when the interval has passed. */
    public void update(long doneNow) {
        done = doneNow;
        if (err == null || closed) {
            return;
        }
        long now = clock.getAsLong();
        if (now - lastPrint >= intervalNanos) {
            lastPrint = now;
            print(now);
        }
    }

    /** Print the current state now, whatever the interval (a long command says at once that it has started). */
    public void printNow() {
        if (err != null && !closed) {
            long now = clock.getAsLong();
            lastPrint = now;
            print(now);
        }
    }

    private void print(long now) {
        double secs = (now - startNanos) / 1e9;
        if (terminal) {
            err.print("\r" + bar(secs));
            printed = true;
        } else {
            err.println(line(secs));
        }
        err.flush();
    }

    /** The bar as drawn on a terminal (without the carriage return). */
    String bar(double secs) {
        StringBuilder b = new StringBuilder(label).append("  [");
        int fill = total > 0 ? (int) Math.min(BAR, done * BAR / total) : 0;
        for (int i = 0; i < BAR; i++) {
            b.append(i < fill ? '#' : '.');
        }
        b.append(']');
        if (total > 0) {
            b.append(String.format(" %3d%%  %d/%d %s", Math.min(100, done * 100 / total), done, total, unit));
            if (done > 0 && done < total) {
                long left = (long) (secs * (total - done) / done);
                b.append(String.format("  %d:%02d left", left / 60, left % 60));
            }
        } else {
            b.append(' ').append(done).append(' ').append(unit);
        }
        return b.toString();
    }

    /** A plain progress line. */
    String line(double secs) {
        if (total > 0) {
            return String.format("%s: %d/%d %s (%d%%), %.1f s elapsed", label, done, total, unit, Math.min(100, done * 100 / total), secs);
        }
        return String.format("%s: %d %s, %.1f s elapsed", label, done, unit, secs);
    }

    /** Finish: on a terminal, draw the final state and end the line; plain output prints nothing more. */
    @Override
    public void close() {
        if (closed || err == null) {
            closed = true;
            return;
        }
        closed = true;
        if (terminal && printed) {
            err.print("\r" + bar((clock.getAsLong() - startNanos) / 1e9));
            err.println();
            err.flush();
        }
    }
}

package org.ptlab.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The ptlab command line. Each subcommand is a class in this package registered below.
 * Exit status (every command, see {@link Cli}): 0 as expected, 1 a violation or an unexpected
 * verdict, 2 bad input, 3 inconclusive, 4 internal error.
 */
@Command(
        name = "ptlab",
        mixinStandardHelpOptions = true,
        version = "ptlab 0.1.0",
        description = "A page-table laboratory: the arm64 linear map, its splits, its accounting and its hardware, executed.",
        subcommands = {
            CommandLine.HelpCommand.class,
            BootCommand.class,
            DemoCommand.class,
            BenchCommand.class,
            TlbStudyCommand.class,
            RunCommand.class,
            VariantsCommand.class,
            OpsCommand.class,
            StudyCommand.class,
            ExploreCommand.class,
            TraceCommand.class,
            CompareCommand.class,
            SweepCommand.class,
            OracleCommand.class,
        })
public final class Ptlab implements Runnable {
    static {
    }

    @Option(names = "--max-input", paramLabel = "SIZE", scope = ScopeType.INHERIT,
            description = "raise the size limit of every input file (default per kind: 1M for scenario, iomem and core YAML files, "
                    + "64M for ftrace text; see docs/reports.md)")
    void maxInput(String size) {
        try {
            org.ptlab.io.InputFile.raiseLimit(org.ptlab.arch.Sizes.parse(size));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--max-input: " + e.getMessage());
        }
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            PrintWriter err = new PrintWriter(System.err, true);
            System.exit(Cli.report(e, err));
        });
        long t0 = System.nanoTime();
        int rc = execute(args);
        if (System.getenv("PTLAB_TIMING") != null) { // ptlab's own time from main() to its answer (the campaign's refusal times)
            System.err.printf("ptlab-timing: %.3f s%n", (System.nanoTime() - t0) / 1e9);
        }
        System.exit(rc);
    }

    /** Run the command line and return the exit status (for tests). */
    public static int execute(String... args) {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Run with the given output and error writers (for tests). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        try {
            CommandLine cl = commandLine();
            cl.setOut(out);
            cl.setErr(err);
            return cl.execute(args);
        } catch (Throwable e) { // an Error (OutOfMemoryError, StackOverflowError) is still one line and exit 4
            out.flush();
            return Cli.report(e instanceof CommandLine.ExecutionException && e.getCause() != null ? e.getCause() : e, err);
        }
    }

    /** The configured command line: error handlers and the exit status list on every command's help. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Ptlab());
        cl.setParameterExceptionHandler(Cli::parameterError);
        cl.setExecutionExceptionHandler(Cli::executionError);
        Map<String, String> codes = new LinkedHashMap<>();
        for (String c : Cli.EXIT_CODES) {
            int i = c.indexOf(':');
            codes.put(c.substring(0, i), c.substring(i + 1));
        }
        exitCodes(cl, codes);
        cl.setExecutionStrategy(Ptlab::executeWithHeartbeat);
        return cl;
    }

    /** Commands without progress of their own (boot, demo, bench, tlb-study): show the elapsed time after 2 s. */
    private static int executeWithHeartbeat(CommandLine.ParseResult pr) {
        StringBuilder name = new StringBuilder();
        for (CommandLine.ParseResult p = pr.subcommand(); p != null; p = p.subcommand()) {
            name.append(name.length() == 0 ? "" : " ").append(p.commandSpec().name());
        }
        String n = name.toString();
        boolean quiet = n.isEmpty() || n.startsWith("help") || n.equals("variants") || n.endsWith("presets") || pr.isUsageHelpRequested()
                || pr.isVersionHelpRequested() || (pr.subcommand() != null && leaf(pr).isUsageHelpRequested());
        boolean own = n.startsWith("run") || n.startsWith("compare") || n.startsWith("trace") || n.startsWith("study") || n.startsWith("explore");
        if (quiet || own) {
            return new CommandLine.RunLast().execute(pr);
        }
        try (AutoCloseable h = org.ptlab.report.ProgressReporter.heartbeat("ptlab " + n)) {
            return new CommandLine.RunLast().execute(pr);
        } catch (CommandLine.ExecutionException | CommandLine.ParameterException e) {
            throw e;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static CommandLine.ParseResult leaf(CommandLine.ParseResult pr) {
        CommandLine.ParseResult p = pr;
        while (p.subcommand() != null) {
            p = p.subcommand();
        }
        return p;
    }

    private static void exitCodes(CommandLine cl, Map<String, String> codes) {
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit status:%n").exitCodeList(codes);
        for (CommandLine sub : cl.getSubcommands().values()) {
            exitCodes(sub, codes);
        }
    }
}

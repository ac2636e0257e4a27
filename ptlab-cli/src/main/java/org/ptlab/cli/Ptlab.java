package org.ptlab.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The ptlab command line. Each subcommand is a class in this package registered below.
 * Exit status: 0 success, 1 a check failed (a violation was found), 2 bad input or configuration.
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
            StudyCommand.class,
            ExploreCommand.class,
            TraceCommand.class,
            CompareCommand.class,
            SweepCommand.class,
            OracleCommand.class,
        })
public final class Ptlab implements Runnable {
    static {
        org.ptlab.check.UserVariants.register(); // the user model's own variants (pfnmap=...) in `--variant` and `ptlab variants`
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Run the command line and return the exit status (for tests). */
    public static int execute(String... args) {
        return execute(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /** Run with the given output and error writers (for tests). */
    public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Ptlab());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler(Cli::parameterError);
        cl.setExecutionExceptionHandler(Cli::executionError);
        return cl.execute(args);
    }
}

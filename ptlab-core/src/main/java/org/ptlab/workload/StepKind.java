package org.ptlab.workload;

/**
 * A kind of scenario step (the key of a step entry, e.g. {@code set_memory_ro:}). Packages add
 * kinds with {@link StepRegistry#register}; the parser looks them up by name.
 */
public interface StepKind {
    String name();

    /** One line: the arguments it takes, for help texts and errors. */
    String usage();

    /** Parse the step's arguments (the value under its key); throw {@link YNode#error} on bad input. */
    Step parse(YNode args, StepRegistry registry);
}

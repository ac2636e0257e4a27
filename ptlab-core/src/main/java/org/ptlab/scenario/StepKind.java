package org.ptlab.scenario;

import org.ptlab.yaml.YNode;

/**
 * A kind of scenario step (the key of a step entry, e.g. {@code set_memory_ro:}). {@link StepRegistry}
 * lists every kind; the parser looks them up by name.
 */
public interface StepKind {
    String name();

    /** One line: the arguments it takes, for help texts and errors. */
    String usage();

    /** Parse the step's arguments (the value under its key); throw {@link YNode#error} on bad input. */
    Step parse(YNode args, StepParser registry);

    /** A kind from its name, usage line and parser. */
    static StepKind of(String name, String usage, java.util.function.BiFunction<YNode, StepParser, Step> parser) {
        return new StepKind() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String usage() {
                return usage;
            }

            @Override
            public Step parse(YNode args, StepParser registry) {
                return parser.apply(args, registry);
            }
        };
    }
}

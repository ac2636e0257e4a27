package org.ptlab.scenario;

/** One parsed scenario step, ready to run against a {@link ScenarioContext}. */
public interface Step {
    /** One line naming the step and its arguments, for reports. */
    String describe();

    /** Execute; throw {@link StepFailure} when the step's own expectation fails. */
    void run(ScenarioContext c);

    /** Steps made of steps (repeat) run their children themselves, with checks between them. */
    default boolean compound() {
        return false;
    }

    /** The leaf steps this step runs (repeat: times x its body), saturating at Long.MAX_VALUE. */
    default long count() {
        return 1;
    }

    /**
     * Check this step's numbers against the booted machine's limits before any work starts (a
     * range beyond what the model can map is bad input, not a long run); throw an
     * IllegalArgumentException naming what was expected.
     */
    default void validate(org.ptlab.kernel.MachineSpec.Built machine) {}

    /** The check step: the driver checks every invariant after it, whatever the check interval. */
    default boolean check() {
        return false;
    }
}

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

    /** The check step: the driver checks every invariant after it, whatever the check interval. */
    default boolean check() {
        return false;
    }
}

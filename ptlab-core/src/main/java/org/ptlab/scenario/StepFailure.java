package org.ptlab.scenario;

/** A step's own expectation failed (e.g. {@code expect: -EINVAL} and the call returned 0). */
public final class StepFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StepFailure(String message) {
        super(message);
    }
}

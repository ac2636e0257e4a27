package org.ptlab.scenario;


import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import org.ptlab.kernel.Errno;
import org.ptlab.kernel.Kernel;
import org.ptlab.pgtable.EventLog;

/**
 * What steps run against: the booted kernel, the objects earlier steps created (areas, modules,
 * page blocks) by name, the output, the maintenance record, and the VA range the last step touched
 * (for the minimal ptdump printed with a violation).
 */
public final class ScenarioContext {
    public final Kernel k;
    public final PrintStream out;
    public final EventLog events;
    private final Map<String, Object> objects = new HashMap<>();
    /** Further invariant checks run with the kernel's at every check point (e.g. user mms, added by their steps). */
    public final java.util.List<java.util.function.Supplier<java.util.List<org.ptlab.check.Violation>>> checkers = new java.util.ArrayList<>();
    public long focusStart;
    public long focusEnd;
    /** Runs a list of steps with the driver's checks between them (set by the driver; used by repeat). */
    public interface StepLoop {
        void runAll(java.util.List<LocatedStep> steps, long times);
    }

    /** The driver running this context (the scenario runner sets it). */
    public StepLoop runner;

    /** Run steps times over with the driver's checks between them (the repeat step). */
    public void runSteps(java.util.List<LocatedStep> steps, long times) {
        runner.runAll(steps, times);
    }

    public ScenarioContext(Kernel k, PrintStream out, EventLog events) {
        this.k = k;
        this.out = out;
        this.events = events;
    }

    public void put(String name, Object o) {
        objects.put(name, o);
    }

    public Object remove(String name) {
        return objects.remove(name);
    }

    /** The object called name, of the given type; a StepFailure when absent or of another kind. */
    public <T> T get(String name, Class<T> type, String what) {
        Object o = objects.get(name);
        if (o == null) {
            throw new StepFailure("no " + what + " named '" + name + "' exists at this point");
        }
        if (!type.isInstance(o)) {
            throw new StepFailure("'" + name + "' is not a " + what);
        }
        return type.cast(o);
    }

    public boolean has(String name) {
        return objects.containsKey(name);
    }

    /** Remember the VA range a step touched (merged with the rest of the step's ranges). */
    public void touch(long start, long end) {
        if (focusStart == focusEnd) {
            focusStart = start;
            focusEnd = end;
        } else {
            focusStart = Long.compareUnsigned(start, focusStart) < 0 ? start : focusStart;
            focusEnd = Long.compareUnsigned(end, focusEnd) > 0 ? end : focusEnd;
        }
    }

    /** Compare a return code with the step's expectation (null: 0 expected). */
    public void expect(int rc, Integer expected, String call) {
        int want = expected == null ? 0 : expected;
        if (rc != want) {
            throw new StepFailure(call + " returned " + Errno.name(rc) + ", expected " + Errno.name(want));
        }
    }

    /** As {@link #expect(int, Integer, String)}, naming the call only when it failed. */
    public void expect(int rc, Integer expected, java.util.function.Supplier<String> call) {
        int want = expected == null ? 0 : expected;
        if (rc != want) {
            expect(rc, expected, call.get());
        }
    }
}

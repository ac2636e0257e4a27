package org.ptlab.run;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.ptlab.check.Invariants;
import org.ptlab.check.LiveSizeChange;
import org.ptlab.check.Ptdump;
import org.ptlab.check.Violation;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.KernelBug;
import org.ptlab.kernel.MachineSpec;
import org.ptlab.pgtable.EventLog;
import org.ptlab.scenario.LocatedStep;
import org.ptlab.scenario.Scenario;
import org.ptlab.scenario.ScenarioContext;
import org.ptlab.yaml.ScenarioError;
import org.ptlab.scenario.Step;
import org.ptlab.scenario.StepFailure;
import org.ptlab.scenario.StepRegistry;

/**
 * {@code ptlab run}: boot the scenario's machine with its variants (plus the command line's), run
 * the steps, check every invariant after boot and after every step (or every N steps; always after
 * a {@code check} step and the last step), and stop at the first violation, printing the step, the
 * invariant and a minimal ptdump of the range concerned. Exit status: 0 all held, 1 a violation (or
 * a step's expectation failed, or the modelled kernel hit a BUG), 2 bad input.
 */
public final class ScenarioRunner {
    /** What the run found. */
    public record Result(int status, long steps, long checks, String firstViolation) {}

    /** Sees the run as it goes (reports record snapshots from it); every method defaults to nothing. */
    public interface Listener {
        /** The kernel booted; nothing has been checked yet. */
        default void booted(Kernel k) {}

        /** A step ran (and was checked when scheduled) without a violation; where describes it (built on demand). */
        default void stepDone(java.util.function.Supplier<String> where) {}

        /** The run stops at this violation; ptdump holds the dump of the range concerned, if any. */
        default void violation(String where, String invariant, String message, List<String> ptdump) {}
    }

    private static final Listener NONE = new Listener() {};

    private static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stop() {
            super(null, null, false, false);
        }
    }

    private final Kernel k;
    private final ScenarioContext ctx;
    private final LiveSizeChange bbm;
    private final int checkEvery;
    private final PrintStream out;
    private long steps;
    private long checks;
    private String first;
    private final List<String> also = new ArrayList<>();
    private final Listener listener;

    private ScenarioRunner(Kernel k, PrintStream out, int checkEvery, boolean events, Listener listener) {
        this.k = k;
        this.listener = listener;
        this.out = out;
        this.checkEvery = checkEvery;
        this.ctx = new ScenarioContext(k, out, events ? new EventLog(false, 0) : null);
        this.bbm = new LiveSizeChange(k);
        if (events) {
            k.pg.addObserver(ctx.events);
        }
        k.pg.addObserver(bbm);
        ctx.runner = this::runAll;
    }

    /** Parse-time and boot-time errors are ScenarioErrors (exit 2); the rest is in the Result. */
    public static Result run(Scenario s, List<String> extraVariants, Integer checkEveryOverride, PrintStream out) {
        return run(s, extraVariants, checkEveryOverride, out, NONE);
    }

    /** As {@link #run(Scenario, List, Integer, PrintStream)}, telling listener about boot, steps and the violation. */
    public static Result run(Scenario s, List<String> extraVariants, Integer checkEveryOverride, PrintStream out,
            Listener listener) {
        if (s.machine.hw != null) {
            throw s.machineNode.error("machine.hw: ptlab run boots no hardware model beside the kernel (ptlab explore does): "
                    + "expected no hw: here; for TLB figures after every step use --tlb-probe " + s.machine.hw);
        }
        // the file's variants:, then the machine's own (command-line options laid over the file), then the caller's
        MachineSpec m = s.machine.with(x -> {
            List<String> all = new ArrayList<>(s.variants);
            all.addAll(s.machine.variants);
            all.addAll(extraVariants);
            x.variants = all;
        });
        MachineSpec.Built b;
        try {
            b = m.build();
        } catch (ScenarioError e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw s.machineError(e.getMessage());
        }
        s.validate(b); // every step's numbers against this machine, before the boot and any step
        for (String w : b.warnings()) {
            out.println("warning: " + w);
        }
        Kernel k;
        try {
            k = Kernel.boot(b.cfg(), b.mem());
        } catch (KernelBug e) {
            out.println("boot: kernel BUG: " + e.getMessage());
            return new Result(1, 0, 0, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw s.machineError(e.getMessage());
        }
        int every = checkEveryOverride != null ? checkEveryOverride : s.checkEvery != null ? s.checkEvery : 1;
        listener.booted(k);
        ScenarioRunner r = new ScenarioRunner(k, out, every, s.usedKinds.contains("events"), listener);
        out.println("# " + s.file + ": " + b.cfg().summary());
        try {
            if (every > 0) {
                r.checkNow("step 0 (boot)", k.geo.pageOffset, k.geo.pageOffset);
            }
            r.runAll(s.steps, 1);
            if (r.steps % Math.max(1, every) != 0 || every == 0) {
                r.checkNow("the end of the scenario", 0, 0);
            }
        } catch (Stop stop) {
            return new Result(1, r.steps, r.checks, r.first);
        }
        out.println("# " + r.steps + " steps, " + r.checks + " invariant checks: all hold");
        for (String l : k.directMap.meminfoLines()) {
            out.println(l);
        }
        out.printf("PageTables (linear map): %d pages, %d kB%n", k.linearTablePages(), k.linearTableBytes() >> 10);
        if (k.warnCount > 0) {
            out.println("# " + k.warnCount + " kernel warnings, first: " + k.warnings.get(0));
        }
        return new Result(0, r.steps, r.checks, null);
    }

    /** Run steps (times over) in this context, checking as scheduled. */
    private void runAll(List<LocatedStep> steps, long times) {
        ScenarioContext c = ctx;
        ScenarioRunner r = this;
        for (long t = 0; t < times; t++) {
            for (LocatedStep ls : steps) {
                Step s = ls.step();
                if (s.compound()) {
                    s.run(c);
                    continue;
                }
                r.steps++;
                c.focusStart = c.focusEnd = 0;
                long n = r.steps;
                java.util.function.Supplier<String> where = () -> "step " + n + " (" + ls.where() + ": " + s.describe() + ")";
                try {
                    s.run(c);
                } catch (StepFailure f) {
                    r.fail(where, "expectation", f.getMessage(), 0, 0);
                } catch (KernelBug bug) {
                    r.fail(where, "kernel BUG", bug.getMessage(), 0, 0);
                }
                boolean explicit = s.check();
                if (explicit || (r.checkEvery > 0 && r.steps % r.checkEvery == 0)) {
                    r.checkNow(where, c.focusStart, c.focusEnd);
                }
                r.listener.stepDone(where);
            }
        }
    }

    private void checkNow(String where, long fs, long fe) {
        checkNow(() -> where, fs, fe);
    }

    private void checkNow(java.util.function.Supplier<String> where, long fs, long fe) {
        checks++;
        List<Violation> v = new ArrayList<>(bbm.drain());
        v.addAll(Invariants.check(k));
        v.addAll(org.ptlab.check.CollapseAudit.drain(k));
        for (java.util.function.Supplier<List<Violation>> ch : ctx.checkers) {
            v.addAll(ch.get());
        }
        if (!v.isEmpty()) {
            // an underflow is the most telling symptom: report it first
            v.sort(java.util.Comparator.comparingInt(x -> x.message().contains("underflow") ? 0 : 1));
            Violation x = v.get(0);
            for (int i = 1; i < v.size() && i <= 8; i++) {
                also.add(v.get(i).toString());
            }
            fail(where, x.invariant(), x.message(),
                    x.start() != x.end() ? x.start() : fs, x.start() != x.end() ? x.end() : fe);
        }
    }

    private void fail(java.util.function.Supplier<String> where, String invariant, String message, long s, long e) {
        fail(where.get(), invariant, message, s, e);
    }

    private void fail(String where, String invariant, String message, long s, long e) {
        first = invariant + ": " + message;
        List<String> dump = new ArrayList<>();
        if (s != e) {
            long ps = k.geo.pageSize;
            s &= -ps;
            e = (e + ps - 1) & -ps;
            for (String l : Ptdump.range(k, s, e).split("\n")) {
                dump.add(l);
            }
        }
        List<String> msg = new ArrayList<>();
        msg.add(message);
        also.forEach(a -> msg.add("also " + a));
        listener.violation(where, invariant, String.join("; ", msg), dump);
        out.println("VIOLATION after " + where);
        out.println("  invariant " + invariant + ": " + message);
        for (String a : also) {
            out.println("  also " + a);
        }
        if (s != e) {
            out.printf("  ptdump of 0x%016x-0x%016x:%n", s, e);
            for (String l : dump) {
                out.println("  " + l);
            }
        }
        out.println("  DirectMap now (counters):");
        for (String l : k.directMap.meminfoLines()) {
            out.println("    " + l);
        }
        throw new Stop();
    }
}

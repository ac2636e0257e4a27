package org.ptlab.report;

import java.util.List;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.MachineSpec;
import org.ptlab.run.FtraceReplay;
import org.ptlab.run.ScenarioRunner;
import org.ptlab.scenario.Scenario;
import org.ptlab.source.FtraceParser;

/** Drivers that run something under one set of variants and return its {@link RunRecord}. */
public final class Runs {
    private Runs() {}

    /** A TLB probe to attach to every run (null: none), see {@link TlbProbe}. */
    public record Probe(String preset, int pages, long seed) {
        public static final int DEFAULT_PAGES = 4096;
    }

    private static TlbProbe attachProbe(Recorder rec, Probe p) {
        if (p == null) {
            return null;
        }
        TlbProbe probe = new TlbProbe(rec.kernel(), p.preset(), p.pages(), p.seed());
        rec.measureTlbMisses(probe::measure);
        rec.record().config.put("TLB probe", String.format("%d random linear-map pages loaded twice after every step on %s; "
                + "last-level TLB misses of the second pass", p.pages(), probe.core));
        return probe;
    }

    /**
     * Run a scenario with extra variants on top of its own, recording a snapshot after boot and
     * after every step; the runner's text goes to out.
     */
    public static RunRecord scenario(Scenario s, List<String> extraVariants, Integer checkEvery, java.io.PrintStream out,
            ProgressReporter progress) {
        return scenario(s, extraVariants, checkEvery, out, progress, null);
    }

    /** As {@link #scenario(Scenario, List, Integer, java.io.PrintStream, ProgressReporter)} with a TLB probe (or null). */
    public static RunRecord scenario(Scenario s, List<String> extraVariants, Integer checkEvery, java.io.PrintStream out,
            ProgressReporter progress, Probe probe) {
        Recorder[] rec = new Recorder[1];
        ScenarioRunner.Result r = ScenarioRunner.run(s, extraVariants, checkEvery, out, new ScenarioRunner.Listener() {
            @Override
            public void booted(Kernel k) {
                rec[0] = new Recorder(k, s.file, String.join("+", extraVariants), false);
                attachProbe(rec[0], probe);
                if (!s.variants.isEmpty()) {
                    rec[0].record().config.put("scenario variants", String.join(",", s.variants));
                }
            }

            @Override
            public void stepDone(java.util.function.Supplier<String> where) {
                rec[0].snapshot(where.get());
                progress.advance(1);
            }

            @Override
            public void violation(String where, String invariant, String message, List<String> ptdump) {
                progress.close();
                if (rec[0] == null) {
                    return;
                }
                if (where.startsWith("step ") && !where.startsWith("step 0 ")) {
                    rec[0].snapshot(where);
                }
                List<String> steps = new java.util.ArrayList<>();
                List<RunRecord.Snapshot> all = rec[0].record().steps;
                for (int i = Math.max(0, all.size() - 12); i < all.size(); i++) {
                    steps.add(all.get(i).step == 0 ? "step 0 (boot)" : all.get(i).label);
                }
                rec[0].violation(where, invariant, message, steps, ptdump);
            }
        });
        progress.close();
        if (rec[0] == null) {
            throw new IllegalArgumentException(s.file + ": the machine did not boot: " + r.firstViolation());
        }
        RunRecord out2 = rec[0].finish();
        out2.status = r.status();
        return out2;
    }

    /**
     * Boot spec's machine (with extra variants on top of its own) and replay a parsed trace on it,
     * one step per replayed call. The replay's notes and the parser's warnings go into the record.
     */
    public static RunRecord trace(MachineSpec spec, List<String> extraVariants, FtraceParser.Trace t, int checkEvery,
            ProgressReporter progress) {
        return trace(spec, extraVariants, t, checkEvery, progress, null, null);
    }

    /** As {@link #trace(MachineSpec, List, FtraceParser.Trace, int, ProgressReporter)}, also collecting scenario steps when steps is not null. */
    public static RunRecord trace(MachineSpec spec, List<String> extraVariants, FtraceParser.Trace t, int checkEvery,
            ProgressReporter progress, List<String> steps, Probe probe) {
        return trace(spec, extraVariants, t, checkEvery, progress, steps, probe, null);
    }

    /** As above; atEnd (when not null) receives the modelled kernel once the replay ended (e.g. for a ptdump). */
    public static RunRecord trace(MachineSpec spec, List<String> extraVariants, FtraceParser.Trace t, int checkEvery,
            ProgressReporter progress, List<String> steps, Probe probe, java.util.function.Consumer<Kernel> atEnd) {
        MachineSpec.Built b = spec.withVariants(extraVariants).build();
        Kernel k = Kernel.boot(b.cfg(), b.mem());
        Recorder rec = new Recorder(k, t.file(), String.join(",", extraVariants), false);
        attachProbe(rec, probe);
        rec.record().notes.addAll(b.warnings());
        rec.record().notes.addAll(t.warnings());
        FtraceReplay.Result r;
        try {
            r = FtraceReplay.replayToScenario(k, t, new FtraceReplay.Listener() {
                @Override
                public void stepDone(String label) {
                    rec.snapshot(label);
                    progress.advance(1);
                }

                @Override
                public void violation(String where, String invariant, String message, List<String> interleaving,
                        List<String> ptdump) {
                    rec.violation(where, invariant, message, interleaving, ptdump);
                }
            }, checkEvery, steps);
            rec.record().notes.addAll(r.notes());
            rec.record().config.put("trace", String.format("%s: %d events, %d replayed, %d nested, %d skipped, %d lost",
                    t.file(), t.events().size(), r.replayed(), r.consumedNested(), r.skipped(), t.lostEvents()));
        } catch (FtraceReplay.ReplayStopped stop) {
            rec.record().notes.add(stop.getMessage());
        }
        progress.close();
        if (atEnd != null) {
            atEnd.accept(k);
        }
        return rec.finish();
    }
}

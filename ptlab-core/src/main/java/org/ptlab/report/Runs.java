package org.ptlab.report;

import java.util.List;
import org.ptlab.kernel.Kernel;
import org.ptlab.kernel.MachineSpec;
import org.ptlab.workload.trace.FtraceParser;
import org.ptlab.workload.trace.TraceReplay;

/** Drivers that run something under one set of variants and return its {@link RunRecord}. */
public final class Runs {
    private Runs() {}

    /**
     * Boot spec's machine (with extra variants on top of its own) and replay a parsed trace on it,
     * one step per replayed call. The replay's notes and the parser's warnings go into the record.
     */
    public static RunRecord trace(MachineSpec spec, List<String> extraVariants, FtraceParser.Trace t, int checkEvery,
            ProgressReporter progress) {
        List<String> saved = spec.variants;
        spec.variants = new java.util.ArrayList<>(saved == null ? List.of() : saved);
        spec.variants.addAll(extraVariants);
        MachineSpec.Built b;
        try {
            b = spec.build();
        } finally {
            spec.variants = saved;
        }
        Kernel k = Kernel.boot(b.cfg(), b.mem());
        Recorder rec = new Recorder(k, t.file(), String.join(",", extraVariants), false);
        rec.record().notes.addAll(b.warnings());
        rec.record().notes.addAll(t.warnings());
        TraceReplay.Result r;
        try {
            r = TraceReplay.replay(k, t, new TraceReplay.Listener() {
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
            }, checkEvery);
            rec.record().notes.addAll(r.notes());
            rec.record().config.put("trace", String.format("%s: %d events, %d replayed, %d nested, %d skipped, %d lost",
                    t.file(), t.events().size(), r.replayed(), r.consumedNested(), r.skipped(), t.lostEvents()));
        } catch (TraceReplay.ReplayStopped stop) {
            rec.record().notes.add(stop.getMessage());
        }
        progress.close();
        return rec.finish();
    }
}

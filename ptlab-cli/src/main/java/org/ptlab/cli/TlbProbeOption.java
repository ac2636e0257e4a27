package org.ptlab.cli;

import picocli.CommandLine.Option;

/** The {@code --tlb-probe CORE} option shared by run, compare and trace. */
final class TlbProbeOption {
    @Option(names = "--tlb-probe", paramLabel = "CORE",
            description = "after every step load 4096 random linear-map pages twice on a modelled CORE (e.g. neoverse-n1) and report the last-level TLB misses of the second pass")
    String tlbProbe;

    /** The probe to attach, or null; an unknown core name is a one-line input error. */
    org.ptlab.report.Runs.Probe probe() {
        if (tlbProbe == null) {
            return null;
        }
        org.ptlab.hw.Presets.get(tlbProbe);
        return new org.ptlab.report.Runs.Probe(tlbProbe, org.ptlab.report.Runs.Probe.DEFAULT_PAGES, 1);
    }
}

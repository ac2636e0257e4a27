package org.ptlab.scenario;

import java.util.Map;
import org.ptlab.arch.Sizes;
import org.ptlab.kernel.VmStruct;
import org.ptlab.ops.Ops;
import org.ptlab.source.Driver;
import org.ptlab.source.MixedWorkload;
import org.ptlab.source.WorkloadSettings;
import org.ptlab.yaml.YNode;

/**
 * Scenario steps of the collapse work: {@code set_memory_rox} (with collapse=x86's collapse),
 * {@code collapse_scan} (one pass of the background scanner) and {@code workload} (run the mixed
 * workload generators for some modelled hours with {@link WorkloadSettings} names).
 */
public final class GenSteps {
    private GenSteps() {}

    /** This family's step kinds (StepRegistry lists them all). */
    static java.util.List<StepKind> kinds() {
        return java.util.List.of(
                kind("set_memory_rox", "{area: NAME, offset: PAGES, pages: N, expect: ERRNO}", GenSteps::rox),
                kind("collapse_scan", "{bytes: SIZE (default: all of the linear map), all: false}", GenSteps::scan),
                kind("workload", "{NAME: VALUE, ...} workload settings, e.g. {hours: 24, modules.rate: 10}", GenSteps::workload));
    }

    interface Parser {
        Step parse(YNode a);
    }

    private static StepKind kind(String name, String usage, Parser p) {
        return StepKind.of(name, usage, (args, registry) -> p.parse(args));
    }

    private static Step rox(YNode a) {
        a.allowKeys("set_memory_rox", "area", "offset", "pages", "expect");
        YNode an = a.get("area");
        if (an == null) {
            throw a.error("missing 'area'");
        }
        String area = an.str("area");
        long off = a.get("offset") == null ? 0 : a.get("offset").integer("offset (pages)", 0, Integer.MAX_VALUE);
        Long pages = a.get("pages") == null ? null : a.get("pages").integer("pages", 0, Integer.MAX_VALUE);
        int expect = a.get("expect") == null ? 0 : KernelSteps.expect(a);
        return new Step() {
            @Override
            public String describe() {
                return "set_memory_rox " + area + " +" + off + (pages == null ? "" : " " + pages + " pages");
            }

            @Override
            public void run(ScenarioContext c) {
                VmStruct v = c.get(area, VmStruct.class, "vmalloc area");
                long ps = c.k.geo.pageSize;
                int n = (int) (pages != null ? pages : v.mappedSize(ps) / ps - off);
                long va = v.addr + off * ps;
                c.touch(va, va + n * ps);
                c.expect(Ops.call(c.k, "set_memory_rox", va, n), expect, "set_memory_rox");
            }
        };
    }

    private static Step scan(YNode a) {
        Long bytes = null;
        boolean all = false;
        if (a.kind != YNode.Kind.NULL) {
            a.allowKeys("collapse_scan", "bytes", "all");
            bytes = a.get("bytes") == null ? null : a.get("bytes").size("bytes");
            all = a.get("all") != null && a.get("all").bool("all");
        }
        Long b = bytes;
        boolean everything = all;
        return new Step() {
            @Override
            public String describe() {
                return "collapse_scan " + (b == null ? "whole linear map" : Sizes.label(b)) + (everything ? " (all regions)" : "");
            }

            @Override
            public void run(ScenarioContext c) {
                int made = (int) Ops.catalogue().require("collapse_scan").apply(c.k, b == null ? 0 : b, everything ? 1 : 0);
                c.out.println("collapse_scan: " + made + " collapses");
            }
        };
    }

    private static Step workload(YNode a) {
        WorkloadSettings s = WorkloadSettings.defaults();
        if (a.kind != YNode.Kind.NULL) {
            for (Map.Entry<String, YNode> e : a.map("workload settings").entrySet()) {
                try {
                    s = s.with(e.getKey(), e.getValue().str(e.getKey()));
                } catch (IllegalArgumentException x) {
                    throw a.keyNode(e.getKey()).error(x.getMessage());
                }
            }
        }
        WorkloadSettings w = s;
        return new Step() {
            @Override
            public String describe() {
                return "workload " + w;
            }

            @Override
            public void run(ScenarioContext c) {
                Driver d = new Driver(c.k, false);
                MixedWorkload m = new MixedWorkload(c.k, d, w);
                m.run(null);
                if (d.errors > 0) {
                    throw new StepFailure("workload: " + d.errors + " calls failed, first " + d.firstError);
                }
                c.out.printf("workload: %d operations over %.1f modelled hours%n", m.operations, w.hours());
            }
        };
    }
}

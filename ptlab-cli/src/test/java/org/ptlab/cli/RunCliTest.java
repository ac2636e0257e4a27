package org.ptlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ptlab run and ptlab variants end to end. */
class RunCliTest {
    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int st = Ptlab.execute(new PrintWriter(o, true), new PrintWriter(e, true), args);
        return new Run(st, o.toString(), e.toString());
    }

    @Test
    void doubleCountAcceptance() {
        Run ok = run("run", "../scenarios/seed000-double-count.yaml");
        assertThat(ok.status()).as(ok.out()).isZero();
        assertThat(ok.out()).contains("DirectMap4K:", "all hold");
        Run bad = run("run", "../scenarios/seed000-double-count.yaml", "--variant", "account=seed000-v7");
        assertThat(bad.status()).isEqualTo(1);
        assertThat(bad.out()).contains("VIOLATION after step 0 (boot)").containsPattern("invariant counters: DirectMap\\w+ counter \\d+ kB != walk"); // 7.2 map_mem() maps the memory over the alias it mapped first
    }

    @Test
    void minimalUsesFewerTablesThanUpstreamOnTheShippedScenario() {
        Run up = run("run", "../scenarios/split-whole-ranges.yaml", "--variant", "split=upstream");
        Run min = run("run", "../scenarios/split-whole-ranges.yaml", "--variant", "split=minimal");
        assertThat(up.status()).isZero();
        assertThat(min.status()).isZero();
        assertThat(tables(min.out())).isLessThan(tables(up.out()));
        assertThat(min.out()).contains("DirectMap64K:");
    }

    static long tables(String out) {
        for (String l : out.split("\n")) {
            if (l.startsWith("PageTables (linear map): ")) {
                return Long.parseLong(l.replaceAll("^PageTables \\(linear map\\): (\\d+) pages.*$", "$1"));
            }
        }
        throw new AssertionError("no PageTables line in\n" + out);
    }

    @Test
    void badFilesAreOneLineWithPositionAndStatusTwo(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "machine: {mem: 1G}\nsteps:\n  - vmalloc: {name: a, size: 4K, module: maybe}\n");
        Run r = run("run", f.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().strip()).doesNotContain("\n").startsWith("ptlab: " + f + ":3:").contains("expected true or false");
        assertThat(run("run", dir.resolve("missing.yaml").toString()).status()).isEqualTo(2);
        assertThat(run("run", "../scenarios/seed000-valid-bit.yaml", "--variant", "split=sideways").status()).isEqualTo(2);
    }

    @Test
    void variantsListsEveryFamilyOneLineEach() {
        Run r = run("variants");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("* split=upstream", "  split=minimal", "  split=seed003-v2", "* account=exact", "  account=seed000-v7",
                "* hotplug=v7.1", "  hotplug=pre-7.1", "* pageattr=upstream", "  pageattr=no-flush", "* bbml2=system", "  bbml2=boot-cpu",
                "* collapse-free=flush-first", "  collapse-free=free-before-flush");
    }
}

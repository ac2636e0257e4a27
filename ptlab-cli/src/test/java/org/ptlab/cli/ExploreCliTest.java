package org.ptlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ptlab explore end to end: verdicts, exit statuses, counterexample file and replay, errors. */
class ExploreCliTest {
    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int st = Ptlab.execute(new PrintWriter(o, true), new PrintWriter(e, true), args);
        return new Run(st, o.toString(), e.toString());
    }

    static final String SEED000 = "../scenarios/concurrency/seed000-split-race.yaml";

    @Test
    void seed000IsSafeWithTheLock() {
        Run r = run("explore", SEED000, "--quiet");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("result: SAFE within the bound", "expected: safe (as expected)");
    }

    @Test
    void withoutTheLockTheLostUpdateIsPrintedWrittenAndReplayed(@TempDir Path dir) throws Exception {
        Path cex = dir.resolve("cex.txt");
        Run r = run("explore", SEED000, "--mutate", "no-split-lock", "--out", cex.toString(), "--quiet");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).contains("result: VIOLATION counters:", "LOST UPDATE", "mutation no-split-lock: caught",
                "counterexample (1 preemption, minimised)");
        assertThat(Files.readString(cex)).contains("mutations: no-split-lock", "schedule: ");
        Run rp = run("explore", "--replay", cex.toString());
        assertThat(rp.status()).isEqualTo(1);
        assertThat(rp.out()).contains("LOST UPDATE", "result: VIOLATION counters:");
    }

    @Test
    void eachLazyVariantOnSeed002() {
        Run r = run("explore", "../scenarios/concurrency/seed002-lazy-generic.yaml", "--each-variant", "lazy", "--quiet");
        assertThat(r.status()).isEqualTo(1); // no-nesting breaks
        assertThat(r.out()).containsPattern("lazy=permissive +safe\\*? +1 +3 +2 +1 +2")
                .containsPattern("lazy=no-nesting +VIOLATION .*BANG: CPU0 clear_page")
                .containsPattern("lazy=save-restore +safe\\*? +1 +2 +0 +2 +4")
                .containsPattern("lazy=generic\\* +safe\\*? +1 +2 +0 +2 +4");
    }

    @Test
    void aDirectoryRunsEveryScenarioAgainstItsExpectation() {
        Run r = run("explore", "../scenarios/concurrency", "--bound", "1", "--quiet");
        assertThat(r.status()).as(r.out()).isZero();
        assertThat(r.out()).contains("seed000-split-race ", "seed001-collapse-vs-pageattr", "VIOLATION").containsPattern("(\\d+) of \\1 as expected");
    }

    @Test
    void aFailingSetupStepIsBadInput(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "name: bad\nmachine: {memory: 4M}\nsetup:\n  - set_memory_valid lm+0x1000\ncpu0: [touch lm]\n");
        Run r = run("explore", f.toString(), "--quiet");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().strip()).doesNotContain("\n").contains("setup step 'set_memory_valid lm+0x1000' failed", "not PTE mapped");
    }

    @Test
    void badInputIsOneLineWithStatus2() {
        Run r = run("explore", "no-such.yaml");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().strip()).doesNotContain("\n").contains("no-such.yaml");
        assertThat(run("explore", SEED000, "--mutate", "no-such").status()).isEqualTo(2);
        assertThat(run("explore", SEED000, "--strategy", "bfs").status()).isEqualTo(2);
        assertThat(run("explore", SEED000, "--budget", "soon").status()).isEqualTo(2);
    }

    @Test
    void randomAndPctFindTheRaceWithASeed() {
        for (String s : new String[] {"random", "pct"}) {
            Run r = run("explore", SEED000, "--mutate", "no-split-lock", "--strategy", s, "--seed", "7", "--quiet",
                    "--out", System.getProperty("java.io.tmpdir") + "/ptlab-explore-test-" + s + ".txt");
            assertThat(r.status()).as(s).isEqualTo(1);
            assertThat(r.out()).contains("result: VIOLATION counters:");
        }
    }

    @Test
    void statsShowExecutionsPerClassForBothSearches() {
        Run d = run("explore", SEED000, "--bound", "-1", "--stats", "--quiet");
        assertThat(d.status()).isZero();
        assertThat(d.out()).contains("safe for any number of preemptions", "equivalence classes", "executions per class       1.00",
                "sleep-set blocked", "states reached before");
        Run p = run("explore", SEED000, "--search", "plain", "--stats", "--quiet");
        assertThat(p.status()).isZero();
        assertThat(p.out()).contains("dfs without reduction exhausted", "equivalence classes        4 ");
        assertThat(run("explore", SEED000, "--search", "bfs").status()).isEqualTo(2);
    }

    @Test
    void anExhaustedBudgetIsInconclusiveAndExitsThree() {
        Run r = run("explore", SEED000, "--search", "plain", "--bound", "3", "--executions", "20", "--quiet");
        assertThat(r.status()).isEqualTo(3);
        assertThat(r.out()).contains("result: inconclusive: ", "% covered");
        assertThat(r.out()).doesNotContain("SAFE");
    }

    @Test
    void aSplitRunGivesTheSameVerdict() {
        Run r = run("explore", SEED000, "--mutate", "no-split-lock", "--split-depth", "3", "--quiet",
                "--out", System.getProperty("java.io.tmpdir") + "/ptlab-explore-test-split.txt");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).contains("split at depth 3", "result: VIOLATION counters:");
    }
}

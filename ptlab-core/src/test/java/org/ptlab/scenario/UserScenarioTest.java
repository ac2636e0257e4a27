package org.ptlab.scenario;

import org.ptlab.yaml.ScenarioError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.ptlab.run.ScenarioRunner;

/** The user-mm scenario steps and the shipped seed 004 scenario: clean by default, v2 caught. */
class UserScenarioTest {
    @Test
    void seed004ForkScenarioHoldsWithV4AndCatchesV2() {
        Scenario s = Scenario.load(ScenarioTest.SCENARIOS.resolve("pfnmap-seed004-v2-fork.yaml"));
        ScenarioTest.Out ok = ScenarioTest.run(s);
        assertThat(ok.r().status()).as(ok.text()).isZero();
        assertThat(ok.text()).contains("512 PTE, 3 PMD, 0 PUD leaves, 3 deposited tables in mm 2").contains("all hold");
        ScenarioTest.Out bad = ScenarioTest.run(s, "pfnmap=seed004-v2");
        assertThat(bad.r().status()).isEqualTo(1);
        assertThat(bad.text()).contains("VIOLATION after step 4").contains("fork parent -> child")
                .contains("invariant deposit: mm 2: PMD table").contains("4 special huge leaves that own a deposit but 0 deposited tables");
    }

    @Test
    void withoutChecksTheChildSplitIsAKernelBug() {
        Scenario s = Scenario.load(ScenarioTest.SCENARIOS.resolve("pfnmap-seed004-v2-fork.yaml"));
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        ScenarioRunner.Result r = ScenarioRunner.run(s, java.util.List.of("pfnmap=seed004-v2"), 0,
                new java.io.PrintStream(b, true, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(r.status()).isEqualTo(1);
        assertThat(b.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("kernel BUG: pgtable_trans_huge_withdraw");
    }

    @Test
    void faultHandlerVmaGetsFaultTimePmdsAndOldPgprotIsCaught() {
        String text = "machine: {mem: 1G}\nsteps:\n  - mm_alloc: p\n"
                + "  - mmap: {mm: p, name: a, size: 4M, fault_handler: true, pgoff: 0x100000}\n"
                + "  - fault: {mm: p, area: a, offset: 3}\n"
                + "  - user_leaves: {mm: p, area: a, pmd: 1, pte: 0, deposits: 0}\n"
                + "  - mmap_pfn: {mm: p, name: b, size: 2M, pfn: 0x80000}\n"
                + "  - mprotect: {mm: p, area: b, offset: 5, pages: 1, prot: r}\n"
                + "  - exit_mmap: p\n";
        Scenario s = Scenario.parse(text, "t.yaml");
        ScenarioTest.Out ok = ScenarioTest.run(s);
        assertThat(ok.r().status()).as(ok.text()).isZero();
        ScenarioTest.Out bad = ScenarioTest.run(s, "pfnmap=seed004-v4-oldprot");
        assertThat(bad.r().status()).isEqualTo(1);
        assertThat(bad.text()).contains("invariant pgprot");
    }

    @Test
    void badUserStepArgumentsAreOneLineErrors() {
        assertThatThrownBy(() -> Scenario.parse("machine: {mem: 1G}\nsteps:\n  - mm_alloc: p\n  - mprotect: {mm: p, area: a, prot: wx}\n", "t.yaml"))
                .isInstanceOf(ScenarioError.class).hasMessageContaining("t.yaml:4").hasMessageContaining("bad prot 'wx'");
        assertThatThrownBy(() -> Scenario.parse("machine: {mem: 1G}\nsteps:\n  - munmap: {mm: p, area: a, pages: 1, size: 4K}\n", "t.yaml"))
                .isInstanceOf(ScenarioError.class).hasMessageContaining("pages or size");
    }
}

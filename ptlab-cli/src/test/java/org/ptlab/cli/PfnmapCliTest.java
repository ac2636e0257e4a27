package org.ptlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The seed 004 commands: tlb-study pfnmap, bench pfnmap, the shipped scenario and the variant list. */
class PfnmapCliTest {
    static ExploreCliTest.Run run(String... args) {
        return ExploreCliTest.run(args);
    }

    @Test
    void tlbStudyPfnmapPrintsTheSeedTableWithAPudColumn() {
        ExploreCliTest.Run r = run("tlb-study", "pfnmap", "--sizes", "2G", "--measure", "20000");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("Memory Size (MB) PTE (4K)", "PUD (1G)", "2048.00", "2 PUD");
    }

    @Test
    void badInputIsOneLineAndStatusTwo() {
        ExploreCliTest.Run r = run("tlb-study", "pfnmap", "--sizes", "3M");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err().trim()).doesNotContain("\n").contains("expected a multiple of 2M");
        assertThat(run("tlb-study", "pfnmap", "--core", "nope").status()).isEqualTo(2);
        assertThat(run("bench", "pfnmap", "--size", "3M").status()).isEqualTo(2);
    }

    @Test
    void seed004ScenarioAndVariants() {
        assertThat(run("run", "../scenarios/pfnmap-seed004-v2-fork.yaml").status()).isZero();
        ExploreCliTest.Run bad = run("run", "../scenarios/pfnmap-seed004-v2-fork.yaml", "--variant", "pfnmap=seed004-v2");
        assertThat(bad.status()).isEqualTo(1);
        assertThat(bad.out()).contains("invariant deposit");
        assertThat(run("variants").out()).contains("pfnmap=seed004-v4", "pfnmap=seed004-v2", "pfnmap=seed004-v4-oldprot");
    }
}

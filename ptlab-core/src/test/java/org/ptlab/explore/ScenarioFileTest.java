package org.ptlab.explore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ScenarioFileTest {
    static final Path DIR = Path.of("..", "scenarios", "concurrency");

    static Stream<Path> shipped() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    /** Every shipped scenario gives the verdict it declares. */
    @ParameterizedTest
    @MethodSource("shipped")
    void shippedScenarioGivesItsExpectedVerdict(Path file) throws IOException {
        ExploreScenario sc = ScenarioFile.load(file);
        assertThat(sc.expect()).isNotEqualTo(ExploreScenario.Expect.UNSPECIFIED);
        Explorer.Options o = new Explorer.Options();
        o.bound = org.ptlab.arch.Sizes.parse(sc.machine().mem) >= 32L << 20 ? 1 : 2;
        Explorer.Result r = Explorer.explore(sc, o);
        if (sc.expect() == ExploreScenario.Expect.SAFE) {
            assertThat(r.verdict()).isEqualTo(Explorer.Verdict.SAFE_WITHIN_BOUND);
        } else {
            assertThat(r.verdict()).isEqualTo(Explorer.Verdict.VIOLATION);
        }
    }

    /** Each scenario of a known-bad kernel variant is safe with the good variant of the same family. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
        "kernel-pageattr-no-flush.yaml,           pageattr=upstream",
        "split-live-without-bbml2.yaml,           bbml2=system",
        "seed001-collapse-free-before-flush.yaml, collapse-free=flush-first",
    })
    void knownBadVariantScenarioIsSafeWithTheGoodVariant(String file, String good) throws IOException {
        ExploreScenario bad = ScenarioFile.load(DIR.resolve(file));
        assertThat(bad.expect()).isEqualTo(ExploreScenario.Expect.VIOLATION);
        Explorer.Options o = new Explorer.Options();
        o.bound = 1;
        Explorer.Result r = Explorer.explore(bad.with(Set.of(), List.of(good)), o);
        assertThat(r.verdict()).isEqualTo(Explorer.Verdict.SAFE_WITHIN_BOUND);
    }

    /**
     * seed001-collapse-vs-pageattr runs the kernel's pageattr, which WARNs and returns -EINVAL when
     * its walk meets the block a collapse wrote after its split: a WARN is a violation. PCT with
     * seed 3 finds that face of the race in its first execution.
     */
    @Test
    void aKernelWarnIsAViolation() throws IOException {
        ExploreScenario sc = ScenarioFile.load(DIR.resolve("seed001-collapse-vs-pageattr.yaml"));
        Explorer.Options o = new Explorer.Options();
        o.strategy = Explorer.Strategy.PCT;
        o.seed = 3;
        Explorer.Result r = Explorer.explore(sc, o);
        assertThat(r.verdict()).isEqualTo(Explorer.Verdict.VIOLATION);
        assertThat(r.counterexample().kind()).isEqualTo("warn");
        assertThat(r.counterexample().violation()).startsWith("WARN: pageattr: PMD leaf at").contains("only partly inside");
    }

    /** The older operation names run the same kernel code as the ones the shipped files use. */
    @Test
    void olderOperationNamesAreAliases() {
        String m = "machine: {memory: 4M}\nsetup: [split_kernel_leaf_mapping lm+0x1000 lm+0x2000]\n";
        Explorer.Options o = new Explorer.Options();
        o.bound = 1;
        Explorer.Result a = Explorer.explore(ScenarioFile.parse("name: a\n" + m + "cpu0: [try_collapse_kernel_pmd lm]\n"
                + "cpu1: [change_memory_common lm+0x100000 1 ro]\n", "a.yaml"), o);
        Explorer.Result b = Explorer.explore(ScenarioFile.parse("name: b\n" + m + "cpu0: [kernel_try_collapse_kernel_pmd lm]\n"
                + "cpu1: [set_memory_ro lm+0x100000]\n", "b.yaml"), o);
        assertThat(a.verdict()).isEqualTo(Explorer.Verdict.VIOLATION);
        assertThat(b.executions()).isEqualTo(a.executions());
        assertThat(b.states()).isEqualTo(a.states());
        assertThat(b.counterexample().violation()).isEqualTo(a.counterexample().violation());
    }

    /** The older spelling's bare collapse_scan scanned every region: it still does, as collapse_scan: {all: true}. */
    @Test
    void olderCollapseScanScansEveryRegion() {
        String m = "machine: {mem: 4M}\nvariants: [collapse=background]\nsetup: [split_kernel_leaf_mapping lm+0x1000 lm+0x2000]\n";
        Explorer.Options o = new Explorer.Options();
        o.bound = 1;
        Explorer.Result a = Explorer.explore(ScenarioFile.parse("name: a\n" + m + "cpu0: [collapse_scan]\ncpu1: [touch lm]\n", "a.yaml"), o);
        Explorer.Result b = Explorer.explore(ScenarioFile.parse("name: b\n" + m + "cpus: [[collapse_scan: {all: true}], [touch: lm]]\n",
                "b.yaml"), o);
        Explorer.Result c = Explorer.explore(ScenarioFile.parse("name: c\n" + m + "cpus: [[collapse_scan], [touch: lm]]\n", "c.yaml"), o);
        assertThat(b.executions()).isEqualTo(a.executions());
        assertThat(b.states()).isEqualTo(a.states());
        assertThat(c.states()).isNotEqualTo(a.states());
    }

    @Test
    void fileAndBuiltinAgreeOnTheSeed000Race() throws IOException {
        ExploreScenario file = ScenarioFile.load(DIR.resolve("seed000-split-race.yaml"));
        ExploreScenario builtin = ScenarioFile.builtin("seed000-split-race");
        assertThat(ScenarioFile.builtinNames()).contains("seed000-split-race", "tlb-set-memory-ro").hasSize((int) shipped().count());
        assertThatThrownBy(() -> ScenarioFile.builtin("nope")).hasMessageContaining("expected one of [kernel-pageattr-no-flush");
        Explorer.Options o = new Explorer.Options();
        Explorer.Result a = Explorer.explore(file, o);
        Explorer.Result b = Explorer.explore(builtin, o);
        assertThat(a.executions()).isEqualTo(b.executions());
        assertThat(a.states()).isEqualTo(b.states());
    }

    @Test
    void errorsNameTheLineAndWhatWasExpected() {
        assertThatThrownBy(() -> ScenarioFile.parse("name: x\ncpu0:\n  - splat lm+1\n", "f.yaml"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("f.yaml:3:5: unknown operation 'splat'");
        assertThatThrownBy(() -> ScenarioFile.parse("name: x\ncpu0:\n  - clear_page lm+zz\n", "f.yaml"))
                .hasMessageStartingWith("f.yaml:3:5: address 'lm+zz'");
        assertThatThrownBy(() -> ScenarioFile.parse("name: x\ncpu1:\n  - clear_page lm\n", "f.yaml"))
                .hasMessageContaining("cpu1 without cpu0");
        assertThatThrownBy(() -> ScenarioFile.parse("name: x\nmachine: {memory: 3}\ncpu0: [clear_page lm]\n", "f.yaml"))
                .hasMessageStartingWith("f.yaml:2:10: machine: memory range");
        assertThatThrownBy(() -> ScenarioFile.parse("name: [x\n", "f.yaml"))
                .hasMessageStartingWith("f.yaml:").hasMessageContaining("bad YAML");
        assertThatThrownBy(() -> ScenarioFile.parse("name: x\nvariants: [lazy=lazier]\ncpu0: [touch lm]\n", "f.yaml"))
                .hasMessageStartingWith("f.yaml:2:12: unknown variant 'lazier'");
        assertThatThrownBy(() -> ScenarioFile.parse("name: x\nmachine: {bbml2: maybe}\ncpu0: [touch lm]\n", "f.yaml"))
                .hasMessage("f.yaml:2:18: machine.bbml2: expected noabort, none, auto or boot-cpu, got 'maybe'");
        assertThat(ScenarioFile.parse("name: x\nmachine: {bbml2: boot-cpu}\ncpu0: [touch lm]\ncpu1: [touch lm]\n", "f.yaml")
                .machine().bbml2).isEqualTo("boot-cpu");
    }

    @Test
    void scheduleFileRoundTripsAndReplaysTheViolation() throws IOException {
        ExploreScenario sc = ScenarioFile.load(DIR.resolve("seed000-split-race-nolock.yaml"));
        Explorer.Result r = Explorer.explore(sc, new Explorer.Options());
        assertThat(r.verdict()).isEqualTo(Explorer.Verdict.VIOLATION);
        ScheduleFile f = new ScheduleFile("x.yaml", List.of(), Set.of(Mutation.NO_SPLIT_LOCK), r.counterexample().violation(),
                r.counterexample().schedule());
        ScheduleFile g = ScheduleFile.parse(f.format(), "s.txt");
        assertThat(g.schedule()).containsExactly(r.counterexample().schedule());
        assertThat(g.mutations()).containsExactly(Mutation.NO_SPLIT_LOCK);
        Explorer.Replay rp = Explorer.replay(sc, g.schedule());
        assertThat(rp.violation()).isEqualTo(r.counterexample().violation());
        assertThat(rp.trace()).anyMatch(l -> l.contains("write DirectMap."));
        // the default schedule (no preemption) is safe even without the lock
        assertThat(Explorer.replay(sc, new int[0]).violation()).isNull();
    }

    @Test
    void runLengthEncoding() {
        int[] s = {0, 0, 0, 1, 0, 0, 1};
        assertThat(ScheduleFile.encode(s)).isEqualTo("0*3 1 0*2 1");
        assertThat(ScheduleFile.decode("0*3 1 0*2 1")).containsExactly(s);
        assertThatThrownBy(() -> ScheduleFile.decode("0*x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScheduleFile.decode("9")).isInstanceOf(IllegalArgumentException.class);
    }
}

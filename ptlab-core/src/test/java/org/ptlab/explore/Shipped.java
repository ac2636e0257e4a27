package org.ptlab.explore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** The shipped scenarios the explorer's tests run (scenarios/concurrency/, no Java copies). */
final class Shipped {
    static final Path DIR = Path.of("..", "scenarios", "concurrency");

    private Shipped() {}

    static ExploreScenario load(String name) {
        try {
            return ScenarioFile.load(DIR.resolve(name + ".yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ExploreScenario seed000SplitRace() {
        return load("seed000-split-race");
    }

    static ExploreScenario seed000SplitRaceContPmd() {
        return load("seed000-split-race-contpmd");
    }

    /** Seed 002's nested lazy MMU section (the tests choose the lazy variant; the file's is generic). */
    static ExploreScenario seed002LazyNesting() {
        return load("seed002-lazy-generic");
    }

    static ExploreScenario tlbSetMemoryRo() {
        return load("tlb-set-memory-ro");
    }

    /** Seed 001's PMD collapse against a reader's walk cache, with the good collapse-free variant (safe). */
    static ExploreScenario seed001CollapseWithReader() {
        return load("seed001-collapse-free-before-flush").with(Set.of(), List.of("collapse-free=flush-first"));
    }
}

package org.ptlab.spark;

import org.ptlab.sweep.Engine;
import org.ptlab.sweep.EngineProvider;
import org.ptlab.sweep.EngineSettings;

/** {@code --engine spark}, found by ServiceLoader when ptlab-spark is on the class path. */
public final class SparkEngineProvider implements EngineProvider {
    @Override
    public String name() {
        return "spark";
    }

    @Override
    public Engine open(EngineSettings settings) {
        return SparkEngine.open(settings.master() == null ? "local[*]" : settings.master());
    }
}

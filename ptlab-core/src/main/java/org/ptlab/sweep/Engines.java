package org.ptlab.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds an engine by name: local is built in; others join through {@link EngineProvider}. */
public final class Engines {
    private Engines() {}

    /** The names available on this class path. */
    public static List<String> names() {
        List<String> l = new ArrayList<>(List.of("local"));
        for (EngineProvider p : ServiceLoader.load(EngineProvider.class)) {
            l.add(p.name());
        }
        return l;
    }

    public static Engine open(String name, EngineSettings s) {
        if (name.equals("local")) {
            if (s.master() != null) {
                throw new IllegalArgumentException("--master: the local engine takes no master URL (it is for --engine spark)");
            }
            return new LocalEngine(s.threads());
        }
        for (EngineProvider p : ServiceLoader.load(EngineProvider.class)) {
            if (p.name().equals(name)) {
                return p.open(s);
            }
        }
        if (name.equals("spark")) {
            throw new IllegalArgumentException("--engine spark: the Spark engine is not on the class path; launch with `./ptlab --spark sweep ...` (see README, ptlab-spark)");
        }
        throw new IllegalArgumentException("--engine " + name + ": unknown engine; expected one of " + String.join(", ", names()));
    }
}

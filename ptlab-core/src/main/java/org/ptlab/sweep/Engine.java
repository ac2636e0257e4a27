package org.ptlab.sweep;

import java.util.List;
import java.util.function.Consumer;

/**
 * Where a sweep's jobs run: {@link LocalEngine} (a thread pool in this JVM, the default) or an
 * engine found through {@link EngineProvider} (the Spark engine of the optional ptlab-spark
 * module). An engine only runs jobs and hands back their rows; the sweep orders, merges and writes them.
 */
public interface Engine extends AutoCloseable {
    /** The engine's name and where it runs, for the log ("local, 2 threads", "spark local[2]"). */
    String describe();

    /**
     * Run every job and give each row (one line of JSON, {@link Jobs#execute}) to done as it
     * finishes, in any order, from any thread; return once all are done. Interrupting the calling
     * thread cancels the jobs not yet finished.
     */
    void run(List<Job> jobs, Consumer<String> done) throws InterruptedException;

    @Override
    void close();
}

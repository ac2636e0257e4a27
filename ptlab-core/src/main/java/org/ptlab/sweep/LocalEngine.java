package org.ptlab.sweep;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/** The default engine: a fixed thread pool in this JVM, one job per task. */
public final class LocalEngine implements Engine {
    private final int threads;
    private final ExecutorService pool;

    /** threads 0: one per available processor. */
    public LocalEngine(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("--threads must be 0 (one per processor) or more");
        }
        this.threads = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        this.pool = Executors.newFixedThreadPool(this.threads, r -> {
            Thread t = new Thread(r, "ptlab-sweep");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String describe() {
        return "local, " + threads + " thread" + (threads == 1 ? "" : "s");
    }

    @Override
    public void run(List<Job> jobs, Consumer<String> done) throws InterruptedException {
        ExecutorCompletionService<String> cs = new ExecutorCompletionService<>(pool);
        java.util.List<Future<String>> fs = new java.util.ArrayList<>();
        for (Job j : jobs) {
            fs.add(cs.submit(() -> Jobs.execute(j)));
        }
        try {
            for (int i = 0; i < jobs.size(); i++) {
                try {
                    done.accept(cs.take().get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a job failed outside its row: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            for (Future<String> f : fs) {
                f.cancel(true);
            }
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}

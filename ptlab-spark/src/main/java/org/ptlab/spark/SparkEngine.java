package org.ptlab.spark;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.ptlab.sweep.Engine;
import org.ptlab.sweep.Job;
import org.ptlab.sweep.Jobs;

/**
 * The Apache Spark engine of {@code ptlab sweep}: each job is a one-task Spark job submitted
 * asynchronously, so rows come back as they finish (progress, incremental result files) while
 * Spark's scheduler keeps every executor core busy. A job is self-contained ({@link Job} carries
 * the scenario text), so executors need only the ptlab-core classes, which are shipped with the
 * application ({@code spark.jars}) when they come from jars.
 */
public final class SparkEngine implements Engine {
    private static final Pattern LOCAL = Pattern.compile("local(\\[(\\*|[1-9][0-9]*)(,[0-9]+)?\\])?");
    private static final Pattern STANDALONE = Pattern.compile("spark://([^:/\\s]+):([0-9]{1,5})");

    private final String master;
    private final JavaSparkContext sc;

    private SparkEngine(String master, JavaSparkContext sc) {
        this.master = master;
        this.sc = sc;
    }

    /** Check the master URL (and that a standalone master answers), then start a context. */
    public static SparkEngine open(String master) {
        SparkConf conf = new SparkConf().setMaster(master).setAppName("ptlab sweep")
                .set("spark.ui.enabled", "false")
                .set("spark.ui.showConsoleProgress", "false");
        boolean loopback;
        if (LOCAL.matcher(master).matches()) {
            loopback = true;
        } else {
            Matcher m = STANDALONE.matcher(master);
            if (!m.matches()) {
                throw new IllegalArgumentException("--master " + master + ": expected local[N], local[*] or spark://HOST:PORT");
            }
            String host = m.group(1);
            int port = Integer.parseInt(m.group(2));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 3000);
                loopback = InetAddress.getByName(host).isLoopbackAddress();
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException("--master " + master + ": cannot reach the Spark master (" + e.getMessage() + ")");
            }
            List<String> jars = jarsToShip();
            if (!jars.isEmpty()) {
                conf.set("spark.jars", String.join(",", jars));
            }
        }
        if (loopback && System.getenv("SPARK_LOCAL_IP") == null) {
            // without SPARK_LOCAL_IP Spark binds the host's first non-loopback address
            conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        }
        JavaSparkContext sc = new JavaSparkContext(conf);
        sc.setLogLevel("WARN");
        return new SparkEngine(master, sc);
    }

    /** The jars of ptlab-core, this module and the YAML reader, when the classes come from jars. */
    static List<String> jarsToShip() {
        Set<String> l = new LinkedHashSet<>();
        for (Class<?> c : new Class<?>[] {Job.class, SparkEngine.class, com.fasterxml.jackson.dataformat.yaml.YAMLFactory.class,
            org.yaml.snakeyaml.LoaderOptions.class}) {
            try {
                var src = c.getProtectionDomain().getCodeSource();
                if (src == null) {
                    continue;
                }
                Path p = Path.of(src.getLocation().toURI());
                if (Files.isRegularFile(p)) {
                    l.add(p.toUri().toString());
                }
            } catch (URISyntaxException | SecurityException e) {
                // not shippable: the executors must have it on their class path
            }
        }
        return new ArrayList<>(l);
    }

    @Override
    public String describe() {
        return "spark " + master + " (Spark " + sc.version() + ", default parallelism " + sc.defaultParallelism() + ")";
    }

    @Override
    public void run(List<Job> jobs, Consumer<String> done) throws InterruptedException {
        List<JavaFutureAction<List<String>>> pending = new ArrayList<>();
        for (Job j : jobs) {
            pending.add(sc.parallelize(List.of(j), 1).map(Jobs::execute).collectAsync());
        }
        try {
            while (!pending.isEmpty()) {
                boolean any = false;
                for (Iterator<JavaFutureAction<List<String>>> it = pending.iterator(); it.hasNext();) {
                    JavaFutureAction<List<String>> f = it.next();
                    if (f.isDone()) {
                        it.remove();
                        any = true;
                        try {
                            for (String row : f.get()) {
                                done.accept(row);
                            }
                        } catch (java.util.concurrent.ExecutionException e) {
                            throw new IllegalStateException("a Spark job failed: " + e.getCause().getMessage(), e.getCause());
                        }
                    }
                }
                if (!any) {
                    Thread.sleep(20);
                }
            }
        } finally {
            if (!pending.isEmpty()) {
                sc.cancelAllJobs();
            }
        }
    }

    @Override
    public void close() {
        sc.close();
    }
}

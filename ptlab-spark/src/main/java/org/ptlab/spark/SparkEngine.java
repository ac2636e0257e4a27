package org.ptlab.spark;

import java.io.IOException;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.SimpleFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.ptlab.sweep.Engine;
import org.ptlab.sweep.Job;
import org.ptlab.sweep.Jobs;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction0;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * The Apache Spark engine of {@code ptlab sweep}: the points are the tasks of one Spark job, and
 * each task's row comes back as it finishes (progress, incremental result files) while Spark's
 * scheduler keeps every executor core busy. A job is self-contained ({@link Job} carries
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

    /**
     * One Spark job with one task per point (a task costs Spark far less than a job: about 70 ms of
     * CPU per one-task job was measured, as much as a small point); Spark hands each task's rows to
     * the result handler as the task ends, so they stream back while the job runs.
     */
    @Override
    public void run(List<Job> jobs, Consumer<String> done) throws InterruptedException {
        if (jobs.isEmpty()) {
            return;
        }
        LinkedBlockingQueue<String[]> arrived = new LinkedBlockingQueue<>();
        List<Object> parts = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            parts.add(i);
        }
        SimpleFutureAction<Object> f = sc.sc().submitJob(sc.parallelize(jobs, jobs.size()).rdd(), new RunPartition(),
                CollectionConverters.asScala(parts).toList(), new AbstractFunction2<Object, String[], BoxedUnit>() {
                    @Override
                    public BoxedUnit apply(Object partition, String[] rows) {
                        arrived.add(rows); // on Spark's scheduler thread: hand over, write elsewhere
                        return BoxedUnit.UNIT;
                    }
                }, new AbstractFunction0<Object>() {
                    @Override
                    public Object apply() {
                        return null;
                    }
                });
        boolean finished = false;
        try {
            int got = 0;
            while (got < jobs.size()) {
                String[] rows = arrived.poll(100, TimeUnit.MILLISECONDS);
                if (rows != null) {
                    got++;
                    for (String r : rows) {
                        done.accept(r);
                    }
                } else if (f.isCompleted() && arrived.isEmpty()) {
                    try {
                        f.get();
                    } catch (Exception e) {
                        throw new IllegalStateException("the Spark job failed: " + e.getMessage(), e);
                    }
                    if (got < jobs.size()) {
                        throw new IllegalStateException("the Spark job ended with " + got + " of " + jobs.size() + " rows");
                    }
                }
            }
            finished = true;
        } finally {
            if (!finished) {
                f.cancel();
            }
        }
    }

    /** A task: run the jobs of one partition (one point each). */
    static final class RunPartition extends AbstractFunction1<scala.collection.Iterator<Job>, String[]> implements Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public String[] apply(scala.collection.Iterator<Job> it) {
            List<String> l = new ArrayList<>();
            while (it.hasNext()) {
                l.add(Jobs.execute(it.next()));
            }
            return l.toArray(new String[0]);
        }
    }

    @Override
    public void close() {
        sc.close();
    }
}

package org.ptlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The extension example of docs/extending.md, built as a separate jar (compiled here with
 * javax.tools against ptlab's classes, jarred with its META-INF/services file) and run by a forked
 * {@code java -cp ptlab's class path:the jar org.ptlab.cli.Ptlab}: it shows in `ptlab variants`,
 * runs under `ptlab run --variant` and under `ptlab explore`. The doc shows the very files used.
 */
class ExtensionJarTest {
    static final Path EXAMPLE = Path.of("../docs/examples/pmd-scan");
    static final Path SOURCE = EXAMPLE.resolve("src/com/example/ptlab/PmdScan.java");
    static final Path SERVICES = EXAMPLE.resolve("META-INF/services/org.ptlab.kernel.Variant");

    @TempDir
    static Path tmp;
    static Path jar;

    @BeforeAll
    static void buildJar() throws IOException {
        jar = build(tmp.resolve("good"), Files.readString(SOURCE));
    }

    /** Compile one source of class com.example.ptlab.PmdScan and jar it with the services file. */
    static Path build(Path dir, String source) throws IOException {
        Path src = dir.resolve("src/com/example/ptlab/PmdScan.java");
        Path classes = dir.resolve("classes");
        Files.createDirectories(src.getParent());
        Files.createDirectories(classes);
        Files.writeString(src, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diag = new StringWriter();
        boolean ok = javac.getTask(diag, null, null,
                List.of("-d", classes.toString(), "-cp", System.getProperty("java.class.path"), "--release", "17"), null,
                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(src.toFile())).call();
        assertThat(ok).as(diag.toString()).isTrue();
        Path out = dir.resolve("pmd-scan.jar");
        try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(out)); Stream<Path> files = Files.walk(classes)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                j.putNextEntry(new JarEntry(classes.relativize(p).toString().replace(File.separatorChar, '/')));
                Files.copy(p, j);
                j.closeEntry();
            }
            j.putNextEntry(new JarEntry("META-INF/services/org.ptlab.kernel.Variant"));
            Files.copy(SERVICES, j);
            j.closeEntry();
        }
        return out;
    }

    record Out(int status, String out) {}

    /** {@code java -cp <test class path>:<jar> org.ptlab.cli.Ptlab args...} */
    static Out ptlab(Path extJar, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path") + File.pathSeparator + extJar);
        cmd.add("org.ptlab.cli.Ptlab");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (var in = p.getInputStream(); OutputStream o = b) {
            in.transferTo(o);
        }
        return new Out(p.waitFor(), b.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theDocShowsTheFilesTheTestBuilds() throws IOException {
        String doc = Files.readString(Path.of("../docs/extending.md"));
        assertThat(doc).contains(Files.readString(SOURCE).strip());
        assertThat(doc).contains(Files.readString(SERVICES).strip());
        assertThat(doc).contains(Files.readString(EXAMPLE.resolve("run.yaml")).strip());
        assertThat(doc).contains(Files.readString(EXAMPLE.resolve("explore.yaml")).strip());
    }

    @Test
    void withoutTheJarTheVariantIsUnknown() {
        RunCliTest.Run r = RunCliTest.run("run", EXAMPLE.resolve("run.yaml").toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("unknown variant 'pmd-scan' for collapse");
    }

    @Test
    void listedByVariants() throws Exception {
        Out o = ptlab(jar, "variants");
        assertThat(o.status()).as(o.out()).isZero();
        assertThat(o.out()).containsPattern("(?m)^  collapse=pmd-scan +example \\(docs/extending.md\\).*\\[com\\.example\\.ptlab\\.PmdScan\\]$");
        assertThat(o.out()).contains("* collapse=none");
    }

    @Test
    void runsUnderRunWithVariant() throws Exception {
        // the scenario names the variant itself; --variant on the command line selects it too
        Out o = ptlab(jar, "run", EXAMPLE.resolve("run.yaml").toString(), "--variant", "collapse=pmd-scan");
        assertThat(o.status()).as(o.out()).isZero();
        assertThat(o.out()).contains("collapse_scan: 1 collapses", "all hold", "DirectMap2M:       28672 kB");
    }

    @Test
    void runsUnderExplore() throws Exception {
        Out o = ptlab(jar, "explore", EXAMPLE.resolve("explore.yaml").toString());
        assertThat(o.status()).as(o.out()).isZero();
        assertThat(o.out()).contains("collapse=pmd-scan", "SAFE within the bound", "expected: safe (as expected)");
    }

    /** The doc's exercise: without the region exclusion the explorer finds the daemon freeing a table pageattr still writes. */
    @Test
    void withoutRegionExclusionTheExplorerFindsTheRace() throws Exception {
        String src = Files.readString(SOURCE);
        String naive = src.replace("public boolean regionExclusion() {\n        return true;", "public boolean regionExclusion() {\n        return false;");
        assertThat(naive).isNotEqualTo(src);
        Path j = build(tmp.resolve("naive"), naive);
        Out o = ptlab(j, "explore", EXAMPLE.resolve("explore.yaml").toString());
        assertThat(o.status()).as(o.out()).isEqualTo(1);
        assertThat(o.out()).contains("result: VIOLATION kernel-bug", "use after free", "expected: safe (NOT as expected)");
    }
}

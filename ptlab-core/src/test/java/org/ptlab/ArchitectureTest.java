package org.ptlab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The direction of imports between ptlab-core's packages (docs/architecture.md): every package
 * may use only the packages listed for it, so dependencies flow one way, and no two source files
 * depend on each other across packages. Scans the main sources' imports and fully qualified names
 * (comments and strings excluded).
 */
class ArchitectureTest {
    /** Package -> the packages it may use. */
    static final Map<String, Set<String>> ALLOWED = new LinkedHashMap<>();

    static {
        allow("io"); // the input and output layer (file reading and atomic writing): Java only, usable by every package
        allow("arch");
        allow("yaml", "arch");
        allow("pgtable", "arch");
        allow("kernel", "arch", "yaml", "pgtable");
        allow("user", "arch", "yaml", "pgtable");
        allow("hw", "arch", "yaml", "pgtable");
        allow("check", "arch", "pgtable", "kernel", "user", "hw");
        allow("ops", "arch", "yaml", "pgtable", "kernel", "user", "hw", "check");
        allow("source", "arch", "yaml", "pgtable", "kernel", "user", "hw", "check", "ops");
        allow("scenario", "arch", "yaml", "pgtable", "kernel", "user", "hw", "check", "ops", "source");
        allow("run", "arch", "yaml", "pgtable", "kernel", "user", "hw", "check", "ops", "source", "scenario");
        allow("explore", "arch", "yaml", "pgtable", "kernel", "user", "hw", "check", "ops", "source", "scenario");
        allow("study", "arch", "yaml", "pgtable", "kernel", "user", "hw", "check", "ops", "source", "scenario", "run");
        allow("sweep", "arch", "yaml", "pgtable", "kernel", "user", "hw", "check", "ops", "source", "scenario", "run", "explore",
                "study");
        allow("report", "arch", "yaml", "pgtable", "kernel", "user", "hw", "check", "ops", "source", "scenario", "run", "explore",
                "study", "sweep");
        allow("oracle", "arch", "yaml", "pgtable", "kernel", "user", "hw", "check", "ops", "source", "scenario", "run", "explore",
                "study", "sweep", "report");
    }

    private static void allow(String pkg, String... uses) {
        Set<String> u = new TreeSet<>(List.of(uses));
        if (!pkg.equals("io")) {
            u.add("io");
        }
        ALLOWED.put(pkg, u);
    }

    static final Path MAIN = Path.of("src/main/java/org/ptlab");
    static final Pattern REF = Pattern.compile("\\borg\\.ptlab\\.([a-z]\\w*)\\.([A-Z]\\w*)");

    static String code(String s) {
        s = s.replaceAll("(?s)/\\*.*?\\*/", " ");
        s = s.replaceAll("//[^\n]*", " ");
        return s.replaceAll("\"(?:\\\\.|[^\"\\\\\n])*\"", "\"\"");
    }

    /** file (pkg/Class) -> referenced files (pkg/Class) in other packages. */
    static Map<String, Set<String>> references() throws IOException {
        Map<String, Set<String>> out = new HashMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String pkg = MAIN.relativize(f).getName(0).toString();
                String cls = f.getFileName().toString().replace(".java", "");
                Set<String> refs = new TreeSet<>();
                Matcher m = REF.matcher(code(Files.readString(f)));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        refs.add(m.group(1) + "/" + m.group(2));
                    }
                }
                out.put(pkg + "/" + cls, refs);
            }
        }
        return out;
    }

    @Test
    void everyPackageImportsOnlyThePackagesBelowIt() throws IOException {
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : references().entrySet()) {
            String pkg = e.getKey().split("/")[0];
            Set<String> ok = ALLOWED.get(pkg);
            if (ok == null) {
                bad.add(e.getKey() + ": package '" + pkg + "' has no place in ArchitectureTest.ALLOWED (and docs/architecture.md)");
                continue;
            }
            for (String r : e.getValue()) {
                if (!ok.contains(r.split("/")[0])) {
                    bad.add(e.getKey() + " uses " + r);
                }
            }
        }
        assertThat(bad).as("imports against the direction of docs/architecture.md").isEmpty();
    }

    @Test
    void noFileCirclesAcrossPackages() throws IOException {
        Map<String, Set<String>> refs = references();
        List<String> circles = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : refs.entrySet()) {
            for (String r : e.getValue()) {
                if (refs.getOrDefault(r, Set.of()).contains(e.getKey()) && e.getKey().compareTo(r) < 0) {
                    circles.add(e.getKey() + " <-> " + r);
                }
            }
        }
        assertThat(circles).isEmpty();
    }

    /** Issue 14's grep-level acceptance: one place (ops.Ops) maps a call name to PageAttr. */
    @Test
    void onlyTheCatalogueMapsACallNameToPageAttr() throws IOException {
        List<String> bad = new ArrayList<>();
        Pattern p = Pattern.compile("case \"(set_memory_\\w+|set_direct_map_\\w+|__change_memory_common|change_memory_common)\"");
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : (Iterable<Path>) files.filter(x -> x.toString().endsWith(".java"))::iterator) {
                if (p.matcher(Files.readString(f)).find() && !f.endsWith(Path.of("ops", "Ops.java"))) {
                    bad.add(MAIN.relativize(f).toString());
                }
            }
        }
        assertThat(bad).isEmpty();
    }

    /**
     * Issue 14's variants as one class per behaviour: main code asks the selected policy object
     * ({@code variants.policy(...)}), never compares a variant's name ({@code variants.is(...)}).
     */
    @Test
    void noVariantNameChecksInMainCode() throws IOException {
        List<String> bad = new ArrayList<>();
        Pattern p = Pattern.compile("variants\\s*\\.\\s*is\\s*\\(");
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : (Iterable<Path>) files.filter(x -> x.toString().endsWith(".java"))::iterator) {
                if (p.matcher(code(Files.readString(f))).find()) {
                    bad.add(MAIN.relativize(f).toString());
                }
            }
        }
        assertThat(bad).isEmpty();
    }

    @Test
    void theCheckCatchesAnUpwardImport() throws IOException {
        Map<String, Set<String>> refs = references();
        assertThat(refs).hasSizeGreaterThan(100);
        assertThat(refs.get("run/ScenarioRunner")).contains("scenario/Scenario", "kernel/Kernel");
        Matcher m = REF.matcher(code("import org.ptlab.run.ScenarioRunner; // org.ptlab.study.X\n String s = \"org.ptlab.cli.Y\";"));
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group(1));
        }
        assertThat(found).containsExactly("run");
        assertThat(ALLOWED.get("kernel")).doesNotContain("run", "scenario", "explore", "check");
    }
}

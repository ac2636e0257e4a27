package org.ptlab.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one way ptlab writes output files (the mechanics behind {@code report.AtomicOutput}):
 * <ul>
 *   <li>every output path is checked before the work ({@link #checkFile}, {@link #checkDir}): a
 *       missing parent folder, a folder where a file is wanted, a file where a folder is wanted;
 *   <li>one file is written to a temporary file next to it and renamed over it once complete, so
 *       a reader sees the old file or the complete new one ({@link #write});
 *   <li>a set of files in one folder ({@link #writeSet}) is written to temporary files, renamed
 *       into place, and then a manifest ({@code NAME.manifest}: size and SHA-256 of each file) is
 *       written last; the old manifest is removed first, so a folder whose manifest is missing or
 *       does not match is an incomplete set ({@link #verifySet});
 *   <li>every temporary file is registered until committed; a JVM shutdown hook (Ctrl-C, SIGTERM)
 *       deletes those still open; files are created rw-r--r-- (0644).
 * </ul>
 * Refusals are IllegalArgumentExceptions (exit 2), one line naming the path.
 */
public final class OutputFiles {
    private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();
    private static final Object LOCK = new Object();
    private static boolean shuttingDown;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(OutputFiles::shutdown, "ptlab-output-cleanup"));
    }

    private OutputFiles() {}

    /** Thrown when an output is begun after Ctrl-C (the shutdown hook has swept the temporaries). */
    public static final class ShuttingDown extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ShuttingDown(Path target) {
            super("interrupted: not writing " + target);
        }
    }

    /** Writes a file's whole content. */
    @FunctionalInterface
    public interface Body {
        void write(OutputStream os) throws IOException;
    }

    /** Check that a file can be written at target: its folder exists, target is not a folder. */
    public static void checkFile(Path target) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (Files.isDirectory(abs)) {
            throw new IllegalArgumentException("cannot write " + target + ": is a directory (expected a file name)");
        }
        if (dir == null || !Files.exists(dir)) {
            throw new IllegalArgumentException("cannot write " + target + ": no such directory " + dir);
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("cannot write " + target + ": " + dir + " is not a directory");
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException("cannot write " + target + ": directory " + dir + " is not writable");
        }
        if (Files.exists(abs) && !Files.isRegularFile(abs)) {
            throw new IllegalArgumentException("cannot write " + target + ": exists and is not a regular file");
        }
    }

    /** Check that dir is a folder or can be created as one (its parent exists). */
    public static void checkDir(Path dir) {
        Path abs = dir.toAbsolutePath();
        if (Files.exists(abs)) {
            if (!Files.isDirectory(abs)) {
                throw new IllegalArgumentException("cannot write into " + dir + ": is a file (expected a directory)");
            }
            if (!Files.isWritable(abs)) {
                throw new IllegalArgumentException("cannot write into " + dir + ": not writable");
            }
            return;
        }
        Path parent = abs.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new IllegalArgumentException("cannot write into " + dir + ": no such directory " + parent);
        }
        if (!Files.isWritable(parent)) {
            throw new IllegalArgumentException("cannot write into " + dir + ": directory " + parent + " is not writable");
        }
    }

    /** Write one file atomically; on any failure the target is untouched and no temporary is left. */
    public static void write(Path target, Body body) {
        checkFile(target);
        Path tmp = temp(target);
        try {
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp, EXISTING), 1 << 16)) {
                body.write(os);
            }
            commit(tmp, target);
        } catch (IOException e) {
            abort(tmp);
            throw new IllegalArgumentException("cannot write " + target + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            abort(tmp);
            throw e;
        }
    }

    /**
     * Write a set of files into dir (created if missing): each to a temporary file first, then all
     * renamed into place, then dir/manifestName written last (size and SHA-256 per file).
     */
    public static void writeSet(Path dir, String manifestName, Map<String, Body> files) {
        checkDir(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create " + dir + ": " + e.getMessage());
        }
        for (String name : files.keySet()) {
            checkFile(dir.resolve(name));
        }
        Path manifest = dir.resolve(manifestName);
        List<Path> tmps = new ArrayList<>();
        Map<String, String> sums = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Body> e : files.entrySet()) {
                Path tmp = temp(dir.resolve(e.getKey()));
                tmps.add(tmp);
                MessageDigest md = sha256();
                try (OutputStream os = new java.security.DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp, EXISTING), 1 << 16), md)) {
                    e.getValue().write(os);
                }
                sums.put(e.getKey(), Files.size(tmp) + " " + HexFormat.of().formatHex(md.digest()));
            }
            Files.deleteIfExists(manifest); // from here until the new manifest the set is visibly incomplete
            int i = 0;
            for (String name : files.keySet()) {
                commit(tmps.get(i++), dir.resolve(name));
            }
            StringBuilder m = new StringBuilder("# ptlab output set: size sha256 name; written last, so the set is complete when this file is present and matches\n");
            sums.forEach((name, s) -> m.append(s).append(' ').append(name).append('\n'));
            write(manifest, os -> os.write(m.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            tmps.forEach(OutputFiles::abort);
            throw new IllegalArgumentException("cannot write into " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            tmps.forEach(OutputFiles::abort);
            throw e;
        }
    }

    /** Whether dir holds a complete set: its manifest exists and every file matches it. */
    public static boolean verifySet(Path dir, String manifestName) throws IOException {
        Path manifest = dir.resolve(manifestName);
        if (!Files.isRegularFile(manifest)) {
            return false;
        }
        for (String l : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
            if (l.startsWith("#") || l.isBlank()) {
                continue;
            }
            String[] f = l.split(" ", 3);
            Path p = dir.resolve(f[2]);
            if (!Files.isRegularFile(p) || Files.size(p) != Long.parseLong(f[0])) {
                return false;
            }
            if (!HexFormat.of().formatHex(sha256().digest(Files.readAllBytes(p))).equals(f[1])) {
                return false;
            }
        }
        return true;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Temporaries are opened without CREATE: if the shutdown hook has already deleted one, a writer
     * still running fails instead of bringing the file back after the sweep.
     */
    private static final java.nio.file.OpenOption[] EXISTING = {java.nio.file.StandardOpenOption.WRITE,
        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING};

    /** A registered temporary file next to target (.NAME.RANDOM.tmp), mode 0644. */
    public static Path temp(Path target) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        try {
            Path tmp;
            synchronized (LOCK) { // no temporary may appear after the shutdown hook has swept
                if (shuttingDown) {
                    throw new ShuttingDown(target);
                }
                tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
                PENDING.add(tmp);
            }
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: keep the default
            }
            return tmp;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("cannot write " + target + ": no such directory " + dir);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException("cannot write " + target + ": " + e.getMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + target + ": " + e.getMessage());
        }
    }

    /** Rename a registered temporary over target. */
    public static void commit(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        PENDING.remove(tmp);
    }

    /** Delete a registered temporary (best effort; the shutdown hook tries again). */
    public static void abort(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            return;
        }
        PENDING.remove(tmp);
    }

    /** Temporary files not yet committed (for tests). */
    public static Set<Path> pending() {
        return PENDING;
    }

    private static void shutdown() {
        synchronized (LOCK) {
            shuttingDown = true;
        }
        deletePending();
    }

    /** What the shutdown hook does: delete every uncommitted temporary file. */
    public static void deletePending() {
        for (Path p : PENDING.toArray(new Path[0])) {
            abort(p);
        }
    }
}

package dev.kquorum.replica.store;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;

/**
 * Loads RocksDB's JNI library from one stable directory. RocksDB's own loader copies the 15 MB
 * library into the system temporary directory under a fresh name on every start and deletes it
 * only on a clean exit, so every SIGKILLed worker leaves one behind (hundreds of MB after a test
 * run). Here it is copied once per library build into {@code <cache>/kquorum/rocksdbjni-<id>/}
 * and reused by every later start; the id comes from the library's checksum in the jar, so an
 * upgraded RocksDB gets its own directory rather than loading a stale copy.
 *
 * <p>The directory is, in order: the {@value #DIR_PROPERTY} system property,
 * {@code $XDG_CACHE_HOME/kquorum}, {@code ~/.cache/kquorum}. If none is writable, RocksDB's own
 * loader is the fallback, with a warning.
 */
public final class RocksDbLibrary {

    /** System property naming the directory that holds the extracted library. */
    public static final String DIR_PROPERTY = "kquorum.native.dir";

    private static final Logger log = LoggerFactory.getLogger(RocksDbLibrary.class);
    private static boolean loaded;

    private RocksDbLibrary() {
    }

    /** Loads the library once per JVM; later calls return at once. */
    public static synchronized void load() {
        if (loaded) {
            return;
        }
        String fileName = Environment.getJniLibraryFileName("rocksdb");
        URL resource = resource(fileName);
        if (resource == null) {
            // Not bundled for this platform (or a system-installed build): RocksDB knows best.
            RocksDB.loadLibrary();
        } else {
            try {
                Path dir = baseDir().resolve("rocksdbjni-" + buildId(resource));
                Path library = dir.resolve(fileName);
                if (!Files.isRegularFile(library)) {
                    extract(resource, dir, library);
                }
                linkUnderTheNameRocksDbLooksFor(dir, library);
                RocksDB.loadLibrary(List.of(dir.toString()));
            } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
                log.warn("Cannot load RocksDB's library from a stable directory ({}); falling back to a copy in {}",
                        e.getMessage(), System.getProperty("java.io.tmpdir"));
                RocksDB.loadLibrary();
            }
        }
        loaded = true;
    }

    private static URL resource(String fileName) {
        URL url = RocksDB.class.getClassLoader().getResource(fileName);
        String fallback = Environment.getFallbackJniLibraryFileName("rocksdb");
        if (url == null && fallback != null) {
            // e.g. a musl build that ships only the glibc library: loaded under the primary name
            url = RocksDB.class.getClassLoader().getResource(fallback);
        }
        return url;
    }

    /**
     * {@code RocksDB.loadLibrary(paths)} looks in each path for
     * {@code Environment.getJniLibraryFileName("rocksdbjni")}, which in RocksDB 10 is
     * {@code librocksdbjnijni-<platform>}, not the name the jar ships. A symbolic link under that name
     * serves both this and a RocksDB that looks for the shipped name, without a second copy.
     */
    private static void linkUnderTheNameRocksDbLooksFor(Path dir, Path library) throws IOException {
        Path expected = dir.resolve(Environment.getJniLibraryFileName("rocksdbjni"));
        if (!expected.equals(library) && !Files.exists(expected, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createSymbolicLink(expected, library.getFileName());
            } catch (FileAlreadyExistsException e) {
                // another worker starting at the same time made it
            }
        }
    }

    static Path baseDir() {
        String configured = System.getProperty(DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("kquorum");
    }

    /** The jar entry's CRC and size: cheap and distinct per build; a digest of the bytes otherwise. */
    private static String buildId(URL resource) throws IOException {
        URLConnection connection = resource.openConnection();
        if (connection instanceof JarURLConnection jar && jar.getJarEntry() != null && jar.getJarEntry().getCrc() >= 0) {
            return Long.toHexString(jar.getJarEntry().getCrc()) + "-" + jar.getJarEntry().getSize();
        }
        try (InputStream in = new DigestInputStream(connection.getInputStream(), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Copies to a private temporary name in the same directory and renames it into place: two
     * workers starting at once each write their own copy, and one rename wins whole.
     */
    private static void extract(URL resource, Path dir, Path library) throws IOException {
        Files.createDirectories(dir);
        Path partial = Files.createTempFile(dir, "extracting-", ".tmp");
        try {
            try (InputStream in = resource.openStream()) {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            try {
                Files.move(partial, library, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, library, StandardCopyOption.REPLACE_EXISTING);
            }
            log.info("Extracted RocksDB's library to {} (once; later starts reuse it)", library);
        } finally {
            Files.deleteIfExists(partial);
        }
    }
}

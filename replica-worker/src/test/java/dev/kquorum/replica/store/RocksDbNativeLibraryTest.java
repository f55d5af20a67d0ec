package dev.kquorum.replica.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import dev.kquorum.common.process.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * RocksDB's JNI library is 15 MB. Extracted afresh to the system temporary directory on every
 * start, it piles up there whenever a worker is SIGKILLed; it must come from one stable place.
 */
class RocksDbNativeLibraryTest {

    @TempDir
    Path dir;

    /** A process that loads the library as a worker does, opens a store, says so and waits to be killed. */
    public static final class OpenStoreAndWait {
        public static void main(String[] args) throws Exception {
            RocksDbLibrary.load();
            Options options = new Options().setCreateIfMissing(true);
            RocksDB.open(options, Path.of(args[0]).toString());
            System.out.println("store open");
            System.out.flush();
            new CountDownLatch(1).await();
        }
    }

    @Test
    void twoKilledStartsLeaveOneCopyOfTheLibraryAndNoneInTheTemporaryDirectory() throws IOException {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path cache = dir.resolve("cache");
        for (int start = 0; start < 2; start++) {
            int i = start;
            try (ChildJvm child = ChildJvm.start("store " + i,
                    List.of("-Djava.io.tmpdir=" + tmp, "-D" + RocksDbLibrary.DIR_PROPERTY + "=" + cache),
                    OpenStoreAndWait.class, List.of(dir.resolve("store" + i).toString()), "store open",
                    Duration.ofSeconds(60), line -> System.out.println("child " + i + ": " + line))) {
                child.kill();
            }
        }
        assertThat(libraries(tmp)).isEmpty();
        assertThat(libraries(cache)).hasSize(1);
    }

    private static List<Path> libraries(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            // Copies only: a symbolic link to the one copy costs nothing.
            return files.filter(f -> f.getFileName().toString().startsWith("librocksdbjni")
                    && Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList();
        }
    }
}

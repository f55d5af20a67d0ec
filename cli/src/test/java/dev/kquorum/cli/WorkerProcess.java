package dev.kquorum.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.kquorum.common.process.ChildJvm;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code kquorum worker} as a real OS process, for tests that SIGKILL it. */
final class WorkerProcess {

    private static final Logger log = LoggerFactory.getLogger(WorkerProcess.class);

    private WorkerProcess() {
    }

    static ChildJvm start(String id, String bootstrap, String topicPrefix, Path dataDir) {
        return ChildJvm.start("worker " + id, List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), Main.class,
                List.of("worker", "--id", id, "--bootstrap-servers", bootstrap, "--topic-prefix", topicPrefix,
                        "--data-dir", dataDir.toString()),
                WorkerCommand.READY_PREFIX, Duration.ofSeconds(60), line -> log.info("[{}] {}", id, line));
    }
}

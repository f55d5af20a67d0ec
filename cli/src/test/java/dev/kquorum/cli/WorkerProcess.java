package dev.kquorum.cli;

import java.nio.file.Path;
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
        return KquorumProcesses.worker(id, bootstrap, dataDir, List.of("--topic-prefix", topicPrefix),
                line -> log.info("[{}] {}", id, line));
    }
}

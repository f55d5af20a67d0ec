package dev.kquorum.replica;

import java.util.Objects;

import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;

/**
 * One replica's rules, with no I/O: a request and the current state in, the state changed and the
 * reply out. One rule decides every write: keep the higher version. That makes applying a request
 * twice the same as applying it once, and makes the order of concurrent writes irrelevant.
 */
public final class Replica {

    private final String id;

    public Replica(String id) {
        this.id = Objects.requireNonNull(id, "id");
    }

    public String id() {
        return id;
    }

    public ReplicaReply apply(ReplicaRequest request, VersionedState state) {
        if (request instanceof ReplicaRequest.Write write) {
            return write(write, state);
        }
        return new ReplicaReply.Value(id, request.key(), state.get(request.key()));
    }

    /**
     * A tombstone older than the grace period can go: by then every replica has had time to
     * learn of the delete (through its topic, or read repair). A write older than the delete that
     * arrives after the purge would bring the key back, which is why the grace period is long.
     */
    public static boolean purgeable(Versioned held, long cutoffPhysicalMillis) {
        return held != null && held.isTombstone() && held.version().physicalMillis() < cutoffPhysicalMillis;
    }

    /**
     * Stores the write unless a version at least as high is held, and acks with the version now
     * held: the request's, or a higher one that tells the coordinator it was out-versioned.
     */
    private ReplicaReply.Ack write(ReplicaRequest.Write write, VersionedState state) {
        Versioned held = state.get(write.key());
        Version incoming = write.versioned().version();
        if (held == null || incoming.isNewerThan(held.version())) {
            state.put(write.key(), write.versioned());
            return new ReplicaReply.Ack(id, write.key(), incoming);
        }
        return new ReplicaReply.Ack(id, write.key(), held.version());
    }
}

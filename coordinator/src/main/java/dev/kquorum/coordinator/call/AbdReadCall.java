package dev.kquorum.coordinator.call;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.version.Versioned;

/**
 * A linearizable read (ABD, Attiya, Bar-Noy and Dolev 1995): read a quorum of R; unless a write
 * quorum (W) of the answers already holds the newest, write it back to a quorum of W before
 * answering. Once this read has returned a value, a write quorum holds it, so no later read can
 * return anything older. (Fewer than W agreeing answers prove nothing: with N=4, R=2, W=3, two
 * replicas may hold a new value that a later read of the other two never sees.)
 */
final class AbdReadCall extends BaseCall {

    private static final int QUERY = 0;
    private static final int WRITE_BACK = 1;

    private final int r;
    private final int w;
    private final Map<String, Versioned> answers = new LinkedHashMap<>();
    private Versioned newest;

    AbdReadCall(long id, String key, List<String> replicas, int r, int w, long timeoutMs, long nowMs, Versions versions) {
        super(id, Op.GET, key, replicas, timeoutMs, nowMs, versions);
        this.r = r;
        this.w = w;
    }

    @Override
    public Effects start(long nowMs) {
        return begin(Round.query(QUERY, new ReplicaRequest.Read(key), replicas, r, "answered"));
    }

    @Override
    void take(String replica, ReplicaReply counted, long nowMs) {
        if (counted instanceof ReplicaReply.Value value) {
            answers.put(replica, value.held());
            versions.observe(value.held() == null ? null : value.held().version(), nowMs);
        }
    }

    /** The query round, then the write-back round if the answers do not already settle it. */
    @Override
    Effects won(long nowMs) {
        return round().isQuery() ? queried() : end(read(newest), List.of());
    }

    private Effects queried() {
        newest = ReadCall.newest(answers.values());
        long agreeing = answers.values().stream().filter(v -> Objects.equals(v, newest)).count();
        if (newest == null || agreeing >= w) {
            return end(read(newest), List.of());
        }
        return begin(Round.write(WRITE_BACK, new ReplicaRequest.Write(key, newest), replicas, w, "acknowledged the write-back"));
    }
}

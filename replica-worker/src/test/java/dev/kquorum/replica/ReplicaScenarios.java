package dev.kquorum.replica;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.replica.store.InMemoryReplicaStore;
import dev.kquorum.replica.store.StoreBatch;

/** What the Jepsen scenario tests share: one store, requests applied to it one batch each, writes to key k. */
abstract class ReplicaScenarios {

    /** Broker time at which a request record is stamped. */
    static final long T = 1_800_000_000_000L;

    final InMemoryReplicaStore store = new InMemoryReplicaStore();

    ReplicaReply apply(Replica replica, ReplicaRequest request, long nowMs) {
        StoreBatch batch = new StoreBatch(store);
        ReplicaReply reply = replica.apply(request, batch, nowMs);
        store.commit(batch);
        return reply;
    }

    static ReplicaRequest.Write write(String value, Version v, ReplicaRequest.Origin origin) {
        return new ReplicaRequest.Write("k", new Versioned(v, value.getBytes(UTF_8)), origin);
    }
}

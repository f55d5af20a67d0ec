package dev.kquorum.common.protocol;

import java.util.Objects;

import dev.kquorum.common.version.Versioned;

/**
 * What a coordinator asks of a replica, on topic {@code kq.replica.<id>}. Routing and correlation
 * (reply address, correlation id, deadline) travel in Kafka headers ({@link KqHeaders}).
 */
public sealed interface ReplicaRequest {

    String key();

    /** Store this version unless a higher one is held; a tombstone deletes. */
    record Write(String key, Versioned versioned) implements ReplicaRequest {
        public Write {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(versioned, "versioned");
        }
    }

    /** Answer with the value, tombstone or absence held for the key, and its version. */
    record Read(String key) implements ReplicaRequest {
        public Read {
            Objects.requireNonNull(key, "key");
        }
    }
}

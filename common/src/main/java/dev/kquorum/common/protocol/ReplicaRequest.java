package dev.kquorum.common.protocol;

import java.util.Objects;

import dev.kquorum.common.version.Versioned;

/**
 * What a coordinator asks of a replica, on topic {@code kq.replica.<id>}. Routing and correlation
 * (reply address, correlation id, deadline) travel in Kafka headers ({@link KqHeaders}).
 */
public sealed interface ReplicaRequest {

    String key();

    /**
     * Where a write comes from when its request has an identity (a client's {@code requestId}, or
     * the request record's own coordinates at the gateway), so that executing the request again
     * is recognised: replicas remember, per key and identity, the version the request was written
     * at and by which execution ({@code attempt}).
     *
     * @param reissue false for an execution's first write; true for a write above versions the
     *                first one found (a re-issue), which applies even where the identity is known
     */
    record Origin(String requestId, String attempt, boolean reissue) {
        public Origin {
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(attempt, "attempt");
        }

        public Origin reissued() {
            return new Origin(requestId, attempt, true);
        }
    }

    /** Store this version unless a higher one is held; a tombstone deletes. {@code origin} may be null. */
    record Write(String key, Versioned versioned, Origin origin) implements ReplicaRequest {
        public Write {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(versioned, "versioned");
        }

        public Write(String key, Versioned versioned) {
            this(key, versioned, null);
        }
    }

    /**
     * Answer with the value, tombstone or absence held for the key, and its version; with a
     * {@code requestId} (may be null), also the version that request was already written at, if
     * any. With an {@code attempt} too (the query of a linearizable write's first execution), claim
     * the request for that execution where no other execution of it is recorded, and say whether
     * the request is now this execution's here: only an execution that a majority of replicas
     * recorded first chooses a version.
     */
    record Read(String key, String requestId, String attempt) implements ReplicaRequest {
        public Read {
            Objects.requireNonNull(key, "key");
            if (attempt != null && requestId == null) {
                throw new IllegalArgumentException("a read claims a request for an attempt only with its requestId");
            }
        }

        public Read(String key, String requestId) {
            this(key, requestId, null);
        }

        public Read(String key) {
            this(key, null, null);
        }
    }
}

package dev.kquorum.common.protocol;

import java.util.Objects;

import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;

/** What a replica answers, on {@code kq.replies}, echoing the request's correlation id in a header. */
public sealed interface ReplicaReply {

    /** The replica that answered. */
    String replica();

    /**
     * "I now hold a version at least as high as the one you wrote", with the version actually held:
     * higher than the request's when another write won, which tells the coordinator to re-issue.
     * {@code duplicateOf} (else null) says the request was already written here, at that version,
     * by another execution of it: this one applied nothing.
     */
    record Ack(String replica, String key, Version held, Version duplicateOf) implements ReplicaReply {
        public Ack {
            Objects.requireNonNull(replica, "replica");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(held, "held");
        }

        public Ack(String replica, String key, Version held) {
            this(replica, key, held, null);
        }
    }

    /**
     * The answer to a read: what is held for the key, or null when nothing ever was; and when the
     * read named a request, the version that request was already written at here (else null).
     */
    record Value(String replica, String key, Versioned held, Version duplicateOf) implements ReplicaReply {
        public Value {
            Objects.requireNonNull(replica, "replica");
            Objects.requireNonNull(key, "key");
        }

        public Value(String replica, String key, Versioned held) {
            this(replica, key, held, null);
        }
    }

    /** The request could not be applied; {@code error} says why. */
    record Invalid(String replica, String error) implements ReplicaReply {
        public Invalid {
            Objects.requireNonNull(replica, "replica");
            Objects.requireNonNull(error, "error");
        }
    }
}

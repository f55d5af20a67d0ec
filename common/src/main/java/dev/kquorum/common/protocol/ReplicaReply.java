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
     * {@code duplicate} (else null) says the request was already written here by another
     * execution of it: this one applied nothing.
     */
    record Ack(String replica, String key, Version held, Duplicate duplicate) implements ReplicaReply {
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
     * read named a request that was already written here, what became of it (else null).
     * {@code claimed}: the read claimed the request for its attempt, and this replica records that
     * attempt as the request's first execution (it had recorded no other).
     */
    record Value(String replica, String key, Versioned held, Duplicate duplicate, boolean claimed) implements ReplicaReply {
        public Value {
            Objects.requireNonNull(replica, "replica");
            Objects.requireNonNull(key, "key");
        }

        public Value(String replica, String key, Versioned held, Duplicate duplicate) {
            this(replica, key, held, duplicate, false);
        }

        public Value(String replica, String key, Versioned held) {
            this(replica, key, held, null, false);
        }
    }

    /**
     * What a replica remembers of a request it has written (by its identity), told to another
     * execution of the same request.
     *
     * @param written    the highest version the request was written at here
     * @param reissued   whether that version came from a re-issue (a write above what the first
     *                   version found), rather than the request's first version
     * @param firstFresh whether the request's first version was applied here as the newest: no
     *                   higher version was held when it arrived. Only then can a write quorum of
     *                   such replicas have answered it OK without a re-issue
     */
    record Duplicate(Version written, boolean reissued, boolean firstFresh) {
        public Duplicate {
            Objects.requireNonNull(written, "written");
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

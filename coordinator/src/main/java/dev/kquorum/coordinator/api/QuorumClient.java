package dev.kquorum.coordinator.api;

import java.util.concurrent.CompletableFuture;

import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.quorum.Consistency;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.Mode;
import dev.kquorum.common.protocol.Op;

/**
 * kquorum from Java: each operation returns a future of its {@link Outcome}, which is exactly one
 * of OK, NOT_FOUND, QUORUM_NOT_REACHED, INVALID or OVERLOADED; the future itself never fails
 * for those. Futures complete on the coordinator's I/O thread: chain blocking work with the
 * {@code *Async} methods.
 */
public interface QuorumClient extends AutoCloseable {

    /** Any operation, with per-request W or R, timeout and mode. */
    CompletableFuture<Outcome> execute(ExternalRequest request);

    default CompletableFuture<Outcome> put(String key, byte[] value) {
        return execute(ExternalRequest.put(key, value));
    }

    default CompletableFuture<Outcome> put(String key, byte[] value, Consistency w) {
        return execute(new ExternalRequest(Op.PUT, key, value, w, null, null, null));
    }

    default CompletableFuture<Outcome> get(String key) {
        return execute(ExternalRequest.get(key));
    }

    default CompletableFuture<Outcome> get(String key, Consistency r) {
        return execute(new ExternalRequest(Op.GET, key, null, null, r, null, null));
    }

    default CompletableFuture<Outcome> delete(String key) {
        return execute(ExternalRequest.delete(key));
    }

    /**
     * This client with every operation in linearizable mode (ABD: a round more per operation, and
     * the history of every key linearizable). Closing the view closes this client.
     */
    default QuorumClient linearizable() {
        QuorumClient self = this;
        return new QuorumClient() {
            @Override
            public CompletableFuture<Outcome> execute(ExternalRequest request) {
                return self.execute(request.withMode(Mode.LINEARIZABLE));
            }

            @Override
            public void close() {
                self.close();
            }
        };
    }

    @Override
    void close();
}

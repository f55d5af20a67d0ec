package dev.kquorum.coordinator.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Mode;
import dev.kquorum.common.protocol.Op;
import dev.kquorum.common.quorum.Consistency;
import dev.kquorum.common.protocol.Outcome;
import org.junit.jupiter.api.Test;

/** The convenience methods of the Java API say what they mean: no Kafka here, only the requests built. */
class QuorumClientTest {

    private final List<ExternalRequest> sent = new ArrayList<>();
    private boolean closed;

    private final QuorumClient recording = new QuorumClient() {
        @Override
        public CompletableFuture<Outcome> execute(ExternalRequest request) {
            sent.add(request);
            return CompletableFuture.completedFuture(Outcome.invalid(request.op(), request.key(), "recorded"));
        }

        @Override
        public void close() {
            closed = true;
        }
    };

    @Test
    void theShortFormsBuildTheRequestsTheySay() {
        recording.put("k", new byte[] {1});
        recording.put("k", new byte[] {2}, Consistency.ALL);
        recording.get("k", Consistency.ONE);
        recording.delete("k");
        assertThat(sent).extracting(ExternalRequest::op).containsExactly(Op.PUT, Op.PUT, Op.GET, Op.DELETE);
        assertThat(sent.get(1).w()).isEqualTo(Consistency.ALL);
        assertThat(sent.get(2).r()).isEqualTo(Consistency.ONE);
        assertThat(sent).extracting(ExternalRequest::mode).containsOnlyNulls();
    }

    @Test
    void theLinearizableViewSetsTheModeOnEveryOperation() {
        QuorumClient linearizable = recording.linearizable();
        linearizable.put("k", new byte[] {1});
        linearizable.get("k");
        linearizable.delete("k");
        assertThat(sent).extracting(ExternalRequest::mode).containsOnly(Mode.LINEARIZABLE);
        linearizable.close();
        assertThat(closed).isTrue();
    }
}

package dev.kquorum.coordinator.call;

import static dev.kquorum.coordinator.call.ScenarioSupport.T;
import static dev.kquorum.coordinator.call.ScenarioSupport.acknowledgedB;
import static dev.kquorum.coordinator.call.ScenarioSupport.bytes;
import static dev.kquorum.coordinator.call.ScenarioSupport.core;
import static dev.kquorum.coordinator.call.ScenarioSupport.corr;
import static dev.kquorum.coordinator.call.ScenarioSupport.highestSent;
import static dev.kquorum.coordinator.call.ScenarioSupport.outcome;
import static dev.kquorum.coordinator.call.ScenarioSupport.writeTo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.coordinator.gateway.RequestIdentity;
import org.junit.jupiter.api.Test;

/**
 * A client that did not get its answer sends the request again, with the same {@code requestId}
 * and its first attempt's {@code firstIssuedAtMs}. The retry is a new record, so only what it says
 * ties it to the first attempt; it must never supersede a write that began after the first
 * attempt was answered (found by a Jepsen-style review as R1 and R2: a retry used to be a first
 * execution, with a version of its own). Requests go through the real JSON codec and the
 * gateway's {@link RequestIdentity}; replies are made by hand, each what {@code Replica} answers.
 */
class ClientRetriesTest {

    private static final String FIRST = "{\"op\":\"put\",\"key\":\"k\",\"value\":\"A\",\"requestId\":\"order-7\"%s}";

    /** The request as the gateway hands it to its coordinator, from the JSON a client published. */
    private static ExternalRequest viaGateway(String json, long offset, long recordTimestamp) {
        ExternalRequest decoded = ProtocolCodec.decodeExternalRequest(bytes(json));
        return RequestIdentity.of(decoded, "topic-id", 0, offset, recordTimestamp, false);
    }

    /**
     * R1, quorum mode. A is acknowledged by r1 and r2 (its copy to r3 is lost, and so is the answer
     * to the client). B then writes k=B, acknowledged by r1 and r2. The client retries A: r3, which
     * never saw A, must not get it above B, or a read of r2 and r3 would return A again.
     */
    @Test
    void aRetryWritesTheFirstAttemptsVersionAndAnswersAtIt() {
        CoordinatorCore c1 = core("c1~aaaa");
        Effects first = c1.submit(1, viaGateway(FIRST.formatted(""), 41, T), T + 5);
        Version v0 = writeTo(first, "r1").versioned().version();
        c1.onReply(corr(first, "r1"), new ReplicaReply.Ack("r1", "k", v0), T + 6);
        assertThat(outcome(c1.onReply(corr(first, "r2"), new ReplicaReply.Ack("r2", "k", v0), T + 6)).status())
                .isEqualTo(Status.OK);

        Version b = acknowledgedB(T + 100, "r1", "r2");

        CoordinatorCore c3 = core("c3~cccc");
        Effects retry = c3.submit(1, viaGateway(FIRST.formatted(",\"firstIssuedAtMs\":" + T), 97, T + 1_000), T + 1_005);
        assertThat(highestSent(retry)).as("the retry writes the first attempt's version, below B").isEqualTo(v0);

        ReplicaReply.Duplicate sawA = new ReplicaReply.Duplicate(v0, false, true);
        c3.onReply(corr(retry, "r3"), new ReplicaReply.Ack("r3", "k", v0), T + 1_006);
        Effects decided = c3.onReply(corr(retry, "r1"), new ReplicaReply.Ack("r1", "k", b, sawA), T + 1_006);
        if (decided.completed().isEmpty()) {
            decided = c3.onReply(corr(retry, "r2"), new ReplicaReply.Ack("r2", "k", b, sawA), T + 1_006);
        }
        assertThat(highestSent(decided)).as("nothing re-issued above B").isNull();
        Outcome answer = outcome(decided);
        assertThat(answer.status()).isEqualTo(Status.OK);
        assertThat(answer.version()).isEqualTo(v0);
    }

    /**
     * R2, linearizable mode. The client retries A while its first attempt is still running: the
     * first attempt's query is answered, its writes are on their way. The retry's query sees no
     * trace of A; a first execution would now choose a version of its own, so one put could take
     * effect at two. A retry only completes what an earlier attempt wrote.
     */
    @Test
    void aLinearizableRetryThatFindsNoEarlierWriteChoosesNothing() {
        String lin = "{\"op\":\"put\",\"key\":\"k\",\"value\":\"A\",\"requestId\":\"order-8\",\"mode\":\"linearizable\"%s}";
        CoordinatorCore c1 = core("c1~aaaa");
        Effects first = c1.submit(1, viaGateway(lin.formatted(""), 41, T), T + 5);
        c1.onReply(corr(first, "r1"), new ReplicaReply.Value("r1", "k", null, null, true), T + 6);
        Effects writes = c1.onReply(corr(first, "r2"), new ReplicaReply.Value("r2", "k", null, null, true), T + 6);
        assertThat(highestSent(writes)).as("the first attempt chose its version").isNotNull();

        CoordinatorCore c3 = core("c3~cccc");
        Effects retry = c3.submit(1, viaGateway(lin.formatted(",\"firstIssuedAtMs\":" + T), 97, T + 800), T + 805);
        c3.onReply(corr(retry, "r3"), new ReplicaReply.Value("r3", "k", null), T + 806);
        Effects decided = c3.onReply(corr(retry, "r1"), new ReplicaReply.Value("r1", "k", null), T + 806);
        assertThat(highestSent(decided)).as("a retry chooses no version").isNull();
        assertThat(outcome(decided).status()).isEqualTo(Status.QUORUM_NOT_REACHED);
    }

    /** A retry's answer to a linearizable put the first attempt completed: that attempt's version, written again. */
    @Test
    void aLinearizableRetryCompletesTheFirstAttemptsWrite() {
        String lin = "{\"op\":\"put\",\"key\":\"k\",\"value\":\"A\",\"requestId\":\"order-9\",\"mode\":\"linearizable\"%s}";
        Version v0 = Versions.forRequest("id:order-9", T);
        Version b = new Version(v0.timestamp() + 50, "c2~bbbb");
        CoordinatorCore c3 = core("c3~cccc");
        Effects retry = c3.submit(1, viaGateway(lin.formatted(",\"firstIssuedAtMs\":" + T), 97, T + 800), T + 805);
        c3.onReply(corr(retry, "r3"), new ReplicaReply.Value("r3", "k", null), T + 806);
        Effects written = c3.onReply(corr(retry, "r2"), new ReplicaReply.Value("r2", "k", new Versioned(b, bytes("B")),
                new ReplicaReply.Duplicate(v0, true, false)), T + 806);
        assertThat(highestSent(written)).isEqualTo(v0);
        c3.onReply(corr(written, "r3"), new ReplicaReply.Ack("r3", "k", v0), T + 807);
        Outcome answer = outcome(c3.onReply(corr(written, "r2"), new ReplicaReply.Ack("r2", "k", b), T + 807));
        assertThat(answer.status()).isEqualTo(Status.OK);
        assertThat(answer.version()).isEqualTo(v0);
    }

    /**
     * R3: a client that leaves out {@code firstIssuedAtMs} sends a new request under an old
     * requestId, with a first version of its own (here below the first attempt's: the brokers that
     * stamped the two records disagree by 100 ms). Replicas that missed the first attempt hold the
     * retry's version, not the first attempt's; counting them for it answered OK at a version that
     * one replica held, fewer than W.
     */
    @Test
    void aRetryWithoutItsFirstIssueTimeNeverAnswersAtAVersionFewerThanWHold() {
        Version v0 = Versions.forRequest("id:order-7", T + 100);
        CoordinatorCore c3 = core("c3~cccc");
        Effects naive = c3.submit(1, viaGateway(FIRST.formatted(""), 97, T), T + 5);
        Version own = writeTo(naive, "r1").versioned().version();
        assertThat(own).isLessThan(v0);
        c3.onReply(corr(naive, "r1"), new ReplicaReply.Ack("r1", "k", v0, new ReplicaReply.Duplicate(v0, false, true)), T + 6);
        Effects decided = c3.onReply(corr(naive, "r2"), new ReplicaReply.Ack("r2", "k", own), T + 6);
        assertThat(decided.completed()).as("only r1 holds %s", v0).isEmpty();
    }
}

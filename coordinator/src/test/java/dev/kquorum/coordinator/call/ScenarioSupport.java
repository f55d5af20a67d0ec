package dev.kquorum.coordinator.call;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.kquorum.common.protocol.Outcome;
import dev.kquorum.common.protocol.ExternalRequest;
import dev.kquorum.common.protocol.Limits;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplicaRequest;
import dev.kquorum.common.protocol.Status;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.MaxClockOffset;

/**
 * What the Jepsen scenario tests share: cores of three replicas, and reading what a core sent or
 * decided, so that replies can be made by hand for each replica.
 */
final class ScenarioSupport {

    static final List<String> R3 = List.of("r1", "r2", "r3");
    /** Broker time at which the request record of A is stamped (LogAppendTime). */
    static final long T = 1_800_000_000_000L;

    private ScenarioSupport() {
    }

    static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    static CoordinatorCore core(String writer, List<String> replicas) {
        return new CoordinatorCore(replicas, new Versions(writer, MaxClockOffset.DEFAULT), Limits.DEFAULT, 100);
    }

    static CoordinatorCore core(String writer) {
        return core(writer, R3);
    }

    static long corr(Effects effects, String replica) {
        return effects.send().stream().filter(o -> o.replica().equals(replica)).findFirst().orElseThrow().correlation();
    }

    static ReplicaRequest.Write writeTo(Effects effects, String replica) {
        return (ReplicaRequest.Write) effects.send().stream().filter(o -> o.replica().equals(replica))
                .findFirst().orElseThrow().request();
    }

    /**
     * Write B ({@code k=B}, no identity) from coordinator c2 at {@code at}, acknowledged a
     * millisecond later by {@code first} and {@code second}: answered OK, and its version returned.
     */
    static Version acknowledgedB(long at, String first, String second) {
        CoordinatorCore c2 = core("c2~bbbb");
        Effects sent = c2.submit(1, ExternalRequest.put("k", bytes("B")), at);
        Version b = writeTo(sent, first).versioned().version();
        c2.onReply(corr(sent, first), new ReplicaReply.Ack(first, "k", b), at + 1);
        assertThat(outcome(c2.onReply(corr(sent, second), new ReplicaReply.Ack(second, "k", b), at + 1)).status())
                .isEqualTo(Status.OK);
        return b;
    }

    /** The highest version among the writes {@code effects} sends; null if it sends none. */
    static Version highestSent(Effects effects) {
        return effects.send().stream().filter(o -> o.request() instanceof ReplicaRequest.Write)
                .map(o -> ((ReplicaRequest.Write) o.request()).versioned().version())
                .max(Version::compareTo).orElse(null);
    }

    static Outcome outcome(Effects effects) {
        assertThat(effects.completed()).hasSize(1);
        return effects.completed().get(0).outcome();
    }

    /** Request A, as the gateway hands it over: identity = its record's coordinates, issuedAt = the broker's stamp. */
    static ExternalRequest requestA() {
        return ExternalRequest.put("k", bytes("A")).identified("kq.requests-0@41", T);
    }
}

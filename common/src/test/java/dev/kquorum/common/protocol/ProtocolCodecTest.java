package dev.kquorum.common.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import dev.kquorum.common.quorum.Consistency;
import dev.kquorum.common.version.HybridClock;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProtocolCodecTest {

    private static final Version V = new Version(HybridClock.pack(1_764_155_784_123L, 3), "c1");

    @Test
    void replicaRequestsRoundTrip() {
        List<ReplicaRequest> requests = List.of(
                new ReplicaRequest.Write("user:42", new Versioned(V, "hello".getBytes(UTF_8))),
                new ReplicaRequest.Write("user:42", new Versioned(V, new byte[] {0, -1, 7})),
                new ReplicaRequest.Write("user:42", Versioned.tombstone(V)),
                new ReplicaRequest.Read("käse/ø"),
                new ReplicaRequest.Read("k", "id:order-7"),
                new ReplicaRequest.Read("k", "id:order-7", "c1~aaaa:42"));
        for (ReplicaRequest r : requests) {
            assertThat(ProtocolCodec.decodeReplicaRequest(ProtocolCodec.encode(r))).isEqualTo(r);
        }
    }

    @Test
    void replicaRepliesRoundTrip() {
        List<ReplicaReply> replies = List.of(
                new ReplicaReply.Ack("r1", "k", V),
                new ReplicaReply.Value("r2", "k", new Versioned(V, new byte[] {1})),
                new ReplicaReply.Value("r2", "k", Versioned.tombstone(V)),
                new ReplicaReply.Value("r3", "k", null),
                new ReplicaReply.Value("r3", "k", null, null, true),
                new ReplicaReply.Value("r3", "k", null, new ReplicaReply.Duplicate(V, true, false), false),
                new ReplicaReply.Invalid("r1", "field 'key': missing"));
        for (ReplicaReply r : replies) {
            assertThat(ProtocolCodec.decodeReplicaReply(ProtocolCodec.encode(r))).isEqualTo(r);
        }
    }

    @Test
    void externalRequestsRoundTrip() {
        List<ExternalRequest> requests = List.of(
                ExternalRequest.put("k", new byte[] {(byte) 0xff, 0}),
                ExternalRequest.get("k"),
                new ExternalRequest(Op.GET, "k", null, null, Consistency.ALL, 250L, Mode.LINEARIZABLE),
                new ExternalRequest(Op.DELETE, "k", null, Consistency.count(2), null, 5000L, Mode.QUORUM),
                ExternalRequest.put("k", new byte[] {1}).identified("order-7", null),
                ExternalRequest.put("k", new byte[] {1}).identified("order-7", null).retryOf(1_800_000_000_000L));
        for (ExternalRequest r : requests) {
            assertThat(ProtocolCodec.decodeExternalRequest(ProtocolCodec.encode(r))).isEqualTo(r);
        }
    }

    @Test
    void outcomesRoundTripAndLeaveOutWhatDoesNotApply() {
        Outcome ok = new Outcome(Status.OK, Op.GET, "k", "hi".getBytes(UTF_8), V, 2, 2, List.of("r1", "r3"), null);
        assertThat(ProtocolCodec.decodeOutcome(ProtocolCodec.encode(ok))).isEqualTo(ok);
        String json = new String(ProtocolCodec.encode(ok), UTF_8);
        assertThat(json).contains("\"value\":\"hi\"", "\"version\":\"1764155784123.3@c1\"")
                .doesNotContain("error").as("the value is sent once").doesNotContain("valueBase64");

        Outcome invalid = Outcome.invalid(Op.PUT, "k", "field 'w': ...");
        assertThat(ProtocolCodec.decodeOutcome(ProtocolCodec.encode(invalid))).isEqualTo(invalid);
        assertThat(new String(ProtocolCodec.encode(invalid), UTF_8)).doesNotContain("acks", "replicas", "version");
        assertThat(new String(ProtocolCodec.encode(Outcome.overloaded(Op.PUT, "k", 10)), UTF_8))
                .as("nothing was sent: no counts").doesNotContain("acks", "required", "replicas");
        Outcome late = Outcome.late(Op.PUT, "k", 9_000, 5_000);
        assertThat(new String(ProtocolCodec.encode(late), UTF_8)).as("replicas were (maybe) asked: counts, even 0")
                .contains("\"acks\":0", "\"required\":0");

        Outcome binary = new Outcome(Status.OK, Op.GET, "k", new byte[] {(byte) 0xc3, 0x28}, V, 1, 1, List.of("r1"), null);
        assertThat(new String(ProtocolCodec.encode(binary), UTF_8)).doesNotContain("\"value\"").contains("valueBase64");
        assertThat(ProtocolCodec.decodeOutcome(ProtocolCodec.encode(binary))).isEqualTo(binary);
    }

    @Test
    void acceptsTheHandWrittenFormsOfTheRequestTopic() {
        assertThat(decode("{\"op\":\"put\",\"key\":\"user:42\",\"value\":\"hello\"}"))
                .isEqualTo(ExternalRequest.put("user:42", "hello".getBytes(UTF_8)));
        assertThat(decode("{\"op\":\"put\",\"key\":\"k\",\"valueBase64\":\"AAE=\"}").value()).containsExactly(0, 1);
        assertThat(decode("{\"op\":\"get\",\"key\":\"user:42\",\"r\":\"ALL\"}").r()).isEqualTo(Consistency.ALL);
        ExternalRequest delete = decode("{\"op\":\"delete\",\"key\":\"user:42\",\"w\":2,\"timeoutMs\":5000}");
        assertThat(delete.w()).isEqualTo(Consistency.count(2));
        assertThat(delete.timeoutMs()).isEqualTo(5000L);
        assertThat(decode("{\"v\":1,\"op\":\"get\",\"key\":\"k\",\"mode\":\"linearizable\"}").mode()).isEqualTo(Mode.LINEARIZABLE);
    }

    @Test
    void aRetryNamesItsFirstAttemptsIssueTime() {
        ExternalRequest retry = decode("{\"op\":\"put\",\"key\":\"k\",\"value\":\"a\",\"requestId\":\"order-7\",\"firstIssuedAtMs\":1800000000000}");
        assertThat(retry.retaken()).as("a retry may have been taken up before").isTrue();
        assertThat(retry.issuedAtMs()).isEqualTo(1_800_000_000_000L);
        ExternalRequest first = decode("{\"op\":\"put\",\"key\":\"k\",\"value\":\"a\",\"requestId\":\"order-7\"}");
        assertThat(first.retaken()).isFalse();
        assertThat(first.issuedAtMs()).as("dated by its record, at the gateway").isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not json at all                                              | malformed JSON
            {"op":"put","key":"k","value":"x"                            | malformed JSON
            []                                                           | expected a JSON object, got array
            "put"                                                        | expected a JSON object, got string
            {"key":"k"}                                                  | field 'op': missing
            {"op":"upsert","key":"k"}                                    | field 'op': unknown operation 'upsert'
            {"op":7,"key":"k"}                                           | field 'op': expected a string, got number 7
            {"op":"get"}                                                 | field 'key': missing
            {"op":"get","key":""}                                        | field 'key': must not be empty
            {"op":"get","key":{"a":1}}                                   | field 'key': expected a string, got object
            {"op":"put","key":"k"}                                       | field 'value': missing
            {"op":"put","key":"k","value":"a","valueBase64":"YQ=="}      | give one, not both
            {"op":"put","key":"k","valueBase64":"***"}                   | field 'valueBase64': not valid base64
            {"op":"get","key":"k","value":"a"}                           | field 'value': a get carries no value
            {"op":"put","key":"k","value":"a","w":"MOST"}                | field 'w': expected ONE, QUORUM, ALL or a number of replicas, got 'MOST'
            {"op":"put","key":"k","value":"a","w":0}                     | field 'w': a replica count must be at least 1, got 0
            {"op":"put","key":"k","value":"a","w":true}                  | field 'w': expected ONE, QUORUM, ALL or a number of replicas, got boolean true
            {"op":"get","key":"k","w":2}                                 | field 'w': applies to put and delete
            {"op":"put","key":"k","value":"a","r":2}                     | field 'r': applies to get
            {"op":"get","key":"k","timeoutMs":0}                         | field 'timeoutMs': 0 is outside 1..600000
            {"op":"get","key":"k","timeoutMs":"soon"}                    | field 'timeoutMs': expected a whole number, got string
            {"op":"get","key":"k","timeoutMs":1.5}                       | field 'timeoutMs': expected a whole number, got number 1.5
            {"op":"get","key":"k","mode":"strict"}                       | field 'mode': unknown mode 'strict'
            {"op":"get","key":"k","vaule":"x"}                           | field 'vaule': unknown field
            {"op":"get","key":"k","key":"j"}                             | Duplicate field 'key'
            {"v":2,"op":"get","key":"k"}                                 | field 'v': schema version 2 is not supported
            {"op":"get","key":"k","firstIssuedAtMs":1}                   | field 'firstIssuedAtMs': marks a retry, which needs the 'requestId'
            {"op":"get","key":"k","requestId":"a","firstIssuedAtMs":-1}  | field 'firstIssuedAtMs': -1 is negative
            {"op":"get","key":"k","requestId":"a","firstIssuedAtMs":"x"} | field 'firstIssuedAtMs': expected a whole number, got string
            """)
    void rejectsMalformedExternalRequestsNamingTheField(String json, String expected) {
        assertThatThrownBy(() -> decode(json)).isInstanceOf(ProtocolException.class).hasMessageContaining(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {"type":"read","key":"k"}                                    | field 'v': missing
            {"v":1,"type":"merge","key":"k"}                             | field 'type': unknown request type 'merge'
            {"v":1,"type":"write","key":"k","value":"YQ=="}              | field 'version': missing
            {"v":1,"type":"write","key":"k","version":"7@c1","value":"YQ=="} | field 'version': expected a version like
            {"v":1,"type":"write","key":"k","version":"1.0@c1"}          | field 'value': missing
            {"v":1,"type":"write","key":"k","version":"1.0@c1","tombstone":true,"value":"YQ=="} | a tombstone carries no value
            {"v":1,"type":"write","key":"k","version":"1.0@c1","tombstone":"yes"} | field 'tombstone': expected true or false
            {"v":1,"type":"read"}                                        | field 'key': missing
            {"v":1,"type":"read","key":"k","attempt":"c1:1"}             | field 'attempt': a read claims a request for an attempt only with its 'requestId'
            {"v":1,"type":"read","key":"k","requestId":"x","attempt":""} | field 'attempt': must not be empty
            """)
    void rejectsMalformedReplicaRequestsNamingTheField(String json, String expected) {
        assertThatThrownBy(() -> ProtocolCodec.decodeReplicaRequest(json.getBytes(UTF_8)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining(expected);
    }

    @Test
    void rejectsEmptyAndBinaryGarbage() {
        assertThatThrownBy(() -> ProtocolCodec.decodeReplicaRequest(new byte[0])).hasMessageContaining("empty message");
        assertThatThrownBy(() -> ProtocolCodec.decodeReplicaRequest(null)).hasMessageContaining("empty message");
        assertThatThrownBy(() -> ProtocolCodec.decodeReplicaReply(new byte[] {(byte) 0xff, 0x00, 0x13}))
                .isInstanceOf(ProtocolException.class);
    }

    @Test
    void limitsNameThePartThatIsTooBig() {
        Limits limits = new Limits(4, 8);
        limits.check("abcd", new byte[8]);
        assertThatThrownBy(() -> limits.check("abcde", null)).hasMessage("field 'key': 5 bytes, over the limit of 4");
        assertThatThrownBy(() -> limits.check("k", new byte[9])).hasMessage("field 'value': 9 bytes, over the limit of 8");
        assertThatThrownBy(() -> limits.check("", null)).hasMessage("field 'key': must not be empty");
    }

    private static ExternalRequest decode(String json) {
        return ProtocolCodec.decodeExternalRequest(json.getBytes(UTF_8));
    }
}

package dev.kquorum.common.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class EnvelopeTest {

    @Test
    void aRequestsEnvelopeComesBackAsItWasWritten() {
        CorrelationId id = new CorrelationId(0x0102030405060708L, 42);
        RecordHeaders headers = Envelope.request(id, "kq.replies", 3, 1_700_000_000_000L).headers();

        assertThat(KqHeaders.text(headers, KqHeaders.REPLY_TOPIC)).isEqualTo("kq.replies");
        assertThat(KqHeaders.int32(headers, KqHeaders.REPLY_PARTITION)).isEqualTo(3);
        assertThat(KqHeaders.int64(headers, KqHeaders.DEADLINE)).isEqualTo(1_700_000_000_000L);
        assertThat(KqHeaders.bytes(headers, KqHeaders.CORRELATION_ID))
                .as("8 bytes of incarnation, then 8 of sequence, big-endian")
                .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 42);

        Envelope read = Envelope.from(headers);
        assertThat(read.deadlineMs()).isEqualTo(1_700_000_000_000L);
        assertThat(read.replyTo().topic()).isEqualTo("kq.replies");
        assertThat(read.replyTo().partition()).isEqualTo(3);
        assertThat(read.replyTo().correlationId()).isEqualTo(id.bytes());
    }

    @Test
    void leavesOutWhatItDoesNotHave() {
        RecordHeaders headers = Envelope.request(new CorrelationId(1, 2), "responses", null, null).headers();
        assertThat(headers.lastHeader(KqHeaders.REPLY_PARTITION)).isNull();
        assertThat(headers.lastHeader(KqHeaders.DEADLINE)).isNull();
        assertThat(Envelope.from(headers).deadlineMs()).isNull();

        Envelope none = Envelope.from(new RecordHeaders());
        assertThat(none.replyTo()).isNull();
        assertThat(none.deadlineMs()).isNull();
    }

    @Test
    void aMalformedHeaderIsNamed() {
        RecordHeaders badPartition = new RecordHeaders();
        badPartition.add(KqHeaders.REPLY_TOPIC, "t".getBytes(UTF_8));
        badPartition.add(KqHeaders.REPLY_PARTITION, new byte[] {1, 2});
        assertThatThrownBy(() -> Envelope.from(badPartition)).isInstanceOf(ProtocolException.class)
                .hasMessage("header 'kafka_replyPartition': expected a 4-byte big-endian int, got 2 bytes");

        RecordHeaders badDeadline = new RecordHeaders();
        badDeadline.add(KqHeaders.DEADLINE, new byte[] {1});
        assertThatThrownBy(() -> Envelope.from(badDeadline)).isInstanceOf(ProtocolException.class)
                .hasMessage("header 'kq_deadline': expected an 8-byte big-endian long, got 1 bytes");
    }

    @Test
    void aSenderKnowsItsOwnAnswersAndNoOthers() {
        long mine = 7;
        RecordHeaders answer = new RecordHeaders();
        Envelope.request(new CorrelationId(mine, 99), "t", 0, null).replyTo().echoTo(answer);
        assertThat(CorrelationId.of(answer)).isEqualTo(new CorrelationId(mine, 99));
        assertThat(CorrelationId.sequenceFor(mine, answer)).isEqualTo(99L);
        assertThat(CorrelationId.sequenceFor(mine + 1, answer)).as("another incarnation's").isNull();

        RecordHeaders external = new RecordHeaders();
        external.add(KqHeaders.CORRELATION_ID, "spring-client-id".getBytes(UTF_8));
        assertThat(CorrelationId.of(external)).as("any 16 bytes read as an id").isNotNull();
        assertThat(CorrelationId.sequenceFor(mine, external)).as("but its incarnation is not ours").isNull();
        RecordHeaders shortId = new RecordHeaders();
        shortId.add(KqHeaders.CORRELATION_ID, new byte[] {1, 2, 3});
        assertThat(CorrelationId.of(shortId)).isNull();
        assertThat(CorrelationId.sequenceFor(mine, new RecordHeaders())).isNull();
    }

    @Test
    void anExternalClientsCorrelationIdIsEchoedUntouched() {
        byte[] spring = {(byte) 0xca, (byte) 0xfe, 0, 1, 2};
        RecordHeaders request = new RecordHeaders();
        request.add(KqHeaders.CORRELATION_ID, spring);
        request.add(KqHeaders.REPLY_TOPIC, "their.replies".getBytes(UTF_8));
        RecordHeaders answer = new RecordHeaders();
        Envelope.from(request).replyTo().echoTo(answer);
        assertThat(KqHeaders.bytes(answer, KqHeaders.CORRELATION_ID)).containsExactly(spring);
    }

    @Test
    void withoutAReplyTopicTheDefaultAnswersAndStillEchoesTheClientsId() {
        byte[] spring = {9, 8, 7};
        RecordHeaders request = new RecordHeaders();
        request.add(KqHeaders.CORRELATION_ID, spring);
        request.add(KqHeaders.REPLY_PARTITION, new byte[] {1});
        assertThat(ReplyAddress.from(request)).isNull();
        ReplyAddress address = ReplyAddress.from(request, "kq.responses");
        assertThat(address.topic()).isEqualTo("kq.responses");
        assertThat(address.partition()).as("a partition without a topic is not read").isNull();
        assertThat(address.correlationId()).containsExactly(spring);
    }
}

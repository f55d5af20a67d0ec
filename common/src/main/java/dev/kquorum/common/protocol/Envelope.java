package dev.kquorum.common.protocol;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers around a kquorum request ({@link KqHeaders}): where and how to answer it, a
 * {@link ReplyAddress} (reply topic, partition, correlation id), and the deadline after which
 * nobody waits for the answer. What sends requests (coordinators, the gateway's clients, the
 * tools) writes them with {@link #headers()}; a replica reads them with {@link #from} and answers
 * with {@link ReplyAddress#echoTo}.
 *
 * @param replyTo    null when the request asks for no answer
 * @param deadlineMs epoch milliseconds, or null for none
 */
public record Envelope(ReplyAddress replyTo, Long deadlineMs) {

    /** A request to be answered on {@code replyTopic} (at {@code replyPartition} unless null) by {@code deadlineMs}. */
    public static Envelope request(CorrelationId correlation, String replyTopic, Integer replyPartition, Long deadlineMs) {
        return new Envelope(new ReplyAddress(replyTopic, replyPartition, correlation.bytes()), deadlineMs);
    }

    /**
     * The envelope of a request.
     *
     * @throws ProtocolException when a header is present but malformed
     */
    public static Envelope from(Headers headers) {
        ReplyAddress replyTo = ReplyAddress.from(headers);
        return new Envelope(replyTo, KqHeaders.int64(headers, KqHeaders.DEADLINE));
    }

    public void writeTo(Headers headers) {
        if (replyTo != null) {
            replyTo.writeTo(headers);
        }
        if (deadlineMs != null) {
            headers.add(KqHeaders.DEADLINE, KqHeaders.int64(deadlineMs));
        }
    }

    /** New headers that hold this envelope and nothing else. */
    public RecordHeaders headers() {
        RecordHeaders headers = new RecordHeaders();
        writeTo(headers);
        return headers;
    }
}

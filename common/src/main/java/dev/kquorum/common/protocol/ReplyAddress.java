package dev.kquorum.common.protocol;

import org.apache.kafka.common.header.Headers;

/**
 * Where and how to answer a request, read from its headers ({@link KqHeaders}): the topic, the
 * partition if the requester named one, and the correlation id to echo.
 */
public record ReplyAddress(String topic, Integer partition, byte[] correlationId) {

    /**
     * The reply address in {@code headers}, or null when they name no reply topic.
     *
     * @throws ProtocolException when a header is present but malformed
     */
    public static ReplyAddress from(Headers headers) {
        return from(headers, null);
    }

    /**
     * The reply address in {@code headers}; when they name no reply topic, {@code defaultTopic}
     * (any partition) with the correlation id they carry, or null if {@code defaultTopic} is null.
     * The correlation id is opaque: whatever bytes the requester sent are echoed.
     *
     * @throws ProtocolException when a header is present but malformed
     */
    public static ReplyAddress from(Headers headers, String defaultTopic) {
        byte[] correlationId = KqHeaders.bytes(headers, KqHeaders.CORRELATION_ID);
        String topic = KqHeaders.text(headers, KqHeaders.REPLY_TOPIC);
        if (topic == null || topic.isEmpty()) {
            return defaultTopic == null ? null : new ReplyAddress(defaultTopic, null, correlationId);
        }
        Integer partition = KqHeaders.int32(headers, KqHeaders.REPLY_PARTITION);
        if (partition != null && partition < 0) {
            throw new ProtocolException("header '" + KqHeaders.REPLY_PARTITION + "': partition " + partition + " is negative");
        }
        return new ReplyAddress(topic, partition, correlationId);
    }

    /** Adds this address to a request's headers. */
    public void writeTo(Headers headers) {
        headers.add(KqHeaders.REPLY_TOPIC, KqHeaders.utf8(topic));
        if (partition != null) {
            headers.add(KqHeaders.REPLY_PARTITION, KqHeaders.int32(partition));
        }
        if (correlationId != null) {
            headers.add(KqHeaders.CORRELATION_ID, correlationId);
        }
    }

    /** Adds the correlation id to an answer's headers, so the requester can match it. */
    public void echoTo(Headers headers) {
        if (correlationId != null) {
            headers.add(KqHeaders.CORRELATION_ID, correlationId);
        }
    }
}

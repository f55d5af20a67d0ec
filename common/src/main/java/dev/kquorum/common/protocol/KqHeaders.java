package dev.kquorum.common.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Every Kafka header kquorum reads or writes. Reply address and correlation follow Spring Kafka's
 * request-reply convention ({@code kafka_replyTopic}, {@code kafka_replyPartition} as a 4-byte
 * big-endian int, {@code kafka_correlationId} as opaque bytes echoed back), on the request topic
 * and between coordinators and replicas alike. {@link Envelope} writes and reads those of a request;
 * kquorum's own senders write their correlation ids as a {@link CorrelationId}.
 */
public final class KqHeaders {

    /** Opaque bytes; every answer echoes the request's. */
    public static final String CORRELATION_ID = "kafka_correlationId";
    /** UTF-8 topic name to answer on. */
    public static final String REPLY_TOPIC = "kafka_replyTopic";
    /** 4-byte big-endian partition of the reply topic to answer on. */
    public static final String REPLY_PARTITION = "kafka_replyPartition";
    /** 8-byte big-endian epoch milliseconds after which nobody waits for the answer. */
    public static final String DEADLINE = "kq_deadline";
    /** UTF-8 reason a record was dead-lettered. */
    public static final String ERROR = "kq_error";

    private KqHeaders() {
    }

    public static byte[] bytes(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : h.value();
    }

    public static String text(Headers headers, String name) {
        byte[] b = bytes(headers, name);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** @throws ProtocolException when the header is present but not 4 bytes */
    public static Integer int32(Headers headers, String name) {
        byte[] b = bytes(headers, name);
        if (b == null) {
            return null;
        }
        if (b.length != 4) {
            throw new ProtocolException("header '" + name + "': expected a 4-byte big-endian int, got " + b.length + " bytes");
        }
        return ByteBuffer.wrap(b).getInt();
    }

    /** @throws ProtocolException when the header is present but not 8 bytes */
    public static Long int64(Headers headers, String name) {
        byte[] b = bytes(headers, name);
        if (b == null) {
            return null;
        }
        if (b.length != 8) {
            throw new ProtocolException("header '" + name + "': expected an 8-byte big-endian long, got " + b.length + " bytes");
        }
        return ByteBuffer.wrap(b).getLong();
    }

    public static byte[] int32(int value) {
        return ByteBuffer.allocate(4).putInt(value).array();
    }

    public static byte[] int64(long value) {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    public static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}

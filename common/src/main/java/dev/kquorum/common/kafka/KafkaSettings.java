package dev.kquorum.common.kafka;

import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka client settings for every kquorum component: the bootstrap address, any client property
 * the operator passes through (so SASL and SSL clusters work: {@code security.protocol},
 * {@code sasl.jaas.config}, {@code ssl.truststore.location}, ...), and the latency-safe values
 * kquorum depends on, set explicitly rather than left to Kafka's defaults:
 * <ul>
 *   <li>{@code linger.ms=0}: Kafka 4 defaults to 5 ms, which costs about 11 ms a hop here;</li>
 *   <li>{@code fetch.min.bytes=1}: a waiting fetch returns as soon as a record arrives;</li>
 *   <li>{@code acks=all} and idempotence: a request acknowledged by Kafka is not lost or doubled.</li>
 * </ul>
 * A passed-through property overrides a pinned one, with a warning: it is the operator's call.
 *
 * @param topicReplication the replication of the topics kquorum creates, and the least it accepts
 *                         of the topics it uses ({@link TopicAdmin})
 */
public record KafkaSettings(String bootstrapServers, Map<String, String> clientProperties, TopicReplication topicReplication) {

    private static final Logger log = LoggerFactory.getLogger(KafkaSettings.class);

    /**
     * The largest record kquorum writes, and the {@code max.message.bytes} of the topics it
     * creates. Kafka's default (1 MiB) is below what a value at the 1 MiB limit costs in JSON: a
     * third more as base64, and up to six times as text of control characters (JSON escapes each
     * in six bytes, and a client may send any text as {@code value}). 8 MiB holds the worst case
     * with its key and headers.
     */
    public static final int MAX_RECORD_BYTES = 8 * 1024 * 1024;

    static final Map<String, String> PRODUCER_PINNED = Map.of(
            ProducerConfig.LINGER_MS_CONFIG, "0",
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(MAX_RECORD_BYTES));
    static final Map<String, String> CONSUMER_PINNED = Map.of(
            ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "1",
            // Waiting fetches return on data (fetch.min.bytes=1); a short wait only burns CPU.
            ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "200");

    public KafkaSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrap servers are required (host:port[,host:port...])");
        }
        clientProperties = Map.copyOf(clientProperties == null ? Map.of() : clientProperties);
        topicReplication = topicReplication == null ? TopicReplication.BY_CLUSTER : topicReplication;
    }

    /** Topics replicated as the cluster's size decides ({@link TopicReplication#BY_CLUSTER}). */
    public KafkaSettings(String bootstrapServers, Map<String, String> clientProperties) {
        this(bootstrapServers, clientProperties, TopicReplication.BY_CLUSTER);
    }

    public static KafkaSettings of(String bootstrapServers) {
        return new KafkaSettings(bootstrapServers, Map.of());
    }

    /**
     * Who Kafka takes this client for, as far as its settings say: {@code User:<name>} for SASL
     * with a user name in {@code sasl.jaas.config}, {@code User:ANONYMOUS} for plaintext.
     */
    public String principal() {
        String jaas = clientProperties.getOrDefault("sasl.jaas.config", "");
        java.util.regex.Matcher user = java.util.regex.Pattern.compile("username=\"([^\"]*)\"").matcher(jaas);
        if (user.find()) {
            return "User:" + user.group(1);
        }
        String protocol = clientProperties.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");
        return protocol.equals("PLAINTEXT") ? "User:ANONYMOUS" : "the principal of this client's " + protocol + " settings";
    }

    public Properties producer(String clientId) {
        Properties p = base(clientId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return withOverrides(p, PRODUCER_PINNED);
    }

    /** A consumer; {@code groupId} null for one that uses {@code assign} and commits nothing. */
    public Properties consumer(String clientId, String groupId) {
        Properties p = base(clientId);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        if (groupId != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        return withOverrides(p, CONSUMER_PINNED);
    }

    /**
     * A Kafka Streams application's settings: the pinned producer and consumer values under
     * Streams' {@code producer.} and {@code consumer.} prefixes (Streams overrides some Kafka
     * defaults, {@code linger.ms=100} among them, so they are set back here), and every
     * passed-through property unprefixed, for all of the application's clients.
     */
    public Properties streams(String applicationId, String clientId) {
        Properties p = base(clientId);
        p.put("application.id", applicationId);
        Map<String, String> pinned = new TreeMap<>();
        PRODUCER_PINNED.forEach((k, v) -> pinned.put("producer." + k, v));
        CONSUMER_PINNED.forEach((k, v) -> pinned.put("consumer." + k, v));
        return withOverrides(p, pinned);
    }

    public Properties admin(String clientId) {
        return withOverrides(base(clientId), Map.of());
    }

    private Properties base(String clientId) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        return p;
    }

    private Properties withOverrides(Properties p, Map<String, String> pinned) {
        p.putAll(pinned);
        for (Map.Entry<String, String> e : new TreeMap<>(clientProperties).entrySet()) {
            String pinnedValue = pinned.get(e.getKey());
            if (pinnedValue != null && !pinnedValue.equals(e.getValue())) {
                log.warn("Kafka client property {}={} overrides kquorum's {}; latency or durability may suffer",
                        e.getKey(), e.getValue(), pinnedValue);
            }
            p.put(e.getKey(), e.getValue());
        }
        return p;
    }
}

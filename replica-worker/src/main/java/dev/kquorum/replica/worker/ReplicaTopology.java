package dev.kquorum.replica.worker;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.kquorum.common.kafka.ReplyTopics;
import dev.kquorum.common.protocol.KqHeaders;
import dev.kquorum.common.protocol.ReplyAddress;
import dev.kquorum.replica.Replica;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.state.Stores;

/**
 * The replica as a Kafka Streams topology: its topic in, one processor with the replica's store,
 * replies out to the topic and partition each request names, dead letters out to the replica's
 * dead-letter topic. Each partition of the replica topic is a task with a store of its own, so a
 * replica's keys spread over as many processes as it has partitions.
 */
final class ReplicaTopology {

    static final String STORE = "replica";
    static final String SOURCE = "requests";
    static final String PROCESSOR = "replica";
    static final String REPLIES = "replies";
    static final String DEAD_LETTERS = "dead-letters";

    private ReplicaTopology() {
    }

    /**
     * @param changelog the store changelog's topic settings, stated rather than left to the cluster
     */
    static Topology build(WorkerConfig config, WorkerMetrics metrics, ReplyTopics replyTopics, CatchUp catchUp,
                          TopicGuard guard, Map<String, String> changelog) {
        Topology topology = new Topology();
        // A new replica reads its topic from the start; a known one resumes at its committed offsets.
        topology.addSource(AutoOffsetReset.earliest(), SOURCE, RECORD_TIME,
                new ByteArrayDeserializer(), new ByteArrayDeserializer(), config.topic());
        topology.addProcessor(PROCESSOR, () -> new ReplicaProcessor(config, new Replica(config.replicaId(), config.rules()),
                metrics, replyTopics, catchUp, guard), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.ByteArray())
                // Every write goes to the changelog as it is made: no cache to flush in bursts at commit.
                .withCachingDisabled()
                .withLoggingEnabled(changelog), PROCESSOR);
        topology.addSink(REPLIES, replyTopic(), new ByteArraySerializer(), new ReplyBody(), new ReplyPartition(), PROCESSOR);
        topology.addSink(DEAD_LETTERS, config.dlqTopic(), new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        return topology;
    }

    /**
     * A record's timestamp is used for nothing but the order Streams picks records in. Kafka
     * accepts a negative one from some clients, and Streams' own extractors would then stop the
     * task or skip the record (and a skipped offset reads as deleted records): such a record
     * takes the partition's time, or this host's clock before the partition has one.
     */
    static final TimestampExtractor RECORD_TIME = (record, partitionTime) -> record.timestamp() >= 0 ? record.timestamp()
            : partitionTime >= 0 ? partitionTime : System.currentTimeMillis();

    /**
     * Puts a reply's address on it for the sink: the topic for {@link #replyTopic()}, the partition
     * for {@link ReplyPartition}. {@link ReplyBody} takes them off again before the reply is sent.
     */
    static void route(Headers headers, ReplyAddress address) {
        headers.add(ROUTE_TOPIC, KqHeaders.utf8(address.topic()));
        if (address.partition() != null) {
            headers.add(ROUTE_PARTITION, KqHeaders.int32(address.partition()));
        }
    }

    private static final String ROUTE_TOPIC = "kq_route_topic";
    private static final String ROUTE_PARTITION = "kq_route_partition";

    /** The reply topic the processor checked and routed the reply to. */
    private static TopicNameExtractor<byte[], byte[]> replyTopic() {
        return (key, value, context) -> KqHeaders.text(context.headers(), ROUTE_TOPIC);
    }

    /** The partition the request named, or Kafka's choice when it named none. */
    static final class ReplyPartition implements StreamPartitioner<byte[], byte[]> {
        @Override
        public Optional<Set<Integer>> partitions(String topic, byte[] key, byte[] value, int numPartitions) {
            return Optional.empty();
        }

        @Override
        public Optional<Set<Integer>> partitions(String topic, byte[] key, byte[] value, Headers headers, int numPartitions) {
            Integer partition = KqHeaders.int32(headers, ROUTE_PARTITION);
            return partition == null ? Optional.empty() : Optional.of(Set.of(partition));
        }
    }

    /**
     * The reply's body, serialized after the topic and partition were chosen: the routing
     * headers come off here, the one place Streams hands the record's headers over between
     * routing and sending, so a reply carries only the correlation id its requester sent (a reply
     * that carried an address could be taken for a request).
     */
    static final class ReplyBody extends ByteArraySerializer {
        @Override
        public byte[] serialize(String topic, Headers headers, byte[] data) {
            headers.remove(ROUTE_TOPIC);
            headers.remove(ROUTE_PARTITION);
            return data;
        }
    }
}

package dev.kquorum.replica.worker;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.kquorum.common.kafka.ReplyTopics;
import dev.kquorum.common.protocol.KqHeaders;
import dev.kquorum.replica.Replica;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.UsePartitionTimeOnInvalidTimestamp;
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
        // A record's timestamp is used for nothing but the order Streams picks records in; an invalid
        // one must not stop the task, nor skip the record (a skipped offset reads as deleted records).
        topology.addSource(AutoOffsetReset.earliest(), SOURCE, new UsePartitionTimeOnInvalidTimestamp(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer(), config.topic());
        topology.addProcessor(PROCESSOR, () -> new ReplicaProcessor(config, new Replica(config.replicaId(), config.rules()),
                metrics, replyTopics, catchUp, guard), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.ByteArray())
                // Every write goes to the changelog as it is made: no cache to flush in bursts at commit.
                .withCachingDisabled()
                .withLoggingEnabled(changelog), PROCESSOR);
        topology.addSink(REPLIES, replyTopic(), new ByteArraySerializer(), new ByteArraySerializer(), new ReplyPartition(), PROCESSOR);
        topology.addSink(DEAD_LETTERS, config.dlqTopic(), new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        return topology;
    }

    /** The reply topic the processor put on the reply (it checked that the topic exists). */
    private static TopicNameExtractor<byte[], byte[]> replyTopic() {
        return (key, value, context) -> KqHeaders.text(context.headers(), KqHeaders.REPLY_TOPIC);
    }

    /** The partition the request named, or Kafka's choice when it named none. */
    static final class ReplyPartition implements StreamPartitioner<byte[], byte[]> {
        @Override
        public Optional<Set<Integer>> partitions(String topic, byte[] key, byte[] value, int numPartitions) {
            return Optional.empty();
        }

        @Override
        public Optional<Set<Integer>> partitions(String topic, byte[] key, byte[] value, Headers headers, int numPartitions) {
            Integer partition = KqHeaders.int32(headers, KqHeaders.REPLY_PARTITION);
            return partition == null ? Optional.empty() : Optional.of(Set.of(partition));
        }
    }
}

package dev.kquorum.replica.worker;

import java.util.Map;

import dev.kquorum.common.kafka.ReplyTopics;
import dev.kquorum.replica.Replica;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.state.Stores;

/**
 * The replica as a Kafka Streams topology: its topic in, one processor with the replica's store,
 * dead letters out to the replica's dead-letter topic (replies leave by {@link ReplySender}, outside
 * the transaction). Each partition of the replica topic is a task with a store of its own, so a
 * replica's keys spread over as many processes as it has partitions.
 */
final class ReplicaTopology {

    static final String STORE = "replica";
    static final String SOURCE = "requests";
    static final String PROCESSOR = "replica";
    static final String DEAD_LETTERS = "dead-letters";

    private ReplicaTopology() {
    }

    /**
     * @param changelog       the store changelog's topic settings, stated rather than left to the cluster
     * @param deadLetterLimit the largest record the dead-letter topic takes
     */
    static Topology build(WorkerConfig config, WorkerMetrics metrics, ReplyTopics replyTopics, ReplySender replies,
                          LogStarts logStarts, CatchUp catchUp, TopicGuard guard, Map<String, String> changelog,
                          int deadLetterLimit) {
        Topology topology = new Topology();
        // A new replica reads its topic from the start; a known one resumes at its committed offsets.
        topology.addSource(AutoOffsetReset.earliest(), SOURCE, RECORD_TIME,
                new ByteArrayDeserializer(), new ByteArrayDeserializer(), config.topic());
        topology.addProcessor(PROCESSOR, () -> new ReplicaProcessor(config, new Replica(config.replicaId(), config.rules()),
                metrics, replyTopics, replies, logStarts, catchUp, guard, deadLetterLimit), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.ByteArray())
                // Every write goes to the changelog as it is made: no cache to flush in bursts at commit.
                .withCachingDisabled()
                .withLoggingEnabled(changelog), PROCESSOR);
        topology.addSink(DEAD_LETTERS, config.dlqTopic(), new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        return topology;
    }

    /**
     * The time Streams orders records by. A replica topic's timestamps are the broker's append
     * times (LogAppendTime, which the processor judges versions by), never negative; a topic
     * switched from CreateTime can still hold records with a client's negative timestamp, which
     * Streams' own extractors would stop the task on or skip (and a skipped offset reads as
     * deleted records): such a record takes the partition's time, or this host's clock before the
     * partition has one.
     */
    static final TimestampExtractor RECORD_TIME = (record, partitionTime) -> record.timestamp() >= 0 ? record.timestamp()
            : partitionTime >= 0 ? partitionTime : System.currentTimeMillis();
}

package dev.kquorum.replica.worker;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.time.Duration;

import dev.kquorum.common.kafka.RecordSize;
import dev.kquorum.common.kafka.ReplyTopics;
import dev.kquorum.common.protocol.Envelope;
import dev.kquorum.common.protocol.KqHeaders;
import dev.kquorum.common.protocol.ProtocolCodec;
import dev.kquorum.common.protocol.ProtocolException;
import dev.kquorum.common.protocol.ReplicaReply;
import dev.kquorum.common.protocol.ReplyAddress;
import dev.kquorum.common.version.HybridClock;
import dev.kquorum.common.version.Version;
import dev.kquorum.common.version.Versioned;
import dev.kquorum.replica.Replica;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task of a replica: the requests of one partition of its topic, applied by {@link Replica}
 * to the task's store, answered where each request asks. Kafka Streams gives the guarantees the
 * hand-rolled loop had to build: a task processes nothing until its store has caught up with its
 * changelog, and the store's changelog writes, the dead letters and the input offset past them
 * commit in one transaction. Replies leave at once, outside it ({@link ReplySender}); a crash
 * aborts the transaction and applies its requests again, deciding each as the first time (a
 * version is judged by its request's append time), and applying a request twice is applying it once.
 */
final class ReplicaProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    private static final Logger log = LoggerFactory.getLogger(ReplicaProcessor.class);
    /**
     * The store key of a partition's refusal. No data key holds a NUL, and an identity key is
     * longer: it cannot collide, and the purge leaves it.
     */
    static final String REFUSAL = "\0";
    /**
     * The store key of the next offset this partition's store expects: kept with the store's
     * writes (the store is transactional, so it is never ahead of or behind them), it moves with
     * the partition to another process and outlives the group's committed offsets, which expire.
     * Three NULs: no data key holds one, and an identity key holds one between two non-empty parts.
     */
    static final String NEXT_OFFSET = "\0\0\0";
    /** How often the purge takes one step, when a pass is under way. */
    private static final Duration PURGE_STEP = Duration.ofMillis(200);
    /**
     * The longest a task waits to learn a reply topic it has not seen (once per topic a minute):
     * an answer must go out in order, and a lookup is one metadata round trip.
     */
    private static final Duration REPLY_TOPIC_WAIT = Duration.ofSeconds(2);
    /** Every topic a replica may answer on ends so: {@code kq.replies}, {@code kq.test-replies}. */
    static final String REPLIES_SUFFIX = "replies";

    private final WorkerConfig config;
    private final Replica replica;
    private final WorkerMetrics metrics;
    private final ReplyTopics replyTopics;
    private final ReplySender replies;
    private final LogStarts logStarts;
    private final CatchUp catchUp;
    private final TopicGuard guard;
    /** The largest record the dead-letter topic takes ({@link RecordSize#limit}). */
    private final int deadLetterLimit;
    /** {@code <prefix>.}: every topic a replica may answer on starts so. */
    private final String replyTopicPrefix;
    private ProcessorContext<byte[], byte[]> context;
    private StoreState state;
    private TopicPartition partition;
    /**
     * The offset the next record must have, or -1 before the first since {@link #init} (Streams
     * initializes a processor again when its task comes back to this process): a gap means
     * records were deleted unapplied.
     */
    private long expected;

    ReplicaProcessor(WorkerConfig config, Replica replica, WorkerMetrics metrics, ReplyTopics replyTopics, ReplySender replies,
                     LogStarts logStarts, CatchUp catchUp, TopicGuard guard, int deadLetterLimit) {
        this.replies = replies;
        this.logStarts = logStarts;
        this.catchUp = catchUp;
        this.deadLetterLimit = deadLetterLimit;
        this.guard = guard;
        this.replyTopicPrefix = config.topics().prefix() + ".";
        this.config = config;
        this.replica = replica;
        this.metrics = metrics;
        this.replyTopics = replyTopics;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        catchUp.taken(context.taskId().partition());
        this.state = new StoreState(context.getStateStore(ReplicaTopology.STORE));
        this.partition = new TopicPartition(config.topic(), context.taskId().partition());
        Versioned next = state.get(NEXT_OFFSET);
        this.expected = next == null ? -1 : ByteBuffer.wrap(next.value()).getLong();
        Versioned refused = state.get(REFUSAL);
        if (refused != null) {
            guard.refusedBefore(partition, new String(refused.value(), UTF_8));
        } else if (guard.refuses(partition)) {
            remember(guard.reason(partition));
        }
        log.info("Replica {} runs partition {} here", config.replicaId(), partition);
        ChunkedPurge purge = new ChunkedPurge(config, state, replica, metrics);
        context.schedule(PURGE_STEP, PunctuationType.WALL_CLOCK_TIME, now -> purge.step());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        long started = System.nanoTime();
        if (refuses(context.recordMetadata().map(RecordMetadata::offset).orElse(-1L))) {
            return;
        }
        Envelope envelope;
        try {
            envelope = Envelope.from(record.headers());
        } catch (ProtocolException e) {
            deadLetter(record, e.getMessage());
            return;
        }
        // The record's timestamp is the broker's append time (the topic's message.timestamp.type is
        // LogAppendTime, TopicGuard#checkTimestamps): the same on a replay as the first time.
        Replica.Decision decision = replica.receive(record.value(), new Replica.Delivery(envelope.deadlineMs(),
                System.currentTimeMillis(), catchUp.catchingUp(context.taskId().partition()), record.timestamp()), state);
        metrics.decided(decision);
        if (decision.kind() == Replica.Kind.REFUSED) {
            log.warn("Replica {} refused {}: {}", config.replicaId(), source(),
                    ((ReplicaReply.Invalid) decision.reply()).error());
        }
        if (decision.deadLetter() != null) {
            deadLetter(record, decision.deadLetter());
        }
        if (decision.reply() != null && envelope.replyTo() != null) {
            reply(envelope.replyTo(), decision.reply());
        }
        metrics.applied(System.nanoTime() - started);
    }

    @Override
    public void close() {
        log.info("Replica {} no longer runs partition {} here", config.replicaId(), partition);
    }

    /**
     * Whether the partition is refused (a refused partition is neither applied nor answered).
     * A record that is not the one the store expects next means Kafka moved this replica past
     * records it never applied: deleted by retention or by hand while it was behind or down (also
     * after the group's committed offsets expired, when Kafka starts it over at the log start), or
     * a recreated topic. The store says so for certain, so the refusal is written into it. A gap
     * the log still covers (its start is not past the expected offset) deleted nothing: it is a
     * transactional producer's markers or aborted records, and is passed over.
     */
    private boolean refuses(long offset) {
        if (guard.refuses(partition)) {
            return true;
        }
        if (expected >= 0 && offset > expected) {
            long logStart = logStarts.of(partition);
            if (logStart < 0 || logStart > expected) {
                guard.skipped(partition, expected, offset);
                remember(guard.reason(partition));
                return true;
            }
            // Nothing from the expected offset on was deleted: the offsets between were never
            // requests (a transactional producer's commit markers, or its aborted records).
            log.debug("Replica {}: offsets {}..{} of {} hold no committed record", config.replicaId(), expected, offset - 1, partition);
        }
        expected = offset + 1;
        state.put(NEXT_OFFSET, new Versioned(new Version(0, "offset"), ByteBuffer.allocate(Long.BYTES).putLong(expected).array()));
        return false;
    }

    /** Writes the refusal into the partition's store, so it outlives the offsets committed past it. */
    private void remember(String reason) {
        state.put(REFUSAL, new Versioned(new Version(HybridClock.pack(System.currentTimeMillis(), 0), "refusal"),
                reason.getBytes(UTF_8)));
    }

    /**
     * Sends the reply where the requester asked, if a replica may answer there: one of kquorum's
     * reply topics ({@code <prefix>.*replies}: never a replica's own topic, a changelog, Kafka's
     * internal topics, or anything a hostile requester could make it write into or loop on), and
     * one that exists with that partition (a send to a missing one would wait for its metadata).
     * Any other reply is dropped and counted; the request itself stays applied. Replies leave
     * outside the task's transaction ({@link ReplySender}).
     */
    private void reply(ReplyAddress address, ReplicaReply reply) {
        try {
            String refusal = refusal(address.topic());
            if (refusal != null) {
                throw new ReplyTopics.BadReplyTopicException(refusal);
            }
            int partitions = replyTopics.partitionsWithin(address.topic(), REPLY_TOPIC_WAIT);
            if (address.partition() != null && address.partition() >= partitions) {
                throw new ReplyTopics.BadReplyTopicException("partition " + address.partition() + " does not exist in "
                        + address.topic() + " (" + partitions + " partitions)");
            }
        } catch (ReplyTopics.BadReplyTopicException e) {
            metrics.replyUndeliverable();
            log.debug("Replica {} drops the reply to {}: {}", config.replicaId(), source(), e.getMessage());
            return;
        }
        RecordHeaders headers = new RecordHeaders();
        address.echoTo(headers);
        replies.send(address, ProtocolCodec.encode(reply), headers);
    }

    /** Why a replica may not answer on {@code topic}, or null when it may. */
    private String refusal(String topic) {
        if (!topic.startsWith(replyTopicPrefix) || !topic.endsWith(REPLIES_SUFFIX)) {
            return "reply topic " + topic + " is not one of kquorum's reply topics (" + replyTopicPrefix + "*" + REPLIES_SUFFIX
                    + "); a replica answers nowhere else";
        }
        return null;
    }

    /**
     * Sets the record aside with the reason. It is sent in the same transaction as the input offset
     * past it (a failed send aborts it, and the record is processed again): bad input is set aside,
     * never lost. A dead letter the dead-letter topic cannot hold whole (a record that fit the
     * replica topic, with the reason added) becomes a small reference to its record, so no single
     * record can stop a replica.
     */
    private void deadLetter(Record<byte[], byte[]> record, String reason) {
        String source = source();
        log.warn("Replica {} dead-letters {}: {}", config.replicaId(), source, reason);
        metrics.deadLettered();
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add(KqHeaders.ERROR, reason.getBytes(UTF_8));
        headers.add(DeadLetterReference.SOURCE, source.getBytes(UTF_8));
        long size = RecordSize.upperBound(record.key(), record.value(), headers);
        if (size > deadLetterLimit) {
            log.warn("The dead letter of {} ({} bytes) does not fit the dead-letter topic (max.message.bytes {}); writing a"
                    + " reference to it", source, size, deadLetterLimit);
            metrics.deadLetterReference();
            context.forward(DeadLetterReference.of(record.withHeaders(headers), size, deadLetterLimit, context.currentSystemTimeMs()),
                    ReplicaTopology.DEAD_LETTERS);
            return;
        }
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(), headers), ReplicaTopology.DEAD_LETTERS);
    }

    /** Where the record in hand came from: topic-partition@offset. */
    private String source() {
        return context.recordMetadata().map(ReplicaProcessor::describe).orElse("(unknown record)");
    }

    private static String describe(RecordMetadata m) {
        return m.topic() + "-" + m.partition() + "@" + m.offset();
    }
}

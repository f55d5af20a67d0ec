package dev.kquorum.cli.bench;

import java.time.Duration;
import java.util.Collection;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A consumer on a thread of its own, assigned {@code partitions} from their end, handing every
 * record to a handler until closed: the benchmark's echoes, relay and clients are all one.
 */
final class ConsumerLoop implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    ConsumerLoop(String name, KafkaConsumer<byte[], byte[]> consumer, Collection<TopicPartition> partitions,
                 Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        this.consumer = consumer;
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // Positions resolved now: nothing published after the constructor returns is missed.
        partitions.forEach(consumer::position);
        thread = new Thread(() -> {
            try {
                while (running) {
                    consumer.poll(Duration.ofMillis(100)).forEach(handler);
                }
            } catch (WakeupException e) {
                // closing
            } finally {
                consumer.close(Duration.ofSeconds(2));
            }
        }, name);
        thread.start();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(5_000);
    }
}

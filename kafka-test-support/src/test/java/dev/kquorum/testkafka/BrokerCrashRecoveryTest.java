package dev.kquorum.testkafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.kquorum.common.io.Directories;
import dev.kquorum.localkafka.LocalKafkaProcess;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A broker process is SIGKILLed while an acks=all producer streams into it; started again on the
 * same data directory it still has every record it acknowledged.
 */
class BrokerCrashRecoveryTest {

    private Path dataDir;
    private LocalKafkaProcess broker;

    @AfterEach
    void cleanUp() throws Exception {
        if (broker != null) {
            broker.close();
        }
        Directories.deleteRecursively(dataDir);
    }

    @Test
    void keepsEveryAcknowledgedRecordAcrossSigkill() throws Exception {
        dataDir = Files.createTempDirectory("kq-crash-kafka");
        broker = LocalKafkaProcess.start(dataDir, 0, Duration.ofSeconds(90));
        String bootstrap = broker.bootstrapServers();
        String topic = "crash-test";

        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean producing = new AtomicBoolean(true);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        Thread producerThread;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producerThread = new Thread(() -> {
                int i = 0;
                while (producing.get()) {
                    String value = "r" + i++;
                    producer.send(new ProducerRecord<>(topic, value, value), (meta, error) -> {
                        if (error == null) {
                            acknowledged.add(value);
                        }
                    });
                    if (i % 50 == 0) {
                        producer.flush();
                    }
                }
            }, "crash-producer");
            producerThread.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 500);

            broker.kill();
            int ackedAtKill = acknowledged.size();
            broker = LocalKafkaProcess.start(dataDir, 0, Duration.ofSeconds(90));
            assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);

            // The producer reconnects by itself and keeps going on the restarted broker.
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= ackedAtKill + 200);
            producing.set(false);
            producerThread.join(30_000);
            producer.flush();
        }

        Set<String> read = readAll(bootstrap, topic);
        assertThat(acknowledged).hasSizeGreaterThan(700);
        assertThat(read).containsAll(acknowledged);
    }

    private static Set<String> readAll(String bootstrap, String topic) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "crash-reader");
        Set<String> read = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long end = -1;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    read.add(r.value());
                }
                if (!consumer.assignment().isEmpty()) {
                    if (end < 0) {
                        end = consumer.endOffsets(consumer.assignment()).values().stream().mapToLong(Long::longValue).sum();
                    }
                    long position = consumer.assignment().stream().mapToLong(consumer::position).sum();
                    if (position >= end) {
                        break;
                    }
                }
            }
        }
        return read;
    }
}

package dev.kquorum.cli;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.apache.kafka.common.serialization.Deserializer;

/**
 * A poisoned dependency for tests of loop failures: a value deserializer that throws on a record
 * whose value is {@code POISON}, so that {@code poll} fails with a RuntimeException inside a
 * component's loop, as an unexpected bug would, while the broker and every other record stay real.
 * Given to components through the Kafka client property {@code value.deserializer}.
 */
public final class PoisonDeserializer implements Deserializer<byte[]> {

    static final byte[] POISON = "POISON".getBytes(StandardCharsets.UTF_8);

    @Override
    public byte[] deserialize(String topic, byte[] data) {
        if (data != null && Arrays.equals(data, POISON)) {
            throw new IllegalStateException("poisoned record on " + topic + " (injected by a test)");
        }
        return data;
    }
}

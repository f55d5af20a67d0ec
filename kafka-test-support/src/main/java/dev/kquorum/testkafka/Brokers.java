package dev.kquorum.testkafka;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** How many brokers the {@link dev.kquorum.localkafka.LocalKafkaCluster} handed to a test has (3 when absent). */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
public @interface Brokers {
    int value();
}

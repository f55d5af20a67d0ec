package dev.kquorum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;

import dev.kquorum.common.kafka.KafkaSettings;
import dev.kquorum.testkafka.KafkaExtension;
import dev.kquorum.testkafka.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * put/get/delete are clients: on a secured cluster they may not create topics, so they create
 * none. Against a cluster where no coordinator ever ran (kquorum's topics absent), they say so in
 * one line instead of creating the topics and waiting for an answer that cannot come.
 */
@ExtendWith(KafkaExtension.class)
class ClientWithoutTopicsTest {

    @Test
    void aMissingTopicIsSaidPlainlyAndNothingIsCreated(TestKafka kafka) throws Exception {
        String prefix = kafka.uniqueName("none");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true),
                "put", "k", "v", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", prefix, "--timeout", "2s");

        assertThat(exit).as("stderr: %s", err).isEqualTo(ClientCommand.EXIT_NO_ANSWER);
        assertThat(err.toString().lines().toList()).singleElement().asString()
                .contains("topic " + prefix + ".", "does not exist at " + kafka.bootstrapServers(), "./kquorum up");
        assertThat(out.toString()).isEmpty();
        try (Admin admin = Admin.create(KafkaSettings.of(kafka.bootstrapServers()).admin("test-list"))) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).noneMatch(t -> t.startsWith(prefix + "."));
        }
    }
}

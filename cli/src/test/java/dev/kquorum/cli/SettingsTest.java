package dev.kquorum.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.kquorum.common.kafka.TopicAdmin;
import dev.kquorum.cli.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Settings come from the flag, else the environment, else the --config file, else the default. */
class SettingsTest {

    @TempDir
    Path dir;

    private Path file(String content) throws IOException {
        Path f = dir.resolve("kquorum.properties");
        Files.writeString(f, content);
        return f;
    }

    private static WorkerCommand parseWorker(Map<String, String> env, String... args) {
        CommandLine cl = Main.commandLine(env, args);
        return (WorkerCommand) cl.parseArgs(args).subcommand().commandSpec().userObject();
    }

    @Test
    void flagBeatsEnvironmentBeatsFileBeatsDefault() throws IOException {
        Path f = file("bootstrap-servers=file:1\npartitions=3\nmax-key-bytes=77\ntopic-prefix=fromfile\n");
        Map<String, String> env = Map.of("KQ_BOOTSTRAP_SERVERS", "env:1", "KQ_PARTITIONS", "5");

        WorkerCommand w = parseWorker(env, "worker", "--id", "r1", "--config", f.toString(), "--partitions", "7");
        assertThat(w.partitions).as("flag").isEqualTo(7);
        assertThat(w.kafka.bootstrapServers).as("environment over file").isEqualTo("env:1");
        assertThat(w.maxKeyBytes).as("file over default").isEqualTo(77);
        assertThat(w.kafka.topicPrefix).as("file").isEqualTo("fromfile");
        assertThat(w.maxValueBytes).as("default").isEqualTo(1_048_576);

        WorkerCommand plain = parseWorker(Map.of(), "worker", "--id", "r1");
        assertThat(plain.kafka.bootstrapServers).isEqualTo("127.0.0.1:9092");
        assertThat(plain.partitions).isEqualTo(TopicAdmin.REPLICA_PARTITIONS);
    }

    @Test
    void theConfigFileCanBeNamedInTheEnvironmentToo() throws IOException {
        Path f = file("bootstrap-servers=file:9\n");
        WorkerCommand w = parseWorker(Map.of("KQ_CONFIG", f.toString()), "worker", "--id", "r1");
        assertThat(w.kafka.bootstrapServers).isEqualTo("file:9");
    }

    @Test
    void kafkaClientPropertiesPassThroughFromTheFileAndSecretsAreMasked() throws IOException {
        Path f = file("""
                security.protocol=SASL_SSL
                sasl.mechanism=PLAIN
                sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="kq" password="hunter2";
                ssl.truststore.password=changeit
                """);
        CommandLine cl = Main.commandLine(Map.of(), "worker", "--id", "r1", "--config", f.toString());
        CommandLine.ParseResult pr = cl.parseArgs("worker", "--id", "r1", "--config", f.toString());
        WorkerCommand w = (WorkerCommand) pr.subcommand().commandSpec().userObject();
        assertThat(w.kafka.kafka().clientProperties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsKey("sasl.jaas.config");
        String described = String.join("\n", Main.settings(pr.subcommand().commandSpec()).describe(pr.subcommand().commandSpec()));
        assertThat(described)
                .contains("security.protocol=SASL_SSL", "sasl.jaas.config=****", "ssl.truststore.password=****", "id=r1 (command line)")
                .doesNotContain("hunter2", "changeit");
    }

    @Test
    void anUnknownSettingInTheFileIsRejectedByName() throws IOException {
        Path f = file("bootstrap-server=typo:1\n");
        assertThatThrownBy(() -> Main.commandLine(Map.of(), "worker", "--config", f.toString()))
                .hasMessageContaining("unknown setting 'bootstrap-server'").hasMessageContaining(f.toString());
    }

    @Test
    void aMissingConfigFileIsSaidPlainly() {
        Path missing = dir.resolve("nope.properties");
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err, true), Map.of(),
                "worker", "--id", "r1", "--config", missing.toString());
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--config " + missing, "cannot read the file");
    }

    @Test
    void aBadValueFromAnySourceStopsAtOnceNamingSettingValueAndWhatIsAllowed() throws IOException {
        assertThat(runErr(Map.of("KQ_PARTITIONS", "many"), "worker", "--id", "r1"))
                .contains("--partitions", "'many'", "is not an int");
        assertThat(runErr(Map.of("KQ_REPLY_PARTITION", "-3"), "coordinator", "--replicas", "r1,r2,r3"))
                .contains("reply partition must be within 0..10000, got -3");
        Path f = file("id=not a valid id\n");
        assertThat(runErr(Map.of(), "worker", "--config", f.toString()))
                .contains("replica id 'not a valid id' must be 1 to 100 of the characters A-Z a-z 0-9 . _ -");
        assertThat(runErr(Map.of("KQ_PORT", "70000"), "kafka")).contains("--port 70000 is not between 1 and 65535");
        assertThat(runErr(Map.of("KQ_MAX_IN_FLIGHT", "0"), "coordinator", "--replicas", "r1"))
                .contains("max in-flight must be at least 1, got 0");
    }

    @Test
    void environmentNamesFollowTheOptionNames() {
        assertThat(Settings.envName("--bootstrap-servers")).isEqualTo("KQ_BOOTSTRAP_SERVERS");
        assertThat(Settings.envName("--http-port")).isEqualTo("KQ_HTTP_PORT");
    }

    private static String runErr(Map<String, String> env, String... args) {
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err, true), env, args);
        assertThat(exit).as("exit code for %s; errors: %s", String.join(" ", args), err).isEqualTo(2);
        return err.toString();
    }
}

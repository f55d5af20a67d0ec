package dev.kquorum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** {@code kquorum acls --print}: each role's grants as kafka-acls.sh commands, nothing beyond its lane. */
class AclsCommandTest {

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), Map.of(), args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void printsEachRolesGrantsUnderThePrefix() {
        Run run = run("acls", "--print", "--prefix", "shop", "--replicas", "a,b", "--worker-principal", "b=User:svc-b",
                "--bootstrap-servers", "k1:9093");
        assertThat(run.exit).as(run.err).isZero();
        String base = "kafka-acls.sh --bootstrap-server k1:9093 --command-config admin.properties --add --allow-principal ";
        assertThat(run.out).contains(
                "# coordinator (User:coordinator)",
                base + "User:coordinator --operation Read --operation Describe --operation DescribeConfigs --topic shop.requests\n",
                base + "User:coordinator --operation Read --operation Describe --group shop.gateway\n",
                base + "User:coordinator --operation Write --operation Describe --operation DescribeConfigs --topic shop.replica.a\n",
                "# worker a (User:worker-a)",
                base + "User:worker-a --operation Read --operation Describe --operation DescribeConfigs --topic shop.replica.a\n",
                base + "User:worker-a --operation Write --operation Describe --transactional-id shop.replica.a- --resource-pattern-type prefixed\n",
                base + "User:worker-a --operation Write --operation Describe --topic shop.replies\n",
                "# worker b (User:svc-b)",
                base + "User:client --operation Write --operation Describe --topic shop.requests\n",
                base + "User:client --operation Read --operation Describe --topic shop.responses\n");
        // Nobody but a worker reads a replica topic or its changelogs, and a worker reads no other replica's.
        String changelogs = " --operation Create --operation Read --operation Write --operation Describe --operation DescribeConfigs";
        assertThat(run.out.lines().filter(l -> l.contains("--operation Read") && l.contains("--topic shop.replica.")))
                .containsExactly(base + "User:worker-a --operation Read --operation Describe --operation DescribeConfigs --topic shop.replica.a",
                        base + "User:worker-a" + changelogs + " --topic shop.replica.a- --resource-pattern-type prefixed",
                        base + "User:svc-b --operation Read --operation Describe --operation DescribeConfigs --topic shop.replica.b",
                        base + "User:svc-b" + changelogs + " --topic shop.replica.b- --resource-pattern-type prefixed");
    }

    @Test
    void aPrincipalThatIsNotTypeColonNameIsRefused() {
        Run run = run("acls", "--print", "--client-principal", "client");
        assertThat(run.exit).isEqualTo(2);
        assertThat(run.err).contains("principal 'client' is not TYPE:NAME");
        Run unknown = run("acls", "--print", "--worker-principal", "r9=User:x");
        assertThat(unknown.err).contains("--worker-principal names replica r9, which is not among --replicas r1,r2,r3");
    }
}

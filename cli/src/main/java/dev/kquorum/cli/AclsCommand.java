package dev.kquorum.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.kquorum.cli.acl.AclAdmin;
import dev.kquorum.cli.acl.KquorumAcls;
import dev.kquorum.common.kafka.KafkaSettings;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kquorum acls}: the least each role needs, as {@code kafka-acls.sh} commands or applied through the Admin API. */
@Command(name = "acls",
        mixinStandardHelpOptions = true,
        description = {
            "Prints (--print) or applies (--apply) the ACLs that keep each kquorum role in its lane on a cluster with an",
            "authorizer: coordinator, worker of each replica, client (docs/security.md). --apply and --create-topics",
            "run as the principal of --config, which must be allowed to create ACLs and topics (a super user)."})
final class AclsCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    KafkaOptions kafka;

    @ArgGroup(multiplicity = "1")
    Action action;

    static final class Action {
        @Option(names = "--print", required = true, description = "Print kafka-acls.sh commands that grant the ACLs.")
        boolean print;

        @Option(names = "--apply", required = true, description = "Create the ACLs through the Admin API.")
        boolean apply;
    }

    @Option(names = "--replicas", defaultValue = "r1,r2,r3", split = ",",
            description = "Replica ids, one worker principal each (default: ${DEFAULT-VALUE}).")
    List<String> replicas;

    @Option(names = "--coordinator-principal", defaultValue = "User:coordinator", description = "(default: ${DEFAULT-VALUE})")
    String coordinator;

    @Option(names = "--client-principal", defaultValue = "User:client", description = "(default: ${DEFAULT-VALUE})")
    String client;

    @Option(names = "--worker-principal", paramLabel = "REPLICA=PRINCIPAL",
            description = "A replica's worker principal (default: User:worker-<replica>), e.g. r1=User:svc-r1; repeatable.")
    Map<String, String> workerPrincipals = new LinkedHashMap<>();

    @Option(names = "--create-topics", description = "With --apply: also create kquorum's topics for --replicas, as kquorum would.")
    boolean createTopics;

    @Override
    public Integer call() {
        KquorumAcls acls = acls();
        PrintWriter out = spec.commandLine().getOut();
        if (action.print) {
            acls.commands(kafka.kafka().bootstrapServers()).forEach(out::println);
            out.flush();
            return 0;
        }
        KafkaSettings settings = kafka.kafka();
        AclAdmin.apply(settings, acls);
        out.println("kquorum acls: " + acls.bindings().size() + " ACLs in place at " + settings.bootstrapServers() + " for "
                + acls.workers().size() + " replicas under prefix " + kafka.topics().prefix());
        if (createTopics) {
            AclAdmin.createTopics(settings, kafka.topics(), replicas);
            out.println("kquorum acls: kquorum's topics exist for replicas " + String.join(",", replicas));
        }
        out.flush();
        return 0;
    }

    KquorumAcls acls() {
        for (String principal : List.of(coordinator, client)) {
            requirePrincipal(principal);
        }
        Map<String, String> workers = new LinkedHashMap<>();
        for (String r : replicas) {
            workers.put(r, workerPrincipals.getOrDefault(r, "User:worker-" + r));
        }
        for (String r : workerPrincipals.keySet()) {
            if (!workers.containsKey(r)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--worker-principal names replica " + r
                        + ", which is not among --replicas " + String.join(",", replicas));
            }
        }
        workers.values().forEach(this::requirePrincipal);
        try {
            return new KquorumAcls(kafka.topics(), coordinator, client, workers);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private void requirePrincipal(String principal) {
        int colon = principal.indexOf(':');
        if (colon <= 0 || colon == principal.length() - 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "principal '" + principal
                    + "' is not TYPE:NAME, e.g. User:coordinator");
        }
    }
}

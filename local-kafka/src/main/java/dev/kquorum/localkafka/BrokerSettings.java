package dev.kquorum.localkafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where a local broker keeps its data and which loopback ports it listens on.
 *
 * <p>A port of 0 means "any free port". The ports chosen the first time are remembered in the
 * data directory, so a broker restarted on the same directory comes back on the same address:
 * clients that were connected reconnect by themselves, and the KRaft voter set (which records the
 * controller's endpoint at format time) stays valid.
 */
public record BrokerSettings(Path dataDir, int port, int controllerPort) {

    static final String HOST = "127.0.0.1";
    private static final String PORTS_FILE = "kquorum-ports.properties";

    public BrokerSettings {
        if (dataDir == null) {
            throw new IllegalArgumentException("data directory is required");
        }
        checkPort("port", port);
        checkPort("controller port", controllerPort);
    }

    private static void checkPort(String what, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(what + " " + port + " is not between 0 and 65535");
        }
    }

    public static BrokerSettings inDirectory(Path dataDir) {
        return new BrokerSettings(dataDir, 0, 0);
    }

    /** Resolves ports of 0 to the ones remembered in the data directory, or to fresh free ones. */
    BrokerSettings resolvePorts() {
        Path file = dataDir.resolve(PORTS_FILE);
        Properties remembered = new Properties();
        try {
            Files.createDirectories(dataDir);
            if (Files.exists(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    remembered.load(in);
                }
            }
            int p = port != 0 ? port : Integer.parseInt(remembered.getProperty("port", "0"));
            int c = controllerPort != 0 ? controllerPort : Integer.parseInt(remembered.getProperty("controller.port", "0"));
            if (p == 0) {
                p = freePort();
            }
            if (c == 0 || c == p) {
                c = freePort(p);
            }
            remembered.setProperty("port", Integer.toString(p));
            remembered.setProperty("controller.port", Integer.toString(c));
            try (OutputStream out = Files.newOutputStream(file)) {
                remembered.store(out, "ports of the local Kafka broker in this directory");
            }
            return new BrokerSettings(dataDir, p, c);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use data directory " + dataDir + ": " + e.getMessage(), e);
        }
    }

    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** True when something already listens on {@code port} of the loopback address a local broker listens on. */
    public static boolean portInUse(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static int freePort(int... avoid) throws IOException {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
                int candidate = socket.getLocalPort();
                if (avoid.length == 0 || candidate != avoid[0]) {
                    return candidate;
                }
            }
        }
    }
}

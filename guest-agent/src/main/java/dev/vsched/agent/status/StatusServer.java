package dev.vsched.agent.status;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the agent's status on a Unix socket only root can open (mode 0600): a client connects and reads
 * one JSON document; nothing is read from the client, so a client cannot change anything.
 */
public final class StatusServer implements AutoCloseable {
    public static final String SOCKET = "agent.sock";
    /** The schema tag of the document served (AgentStatus renders it); a format change bumps it. */
    public static final String SCHEMA = "vsched.status/1";
    private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);

    private final Path path;
    private final Supplier<String> document;
    private ServerSocketChannel server;
    private Thread acceptor;

    public StatusServer(Path path, Supplier<String> document) {
        this.path = path;
        this.document = document;
    }

    public StatusServer start() throws IOException {
        Files.createDirectories(path.getParent());
        // A socket file left by a crashed agent: AgentState.repair already ensured no live agent owns it.
        Files.deleteIfExists(path);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        acceptor = Thread.ofPlatform().daemon().name("vsched-status").start(this::serve);
        return this;
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel c = server.accept()) {
                ByteBuffer out = ByteBuffer.wrap((document.get() + "\n").getBytes(StandardCharsets.UTF_8));
                while (out.hasRemaining()) {
                    c.write(out);
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.warn("status request failed: {}", e.toString());
            }
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        try {
            if (server != null) {
                server.close();
            }
            if (acceptor != null) {
                acceptor.join(2_000);
            }
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", path, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads the status document from a running agent's socket. */
    public static String fetch(Path socket) throws IOException {
        if (!Files.exists(socket)) {
            throw new IOException("no vsched agent is running (no socket at " + socket + ")");
        }
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (c.read(buf) > 0) {
                all.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return all.toString(StandardCharsets.UTF_8);
        } catch (java.net.SocketException e) {
            throw new IOException("the vsched agent socket " + socket + " does not answer (" + e.getMessage()
                    + "); is the agent running?", e);
        }
    }
}

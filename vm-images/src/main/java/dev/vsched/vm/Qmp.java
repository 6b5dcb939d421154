package dev.vsched.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal QMP client over QEMU's unix socket: greeting, {@code qmp_capabilities}, then
 * synchronous commands. Asynchronous events arriving between replies are skipped.
 */
final class Qmp implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;

    private Qmp(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
    }

    /** Connects once QEMU has created the socket, within {@code timeout}; {@code alive} says whether to keep waiting. */
    static Qmp connect(Path socket, Duration timeout, java.util.function.BooleanSupplier alive)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline && alive.getAsBoolean()) {
            if (Files.exists(socket)) {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    Qmp qmp = new Qmp(ch);
                    JsonNode greeting = qmp.readMessage();
                    if (!greeting.has("QMP")) {
                        throw new IOException("unexpected QMP greeting: " + greeting);
                    }
                    qmp.execute("qmp_capabilities");
                    return qmp;
                } catch (IOException e) {
                    ch.close();
                    last = e;
                }
            }
            Thread.sleep(50);
        }
        throw new IOException("no QMP connection on " + socket + " within " + timeout
                + (alive.getAsBoolean() ? "" : " (QEMU exited)"), last);
    }

    /** Runs a command and returns its "return" member; an "error" reply throws with QEMU's text. */
    synchronized JsonNode execute(String command) throws IOException {
        ObjectNode req = JSON.createObjectNode().put("execute", command);
        out.write(JSON.writeValueAsBytes(req));
        out.write('\n');
        out.flush();
        while (true) {
            JsonNode msg = readMessage();
            if (msg.has("return")) {
                return msg.get("return");
            }
            if (msg.has("error")) {
                throw new IOException("QMP " + command + " failed: " + msg.get("error"));
            }
            // {"event": ...}: not ours.
        }
    }

    /** vCPU index to host thread id, from {@code query-cpus-fast}. */
    List<long[]> vcpuThreads() throws IOException {
        List<long[]> out = new ArrayList<>();
        for (JsonNode cpu : execute("query-cpus-fast")) {
            out.add(new long[] {cpu.get("cpu-index").asLong(), cpu.get("thread-id").asLong()});
        }
        return out;
    }

    private JsonNode readMessage() throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new IOException("QMP connection closed by QEMU");
        }
        return JSON.readTree(line);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

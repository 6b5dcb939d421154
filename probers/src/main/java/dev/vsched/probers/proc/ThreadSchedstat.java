package dev.vsched.probers.proc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A thread's /proc/.../schedstat: nanoseconds run on a CPU, nanoseconds spent runnable but waiting, and
 * the number of timeslices run (it grows each time the guest scheduler switches the thread in).
 */
public record ThreadSchedstat(long runNs, long waitNs, long timeslices) {

    public static ThreadSchedstat parse(String text, String source) {
        String[] f = text.strip().split("\\s+");
        if (f.length < 3) {
            throw new IllegalArgumentException(source + ": expected 3 fields (run_ns wait_ns timeslices), got '"
                    + text.strip() + "'");
        }
        try {
            return new ThreadSchedstat(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": non-numeric field in '" + text.strip() + "'");
        }
    }

    /**
     * Re-reads one thread's schedstat through a file kept open: a pread at offset 0 regenerates the
     * procfs text, costing one syscall and no allocation in the probe loop.
     */
    public static final class Reader implements AutoCloseable {
        private final FileChannel channel;
        private final ByteBuffer buf = ByteBuffer.allocate(128);
        private final String source;
        private final long[] fields = new long[3];

        public Reader(Path file) throws IOException {
            this.channel = FileChannel.open(file, StandardOpenOption.READ);
            this.source = file.toString();
        }

        /** For the calling thread. */
        public static Reader ofCurrentThread() throws IOException {
            return new Reader(Path.of("/proc/thread-self/schedstat"));
        }

        /** The third field (timeslices) without allocating; -1 if unreadable. */
        public long timeslices() {
            return field(2);
        }

        /** The first field (run ns) without allocating; -1 if unreadable. */
        public long runNs() {
            return field(0);
        }

        /**
         * All three fields into {@code out} (run ns, wait ns, timeslices) with one read and no
         * allocation; false (and {@code out} unchanged) if the file was unreadable or short.
         */
        public boolean readInto(long[] out) {
            if (parseFields(fields) < 3) {
                return false;
            }
            System.arraycopy(fields, 0, out, 0, 3);
            return true;
        }

        private long field(int index) {
            return parseFields(fields) > index ? fields[index] : -1;
        }

        /** Fills {@code f} with the leading numeric fields; returns how many were read (0 on error). */
        private int parseFields(long[] f) {
            try {
                buf.clear();
                int n = channel.read(buf, 0);
                int field = 0;
                long value = 0;
                boolean inNumber = false;
                for (int i = 0; i < n && field < f.length; i++) {
                    byte c = buf.get(i);
                    if (c >= '0' && c <= '9') {
                        value = value * 10 + (c - '0');
                        inNumber = true;
                    } else if (inNumber) {
                        f[field++] = value;
                        value = 0;
                        inNumber = false;
                    }
                }
                if (inNumber && field < f.length) {
                    f[field++] = value;
                }
                return field;
            } catch (IOException e) {
                return 0;
            }
        }

        /** Full parse, allocating; for the start and end of a probe. */
        public ThreadSchedstat read() throws IOException {
            buf.clear();
            int n = channel.read(buf, 0);
            return parse(new String(buf.array(), 0, Math.max(n, 0), StandardCharsets.US_ASCII), source);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}

package dev.vsched.cli;

import dev.vsched.probers.probe.ProbeSession;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Draws probe progress on standard error when it is a terminal; silent otherwise, so pipes and --json
 * consumers see only the report. Redraws at most every 100 ms from a daemon thread so the probe threads
 * themselves never write to the terminal.
 */
final class TerminalProgress implements ProbeSession.ProgressListener, AutoCloseable {
    private final PrintStream err;
    private final boolean enabled;
    private volatile String phase = "";
    private volatile long phaseStart;
    private volatile long expectedNs;
    private final Thread painter;

    private TerminalProgress(PrintStream err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
        this.painter = enabled ? Thread.ofPlatform().daemon().name("vsched-progress").start(this::paint) : null;
    }

    static TerminalProgress forStderr() {
        java.io.Console console = System.console();
        return new TerminalProgress(System.err, console != null && console.isTerminal());
    }

    @Override
    public void phase(String description, long expected) {
        phase = description;
        expectedNs = expected;
        phaseStart = System.nanoTime();
    }

    @Override
    public void message(String text) {
        if (enabled) {
            synchronized (err) {
                err.print("\r\033[K" + text + "\n");
            }
        }
    }

    private void paint() {
        while (!Thread.currentThread().isInterrupted()) {
            String p = phase;
            if (!p.isEmpty() && !"done".equals(p)) {
                double elapsed = (System.nanoTime() - phaseStart) / 1e9;
                String line = expectedNs > 0
                        ? String.format(Locale.ROOT, "probing: %s %.1f/%.1f s", p, elapsed, expectedNs / 1e9)
                        : "probing: " + p;
                synchronized (err) {
                    err.print("\r\033[K" + line);
                    err.flush();
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        if (enabled) {
            painter.interrupt();
            try {
                painter.join(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (err) {
                err.print("\r\033[K");
                err.flush();
            }
        }
    }
}

package dev.vsched.vm;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;

/**
 * How one guest boot ended: QEMU's exit code (empty if the harness had to kill it), whether the hard
 * timeout fired, the console log, the parsed ttyS1 results and the vCPU host thread ids it had.
 */
public record VmRun(String name, int attempt, OptionalInt qemuExit, boolean timedOut, Duration elapsed,
        String console, GuestResult result, Map<Integer, Integer> vcpuThreads) {

    /** The guest test's own log ({@code <test>.log} under $VSCHED_OUT), or a note that it is missing. */
    public String guestLog() {
        return result.testName() == null ? "(no guest test log)"
                : result.text(result.testName() + ".log").orElse("(guest sent no " + result.testName() + ".log)");
    }

    /** A multi-line description for failure messages: outcome, results summary, guest log and console tails. */
    public String describe() {
        return name + " attempt " + attempt + ": "
                + (timedOut ? "killed at the hard timeout" : "QEMU exit " + (qemuExit.isPresent() ? qemuExit.getAsInt() : "?"))
                + " after " + elapsed.toMillis() + " ms; " + result.summary()
                + "\n--- guest test log (tail) ---\n" + ConsoleLog.tail(guestLog(), 30)
                + "\n--- console ttyS0 (tail) ---\n" + ConsoleLog.tail(console, 40);
    }
}

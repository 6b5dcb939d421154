package dev.vsched.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The scheduler under minutes of a stress-ng mix (bpf/tests/sched-stress.sh) in the eval image, which
 * has stress-ng: movable hogs with affinity churn, yield, switch, fork, futex, timer sleeps and pipes,
 * plus work pinned to the vCPU RWC hides and a periodic real-time task on vCPU 0. The kernel must never
 * eject the scheduler.
 */
@Execution(ExecutionMode.CONCURRENT)
@Order(0)
@ResourceLock(value = VmTestSupport.HOST_CPUS, mode = ResourceAccessMode.READ)
class SchedStressIT extends VmTestSupport {
    private static final int STRESS_SECONDS = 150;

    @Test
    void stressMixRunsForMinutesWithoutEjection() throws Exception {
        VmSpec spec = VmSpec.ofEval(IMAGES, "7.2", "sched-stress", 4, Duration.ofSeconds(STRESS_SECONDS + 270))
                .withParams(Map.of("stress_secs", Integer.toString(STRESS_SECONDS)));
        VmRun run = GuestRunner.run(spec);
        String checks = run.result().text("checks.txt")
                .orElseGet(() -> fail("checks.txt missing from sched-stress\n" + run.describe()));
        String context = "\nchecks.txt:\n" + checks + "\n" + run.describe();
        List<String> failed = checks.lines().filter(l -> l.startsWith("FAIL")).toList();
        assertEquals(List.of(), failed, "failed checks" + context);
        assertTrue(checks.contains("ok   samples_not_attached=0"), "attachment sampled every second" + context);
        // the mix really ran: each group's stressors are listed with their progress
        for (String s : List.of("stress-movable/affinity", "stress-movable/cpu", "stress-movable/switch",
                "stress-hidden/cpu", "stress-cpu0/cyclic")) {
            assertTrue(checks.contains("ok   " + s + " bogo_ops="), s + " made progress" + context);
        }
        assertEquals(0, run.result().rc().orElseThrow(), "guest test exit status" + context);
    }
}

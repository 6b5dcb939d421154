package dev.vsched.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The kernel side in real guests, with the real verifier and module: the guest tests of bpf/ and kmod/
 * (see bpf/README.md), each writing one ok/FAIL line per check to checks.txt. The load-sensitive
 * placement tests (sched-bvs, sched-ivh) are not part of the suite. The 2-vCPU ones share a boot per
 * kernel with other functional tests ({@link SharedBoots}).
 */
@Order(2)
@ResourceLock(value = VmTestSupport.HOST_CPUS, mode = ResourceAccessMode.READ)
class KernelSideIT extends VmTestSupport {
    private static final Duration TIMEOUT = Duration.ofSeconds(300);

    @ParameterizedTest(name = "{1} on {0}")
    @CsvSource({
        "7.2, sched-basic, 4",
        "7.2, sched-edge, 2",
        "7.2, kmod-basic, 2",
        "6.1, kmod-basic, 2",
        "6.1, sched-vact, 2"})
    void guestChecksAllPass(String series, String test, int vcpus) throws Exception {
        VmRun run = SharedBoots.run(series, test, vcpus, TIMEOUT);
        String checks = run.result().text("checks.txt")
                .orElseGet(() -> fail("checks.txt missing from " + test + "\n" + run.describe()));
        List<String> failed = checks.lines().filter(l -> l.startsWith("FAIL")).toList();
        String context = "\nchecks.txt:\n" + checks + "\n" + run.describe();
        assertTrue(checks.lines().anyMatch(l -> l.startsWith("ok")), "no check ran" + context);
        assertEquals(List.of(), failed, test + " on " + series + ": failed checks" + context);
        assertEquals(0, run.result().rc().orElseThrow(), "guest test exit status" + context);
    }
}

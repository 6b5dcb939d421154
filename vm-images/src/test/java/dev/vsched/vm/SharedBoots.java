package dev.vsched.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Functional guest tests that share a boot: one thread=single guest runs several guest tests in turn
 * (guest-tests/each.sh), and each VM test reads its own part as if it had booted alone: its files, its
 * log, its exit status. The boot happens once per JVM, for whichever test asks first; a boot that failed
 * fails every test that asks for it, naming the cause. Only tests that leave the guest as they found it
 * go here (each.sh runs them in the listed order; a later one sees what an earlier one left).
 */
final class SharedBoots {

    /** One shared boot: a kernel series, its vCPUs, the guest tests in order, their parameters, a hard timeout. */
    record Boot(String name, String series, int vcpus, List<String> tests, Map<String, String> params,
            Duration timeout) {
        VmSpec spec() {
            Map<String, String> p = new LinkedHashMap<>(params);
            p.put("tests", String.join(" ", tests));
            return VmSpec.of(VmTestSupport.IMAGES, series, "each", vcpus, timeout).withParams(p);
        }
    }

    /**
     * 7.2, 2 vCPUs: BootIT's boot facts first (nothing loaded or attached yet), KernelSideIT's sched-edge
     * and kmod-basic, AgentSchedExtIT's agent death and ejection last (it ejects a scheduler with SysRq-S).
     */
    static final Boot FUNCTIONAL_72 = new Boot("functional-7.2", "7.2", 2,
            List.of("boot-check", "sched-edge", "kmod-basic", "agent-schedext-exit"), Map.of(),
            Duration.ofSeconds(900));

    /** 6.1, 2 vCPUs: BootIT's boot facts, KernelSideIT's kmod-basic and sched-vact, ProbeIT's probe. */
    static final Boot FUNCTIONAL_61 = new Boot("functional-6.1", "6.1", 2,
            List.of("boot-check", "kmod-basic", "sched-vact", "probe"), Map.of("probe_args", ProbeIT.PROBE_ARGS),
            Duration.ofSeconds(600));

    private static final Map<String, VmRun> RUNS = new HashMap<>();
    private static final Map<String, Throwable> FAILED = new HashMap<>();

    private SharedBoots() {
    }

    /**
     * Guest test {@code test} on {@code series} with {@code vcpus}: its part of the shared boot that runs it
     * so, else a boot of its own with {@code timeout}.
     */
    static VmRun run(String series, String test, int vcpus, Duration timeout) throws IOException, InterruptedException {
        for (Boot b : List.of(FUNCTIONAL_72, FUNCTIONAL_61)) {
            if (b.series().equals(series) && b.vcpus() == vcpus && b.tests().contains(test)) {
                return part(b, test);
            }
        }
        return GuestRunner.run(VmSpec.of(VmTestSupport.IMAGES, series, test, vcpus, timeout));
    }

    /**
     * Guest test {@code test}'s part of the shared boot, as a run of its own: its files (without the
     * {@code test/} prefix), its exit status, the whole boot's console. Its rc is empty when the boot ended
     * before the test finished.
     */
    static synchronized VmRun part(Boot boot, String test) throws IOException, InterruptedException {
        if (!boot.tests().contains(test)) {
            throw new IllegalArgumentException(test + " is not part of the shared boot " + boot.name());
        }
        if (FAILED.containsKey(boot.name())) {
            throw new AssertionError("the shared boot " + boot.name() + " failed in an earlier test",
                    FAILED.get(boot.name()));
        }
        VmRun whole = RUNS.get(boot.name());
        if (whole == null) {
            try {
                whole = GuestRunner.run(boot.spec());
            } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
                FAILED.put(boot.name(), e);
                throw e;
            }
            RUNS.put(boot.name(), whole);
        }
        String prefix = test + "/";
        Map<String, byte[]> files = new LinkedHashMap<>();
        whole.result().files().forEach((path, bytes) -> {
            if (path.startsWith(prefix)) {
                files.put(path.substring(prefix.length()), bytes);
            }
        });
        byte[] rcFile = files.remove("rc");
        OptionalInt rc = rcFile == null ? OptionalInt.empty()
                : OptionalInt.of(Integer.parseInt(new String(rcFile, StandardCharsets.UTF_8).strip()));
        GuestResult part = new GuestResult(test, files, rc, whole.result().problems());
        return new VmRun(whole.name() + "/" + test, whole.attempt(), whole.qemuExit(), whole.timedOut(),
                whole.elapsed(), whole.console(), part, whole.vcpuThreads());
    }
}

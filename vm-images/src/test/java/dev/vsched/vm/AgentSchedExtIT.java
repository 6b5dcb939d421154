package dev.vsched.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * {@code vsched agent} in sched_ext mode in 7.2 guests. With a host layout stacking vCPUs {0,1} and {2,3}
 * (guest-tests/agent-schedext.sh): the agent attaches the vsched scheduler, feeds it a plan hiding one
 * vCPU of each stacked pair, its counters move; unpinned busy loops never run on a hidden vCPU while a loop
 * pinned to one still runs; SIGTERM detaches. In a thread=single guest (agent-schedext-exit.sh: every
 * sched_ext enable/disable patches kernel text, which multi-threaded TCG sometimes turns into an int3
 * oops, so the layout boot keeps to one cycle): kill -9 leaves the kernel on its default scheduler with a
 * running workload completing; an ejected scheduler (SysRq-S) makes the agent fall back to cpusets.
 */
@Order(10)
@ResourceLock(value = VmTestSupport.HOST_CPUS, mode = ResourceAccessMode.READ_WRITE)
class AgentSchedExtIT extends VmTestSupport {
    private static final Duration TIMEOUT = Duration.ofSeconds(600);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static long statSum(JsonNode status) {
        long sum = 0;
        for (JsonNode v : status.get("scheduler").get("stats")) {
            sum += v.asLong();
        }
        return sum;
    }

    @Test
    void agentDrivesTheSchedulerAndKeepsMovableWorkOffHiddenVcpus() throws Exception {
        VmSpec spec = VmSpec.of(IMAGES, "7.2", "agent-schedext", 4, TIMEOUT).withLayout(Layouts.STANDARD);
        VmRun run = GuestRunner.run(spec);
        StringBuilder ctx = new StringBuilder("\n" + run.describe());
        for (String log : List.of("agent-schedext.log", "agent-1.log")) {
            ctx.append("\n").append(log).append(":\n").append(run.result().text(log).orElse("(none)"));
        }
        String context = ctx.toString();
        final String base = context;
        assertEquals(0, run.result().rc().orElseThrow(), "guest script failed" + context);

        // attached and fed
        Map<String, String> attached = AgentCpusetIT.lines(run, "attached.txt");
        assertEquals("enabled", attached.get("state"), "sched_ext state while the agent runs" + context);
        assertEquals("vsched", attached.get("ops"), "sched_ext root ops while the agent runs" + context);
        JsonNode s1 = JSON.readTree(run.result().text("status-1.json").orElseThrow());
        JsonNode s2 = JSON.readTree(run.result().text("status-2.json").orElseThrow());
        context += "\nstatus-2.json:\n" + s2.toPrettyString();
        assertEquals("sched_ext", s1.get("mode").asText(), context);
        JsonNode sched = s2.get("scheduler");
        assertTrue(sched.get("attached").asBoolean(), "status shows the scheduler attached" + context);
        assertEquals("enabled", sched.get("state").asText(), context);
        assertEquals("vsched", sched.get("ops").asText(), context);
        assertEquals(0, sched.get("exit").get("kind").asLong(), "no exit recorded while running" + context);
        assertTrue(sched.get("cpu_cfg_seq").asLong() > s1.get("scheduler").get("cpu_cfg_seq").asLong(),
                "the agent keeps rewriting vs_cpu_cfg and bumping cpu_cfg_seq" + context);
        assertTrue(statSum(s2) > statSum(s1), "scheduler counters moved between the two statuses: "
                + s1.get("scheduler").get("stats") + " -> " + sched.get("stats") + context);
        assertTrue(s2.get("scheduler").get("stats").get("rwc_avoid").asLong() > 0,
                "RWC kept work off hidden vCPUs at least once" + context);
        assertTrue(s2.get("scheduler").get("stats").get("rwc_pinned").asLong() > 0,
                "the loop pinned to a hidden vCPU went to that vCPU's own queue" + context);
        JsonNode st2 = s2.get("scheduler").get("stats");
        assertTrue(st2.get("bvs_pick").asLong() + st2.get("bvs_keep").asLong() > 0,
                "BVS placed light wakeups (the shells, the status JVMs) on the stacked guest" + context);
        String text = run.result().text("status-text.txt").orElseThrow();
        assertTrue(text.contains("scheduler: vsched enabled"), "text status has the scheduler line:\n" + text);

        List<Set<Integer>> stacked = new ArrayList<>();
        s1.get("topology").get("stacked_groups").forEach(g -> {
            Set<Integer> s = new TreeSet<>();
            g.forEach(c -> s.add(c.asInt()));
            stacked.add(s);
        });
        // vTOP's accuracy is LayoutIT's and AgentCpusetIT's subject (under TCG it has missed the 70/30 pair
        // {0,1} once here); this test needs what the agent found to be real and acted on exactly.
        assertFalse(stacked.isEmpty(), "vTOP found a stacked group" + context);
        for (Set<Integer> g : stacked) {
            assertTrue(g.equals(Set.of(0, 1)) || g.equals(Set.of(2, 3)), "stacked group " + g
                    + " is one the host imposed ({0,1} or {2,3})" + context);
        }
        Set<Integer> usable = AgentCpusetIT.cpus(s1.get("rwc").get("applied").asText());
        // the loops below are judged against this plan: it must be the one in force while they were sampled
        // (status-2 is taken after the samples; plan_changes also counts a change that was undone)
        assertEquals(s1.get("rwc").get("plan_changes").asLong(), s2.get("rwc").get("plan_changes").asLong(),
                "the plan did not change between the statuses before and after the samples" + context);
        Set<Integer> hidden = new TreeSet<>(Set.of(0, 1, 2, 3));
        hidden.removeAll(usable);
        assertEquals(4 - stacked.size(), usable.size(), "one vCPU of each stacked group usable: " + usable + context);
        for (Set<Integer> g : stacked) {
            assertEquals(1, g.stream().filter(usable::contains).count(), "one usable vCPU in " + g + context);
        }
        assertEquals(AgentCpusetIT.cpus(attached.get("hidden").strip().replace(' ', ',')), hidden,
                "the guest script hid what the status says" + context);

        // movable work stays off hidden vCPUs, pinned work there still runs
        String samples = run.result().text("samples.txt").orElseGet(() -> fail("samples.txt missing" + base));
        int pinned = -1;
        int pinnedCpu = -1;
        Map<Integer, List<long[]>> byPid = new HashMap<>();
        for (String l : samples.split("\n")) {
            String[] f = l.strip().split("\\s+");
            if (l.startsWith("pinned=")) {
                pinned = Integer.parseInt(f[0].substring("pinned=".length()));
                pinnedCpu = Integer.parseInt(f[1].substring("cpu=".length()));
            } else if (l.startsWith("sample ") && f.length == 5) {
                byPid.computeIfAbsent(Integer.parseInt(f[2]), k -> new ArrayList<>())
                        .add(new long[] {Long.parseLong(f[3]), Long.parseLong(f[4])});
            }
        }
        assertTrue(hidden.contains(pinnedCpu), "pinned loop on a hidden vCPU\n" + samples);
        assertEquals(5, byPid.size(), "samples of the pinned loop and 4 unpinned loops\n" + samples);
        for (Map.Entry<Integer, List<long[]>> e : byPid.entrySet()) {
            List<long[]> v = e.getValue();
            assertEquals(25, v.size(), "25 samples of pid " + e.getKey() + "\n" + samples);
            if (e.getKey() == pinned) {
                for (long[] x : v) {
                    assertEquals(pinnedCpu, x[0], "the pinned loop stays on its hidden vCPU\n" + samples);
                }
                assertTrue(v.getLast()[1] > v.getFirst()[1],
                        "the loop pinned to hidden vCPU " + pinnedCpu + " still gets CPU time\n" + samples);
            } else {
                for (long[] x : v) {
                    assertFalse(hidden.contains((int) x[0]), "unpinned loop " + e.getKey() + " ran on hidden vCPU "
                            + x[0] + " (hidden " + hidden + ")\n" + samples);
                }
                assertTrue(v.getLast()[1] > v.getFirst()[1], "unpinned loop " + e.getKey() + " runs\n" + samples);
            }
        }

        // SIGTERM detaches
        Map<String, String> detached = AgentCpusetIT.lines(run, "detached.txt");
        assertEquals("143", detached.get("agent1_rc"), "agent exit status on SIGTERM" + context);
        assertEquals("disabled", detached.get("state"), "SIGTERM detached the scheduler" + context);

    }

    @Test
    void agentDeathAndEjectionLeaveNoHalfState() throws Exception {
        VmRun run = SharedBoots.part(SharedBoots.FUNCTIONAL_72, "agent-schedext-exit");
        StringBuilder ctx = new StringBuilder("\n" + run.describe());
        for (String log : List.of("agent-schedext-exit.log", "agent-1.log", "agent-2.log")) {
            ctx.append("\n").append(log).append(":\n").append(run.result().text(log).orElse("(none)"));
        }
        String context = ctx.toString();
        assertEquals(0, run.result().rc().orElseThrow(), "guest script failed" + context);

        // kill -9: the kernel detaches when the process (and its struct_ops link fd) is gone
        Map<String, String> killed = AgentCpusetIT.lines(run, "kill9.txt");
        assertEquals("yes", killed.get("disabled_after_kill9"), "kernel back on its default scheduler\n" + killed);
        assertEquals("disabled", killed.get("state"), killed.toString());
        assertEquals("0", killed.get("workload_rc"), "a workload started before kill -9 completes\n" + killed);

        // ejected by the kernel: fall back to cpusets, say why
        JsonNode fb = JSON.readTree(run.result().text("fallback-status.json").orElseThrow());
        context += "\nfallback-status.json:\n" + fb.toPrettyString();
        assertEquals("cpuset", fb.get("mode").asText(), context);
        JsonNode fs = fb.get("scheduler");
        assertNotNull(fs, context);
        assertFalse(fs.get("attached").asBoolean(), context);
        assertTrue(fs.get("stopped").asText().startsWith("sched_ext state ")
                && fs.get("stopped").asText().contains("sysrq-S"), "the status says why it stopped" + context);
        assertTrue(fb.get("rwc_backend").asText().contains("work.slice"), context);
        Map<String, String> fallback = AgentCpusetIT.lines(run, "fallback.txt");
        assertEquals("disabled", fallback.get("state"), context);
        assertEquals("143", fallback.get("agent2_rc"), context);
        assertTrue(run.result().text("agent-2.log").orElse("").contains("the sched_ext scheduler stopped"),
                "the agent logged why" + context);
    }
}

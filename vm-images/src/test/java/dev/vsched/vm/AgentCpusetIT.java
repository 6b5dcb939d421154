package dev.vsched.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * {@code vsched agent} in cpuset mode inside a 7.2 guest whose host layout stacks vCPUs {0,1} and {2,3}
 * (guest-tests/agent-cpuset.sh): the agent must find both stacked groups, leave one vCPU of each usable,
 * narrow work.slice and its busy loops to exactly those, restore the cgroup on SIGTERM, and after kill -9
 * the next agent must repair before acting.
 */
@Order(10)
@ResourceLock(value = VmTestSupport.HOST_CPUS, mode = ResourceAccessMode.READ_WRITE)
class AgentCpusetIT extends VmTestSupport {
    private static final Duration TIMEOUT = Duration.ofSeconds(600);

    static Map<String, String> lines(VmRun run, String file) {
        String text = run.result().text(file).orElseGet(() -> fail(file + " missing\n" + run.describe()));
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String l : text.split("\n")) {
            if (l.startsWith("loop ")) {
                String[] f = l.split(" ");
                out.put("loop " + f[1], f[2].replace("Cpus_allowed_list:", ""));
            } else if (l.contains("=")) {
                out.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
            }
        }
        return out;
    }

    static Set<Integer> cpus(String list) {
        Set<Integer> out = new TreeSet<>();
        if (list.isBlank()) {
            return out;
        }
        for (String part : list.strip().split(",")) {
            String[] r = part.split("-");
            for (int c = Integer.parseInt(r[0]); c <= Integer.parseInt(r[r.length - 1]); c++) {
                out.add(c);
            }
        }
        return out;
    }

    @Test
    void agentHidesStackedDuplicatesThroughCpusetsAndRestoresThem() throws Exception {
        HostLayout layout = Layouts.STANDARD;
        VmSpec spec = VmSpec.of(IMAGES, "7.2", "agent-cpuset", 4, TIMEOUT).withLayout(layout);
        VmRun run = GuestRunner.run(spec);
        String context = "\n" + run.describe() + "\nagent-1.log:\n" + run.result().text("agent-1.log").orElse("")
                + "\nagent-cpuset.log:\n" + run.result().text("agent-cpuset.log").orElse("");
        assertEquals(0, run.result().rc().orElseThrow(), "guest script failed" + context);

        JsonNode status = new ObjectMapper().readTree(run.result().text("status.json").orElseThrow());
        context += "\nstatus.json:\n" + status.toPrettyString();
        assertEquals("cpuset", status.get("mode").asText(), context);
        List<Set<Integer>> stacked = new ArrayList<>();
        status.get("topology").get("stacked_groups").forEach(g -> {
            Set<Integer> s = new TreeSet<>();
            g.forEach(c -> s.add(c.asInt()));
            stacked.add(s);
        });
        assertEquals(List.of(Set.of(0, 1), Set.of(2, 3)), stacked, "stacked groups as the host imposed" + context);
        Set<Integer> usable = cpus(status.get("rwc").get("usable").asText());
        assertEquals(2, usable.size(), "one vCPU of each stacked pair" + context);
        assertTrue(usable.stream().filter(c -> c < 2).count() == 1 && usable.stream().filter(c -> c >= 2).count() == 1,
                "one usable vCPU in {0,1} and one in {2,3}: " + usable + context);

        Map<String, String> narrowed = lines(run, "narrowed.txt");
        assertEquals(usable, cpus(narrowed.get("cpuset.cpus")), "work.slice narrowed to the plan" + context);
        narrowed.forEach((k, v) -> {
            if (k.startsWith("loop ")) {
                assertEquals(usable, cpus(v), k + " runs only on usable vCPUs" + "\n" + narrowed);
            }
        });
        // 128 + SIGTERM: the JVM reports the signal after the shutdown hook restored everything.
        assertEquals("143", narrowed.get("agent1_rc"), "agent exit status on SIGTERM" + context);

        Map<String, String> restored = lines(run, "restored.txt");
        assertEquals("", restored.get("cpuset.cpus").strip(), "cgroup v2 cpuset back to 'inherit'" + context);
        assertEquals(Set.of(0, 1, 2, 3), cpus(restored.get("cpuset.cpus.effective")), context);

        Map<String, String> killed = lines(run, "after-kill9.txt");
        assertFalse(killed.get("cpuset.cpus").isBlank(), "kill -9 leaves the cgroup narrowed" + context);
        JsonNode repaired = new ObjectMapper().readTree(run.result().text("repaired-status.json").orElseThrow());
        assertTrue(repaired.get("repaired_at_start").toString().contains("work.slice/cpuset.cpus"),
                "the next agent repaired first: " + repaired.get("repaired_at_start") + context);
        assertEquals("", lines(run, "final.txt").get("cpuset.cpus").strip(), "restored at the end" + context);
    }
}

package dev.vsched.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vsched.agent.rwc.CgroupCpusets;
import dev.vsched.agent.status.StatusServer;
import dev.vsched.probers.proc.CpuList;
import dev.vsched.probers.sys.Threads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code vsched agent} process on this machine, acting through a real cpuset cgroup that holds a
 * real process: it narrows the cgroup, shows it in {@code vsched status}, restores it on SIGTERM, and after
 * kill -9 the next start repairs it.
 */
class AgentIT {
    static final Path JAR = Path.of("target", "vsched.jar");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    CgroupCpusets cgroups;
    Path group;
    String original;
    Process sleeper;
    final List<Process> agents = new ArrayList<>();

    @BeforeEach
    void cgroup() throws Exception {
        Optional<CgroupCpusets> found = CgroupCpusets.detect();
        assumeTrue(found.isPresent(), "no cpuset cgroup hierarchy on this machine");
        cgroups = found.get();
        group = Files.createDirectory(cgroups.root().resolve("vsched-it-" + ProcessHandle.current().pid()));
        if (!cgroups.v2()) {
            Files.writeString(group.resolve("cpuset.cpus"), Files.readString(cgroups.root().resolve("cpuset.cpus")));
            Files.writeString(group.resolve("cpuset.mems"), Files.readString(cgroups.root().resolve("cpuset.mems")));
        }
        original = Files.readString(group.resolve("cpuset.cpus")).strip();
        sleeper = new ProcessBuilder("sleep", "300").start();
        Files.writeString(group.resolve(cgroups.v2() ? "cgroup.procs" : "tasks"), Long.toString(sleeper.pid()));
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : agents) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (sleeper != null) {
            sleeper.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (group != null) {
            Files.deleteIfExists(group);
        }
    }

    Process agent() throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toString(),
                "agent", "--set", "rwc.cpuset_slices=" + group.getFileName(), "--set", "agent.run_dir=" + tmp,
                // Every vCPU short of the best one is a "straggler": RWC must act on any machine.
                "--set", "rwc.straggler_fraction=1.0", "--set", "rwc.hysteresis_rounds=1",
                "--set", "probe.period=200ms", "--set", "vtop.revalidate=0s");
        pb.redirectErrorStream(true).redirectOutput(tmp.resolve("agent-" + agents.size() + ".log").toFile());
        Process p = pb.start();
        agents.add(p);
        return p;
    }

    JsonNode awaitStatus(Process agent, Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = "(none)";
        while (System.nanoTime() < deadline) {
            assertTrue(agent.isAlive(), "agent died: " + log());
            try {
                JsonNode s = JSON.readTree(StatusServer.fetch(tmp.resolve(StatusServer.SOCKET)));
                last = s.toString();
                if (until.test(s)) {
                    return s;
                }
            } catch (IOException e) {
                last = e.getMessage();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("agent status never matched; last: " + last + "\n" + log());
    }

    String log() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < agents.size(); i++) {
            Path f = tmp.resolve("agent-" + i + ".log");
            sb.append("--- agent ").append(i).append(":\n").append(Files.exists(f) ? Files.readString(f) : "");
        }
        return sb.toString();
    }

    static boolean narrowed(JsonNode s) {
        JsonNode applied = s.get("rwc").get("applied");
        return !applied.isNull() && CpuList.parse(applied.asText()).cardinality() == 1;
    }

    String cpus() throws IOException {
        return Files.readString(group.resolve("cpuset.cpus")).strip();
    }

    @Test
    void narrowsTheSliceShowsItAndRestoresItOnSigterm() throws Exception {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "RWC needs two vCPUs to leave one out");
        Process a = agent();
        JsonNode s = awaitStatus(a, AgentIT::narrowed);
        assertEquals(StatusServer.SCHEMA, s.get("schema").asText());
        assertEquals("cpuset", s.get("mode").asText());
        assertEquals(Runtime.getRuntime().availableProcessors(), s.get("vcpus").size());
        JsonNode probed = awaitStatus(a, x -> !"not probed yet".equals(x.get("topology").get("state").asText()));
        assertTrue(probed.get("gap_threshold_measured").asBoolean(), "vTOP waits for a measured threshold: " + probed);
        String applied = s.get("rwc").get("applied").asText();
        // The plan may move on any round: compare only across a window in which the cgroup did not change.
        boolean compared = false;
        for (int i = 0; i < 10 && !compared; i++) {
            String before = cpus();
            JsonNode st = JSON.readTree(StatusServer.fetch(tmp.resolve(StatusServer.SOCKET)));
            java.util.BitSet affinity = Threads.affinity((int) sleeper.pid());
            if (before.equals(cpus())) {
                assertEquals(st.get("rwc").get("applied").asText(), CpuList.format(CpuList.parse(before)),
                        "the cgroup holds what the agent says it applied");
                assertEquals(CpuList.parse(before), affinity, "the process in the slice follows its cpuset");
                compared = true;
            }
        }
        assertTrue(compared, "the cgroup changed under every comparison");
        assertTrue(Files.exists(tmp.resolve(AgentState.FILE)));
        assertFalse(applied.isEmpty());

        a.destroy(); // SIGTERM
        assertTrue(a.waitFor(30, TimeUnit.SECONDS), "agent did not stop on SIGTERM: " + log());
        assertEquals(original, cpus(), "cpuset restored on SIGTERM");
        assertEquals(CpuList.parse(original), Threads.affinity((int) sleeper.pid()));
        assertFalse(Files.exists(tmp.resolve(AgentState.FILE)), "state file removed");
        assertFalse(Files.exists(tmp.resolve(StatusServer.SOCKET)), "socket removed");
    }

    @Test
    void afterKill9TheNextStartRepairsFirst() throws Exception {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "RWC needs two vCPUs to leave one out");
        Process a = agent();
        awaitStatus(a, AgentIT::narrowed);
        a.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9: no cleanup ran
        assertTrue(Files.exists(tmp.resolve(AgentState.FILE)), "a crashed agent leaves its record behind");

        Process b = agent();
        JsonNode s = awaitStatus(b, x -> x.get("round").asLong() >= 0);
        assertEquals(1, s.get("repaired_at_start").size(), s.toString());
        assertTrue(s.get("repaired_at_start").get(0).asText().endsWith("cpuset.cpus"), s.toString());
        b.destroy();
        assertTrue(b.waitFor(30, TimeUnit.SECONDS), "agent did not stop on SIGTERM: " + log());
        assertEquals(original, cpus());
    }

    @Test
    void aSecondAgentOnTheSameRunDirectoryIsRefused() throws Exception {
        Process a = agent();
        awaitStatus(a, x -> x.get("round").asLong() >= 0);
        Process b = agent();
        assertTrue(b.waitFor(60, TimeUnit.SECONDS));
        assertEquals(3, b.exitValue(), log());
        assertTrue(log().contains("another vsched agent (pid " + a.pid() + ") is running"), log());
        assertTrue(a.isAlive(), "the first agent is untouched");
        a.destroy();
        assertTrue(a.waitFor(30, TimeUnit.SECONDS));
        assertEquals(original, cpus());
    }
}

package dev.vsched.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentStateTest {
    @Test
    void restoresEveryRecordedFileOnACleanExit(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a"), "0-3\n");
        Path b = Files.writeString(dir.resolve("b"), "");
        AgentState s = AgentState.begin(dir.resolve("run"), "CPUSET");
        s.recordBeforeChange(a);
        Files.writeString(a, "0-1");
        s.recordBeforeChange(a); // recorded once: the original stays the first value
        Files.writeString(a, "0");
        s.recordBeforeChange(b);
        Files.writeString(b, "2");
        assertEquals(List.of(), s.restoreAll());
        assertEquals("0-3", Files.readString(a).strip());
        assertEquals("", Files.readString(b).strip());
        assertFalse(Files.exists(dir.resolve("run").resolve(AgentState.FILE)));
    }

    @Test
    void aDeadAgentsChangesAreRepairedAtTheNextStart(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("cpuset.cpus"), "0");
        Path run = Files.createDirectories(dir.resolve("run"));
        long dead = deadPid();
        Files.writeString(run.resolve(AgentState.FILE), new ObjectMapper().writeValueAsString(
                new AgentState.Snapshot(dead, "CPUSET", List.of(new AgentState.Change(a.toString(), "0-3")))));
        List<AgentState.Change> undone = AgentState.repair(run);
        assertEquals(1, undone.size());
        assertEquals("0-3", Files.readString(a).strip());
        assertFalse(Files.exists(run.resolve(AgentState.FILE)));
        assertEquals(List.of(), AgentState.repair(run), "nothing left to repair");
    }

    @Test
    void aLiveAgentIsNotRepairedAway(@TempDir Path dir) throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        Process p = new ProcessBuilder("sleep", "30").start();
        try {
            Files.writeString(run.resolve(AgentState.FILE), new ObjectMapper().writeValueAsString(
                    new AgentState.Snapshot(p.pid(), "CPUSET", List.of())));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> AgentState.repair(run));
            assertTrue(e.getMessage().contains("pid " + p.pid()), e.getMessage());
        } finally {
            p.destroy();
        }
    }

    @Test
    void aCorruptStateFileIsReportedNotIgnored(@TempDir Path dir) throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.writeString(run.resolve(AgentState.FILE), "{ not json");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> AgentState.repair(run));
        assertTrue(e.getMessage().contains(AgentState.FILE), e.getMessage());
    }

    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }
}

package dev.vsched.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentConfigTest {
    @Test
    void defaultsAreValidAndDocumented() {
        AgentConfig c = AgentConfig.defaultConfig();
        assertEquals(1_000_000_000L, c.probePeriodNs());
        assertEquals(3_000_000L, c.probeWindowNs());
        assertEquals(4_000_000_000L, c.probeSteadyPeriodNs());
        assertEquals(Set.of("bvs", "ivh", "rwc"), c.policies());
        assertEquals(List.of(), c.cpusetSlices());
        assertEquals("auto", c.mode());
        assertEquals(AgentConfig.keys().size(), AgentConfig.DEFAULTS.size());
    }

    @Test
    void readsAFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("agent.conf");
        Files.writeString(f, """
                # vsched agent
                probe.period = 500ms
                rwc.cpuset_slices = system.slice, user.slice/app
                rwc.straggler_fraction = 0.3
                sched.policies = BVS,rwc
                """);
        AgentConfig c = AgentConfig.load(f);
        assertEquals(500_000_000L, c.probePeriodNs());
        assertEquals(List.of("system.slice", "user.slice/app"), c.cpusetSlices());
        assertEquals(0.3, c.stragglerFraction(), 1e-9);
        assertEquals(Set.of("bvs", "rwc"), c.policies());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "probe.period = soon|probe.period = 'soon': expected a duration",
        "probe.window = 500ms|probe.period (1s) must be at least twice probe.calibration_window",
        "probe.steady_period = 500ms|probe.steady_period (500ms) must be at least probe.period (1s)",
        "rwc.straggler_fraction = 1.5|rwc.straggler_fraction = '1.5': expected a fraction",
        "rwc.enabled = maybe|rwc.enabled = 'maybe': expected true or false",
        "rwc.min_usable = 0|rwc.min_usable = '0': out of range",
        "rwc.cpuset_slices = ../etc|'../etc' is not a cgroup path",
        "sched.policies = bvs,fast|unknown policy 'fast'",
        "agent.mode = turbo|agent.mode: 'turbo' is not one of",
        "agent.run_dir = run|agent.run_dir = 'run': expected an absolute path",
        "rwc.stragler_fraction = 0.1|unknown key 'rwc.stragler_fraction'"})
    void badValuesAreRejectedNamingTheKey(String line, String expected) {
        AgentConfig.ConfigException e = assertThrows(AgentConfig.ConfigException.class,
                () -> AgentConfig.parse(line + "\n", "test.conf"));
        assertTrue(e.getMessage().startsWith("test.conf: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        Path f = dir.resolve("nope.conf");
        AgentConfig.ConfigException e = assertThrows(AgentConfig.ConfigException.class, () -> AgentConfig.load(f));
        assertTrue(e.getMessage().contains("nope.conf"), e.getMessage());
    }
}

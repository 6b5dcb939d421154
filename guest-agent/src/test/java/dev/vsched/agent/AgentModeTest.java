package dev.vsched.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.vsched.probers.proc.SchedExtSysfs;
import org.junit.jupiter.api.Test;

/**
 * Mode selection where the scheduler cannot run (this host's kernel has no sched_ext): auto falls back,
 * sched_ext refuses with the reason. The 7.2 guest covers the attaching side (vm-images AgentSchedExtIT).
 */
class AgentModeTest {
    private static AgentConfig config(String extra) {
        return AgentConfig.parse("agent.mode=" + extra + "\n", "test.conf");
    }

    @Test
    void autoFallsBackWithoutSchedExt() {
        assumeFalse(SchedExtSysfs.present(), "this kernel has sched_ext");
        assertNull(Agent.attachSchedExt(config("auto")));
        assertEquals(Agent.Mode.PROBE_ONLY, Agent.fallbackMode(config("auto")));
        AgentConfig withSlices = AgentConfig.parse("agent.mode=auto\nrwc.cpuset_slices=work.slice\n", "test.conf");
        assertEquals(Agent.Mode.CPUSET, Agent.fallbackMode(withSlices));
    }

    @Test
    void requiredSchedExtSaysWhyNot() {
        assumeFalse(SchedExtSysfs.present(), "this kernel has sched_ext");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Agent.attachSchedExt(config("sched_ext")));
        assertTrue(e.getMessage().startsWith("agent.mode=sched_ext: cannot attach the scheduler: this kernel has "
                + "no sched_ext"), e.getMessage());
    }

    @Test
    void cpusetModeNeedsSlices() {
        AgentConfig.ConfigException e = assertThrows(AgentConfig.ConfigException.class,
                () -> Agent.fallbackMode(config("cpuset")));
        assertTrue(e.getMessage().contains("rwc.cpuset_slices"), e.getMessage());
    }
}

package dev.vsched.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.vsched.agent.backend.Mode;
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
        assertNull(ModeSelection.attachSchedExt(config("auto")));
        assertEquals(Mode.PROBE_ONLY, ModeSelection.fallbackMode(config("auto")));
        AgentConfig withSlices = AgentConfig.parse("agent.mode=auto\nrwc.cpuset_slices=work.slice\n", "test.conf");
        assertEquals(Mode.CPUSET, ModeSelection.fallbackMode(withSlices));
    }

    @Test
    void requiredSchedExtSaysWhyNot() {
        assumeFalse(SchedExtSysfs.present(), "this kernel has sched_ext");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ModeSelection.attachSchedExt(config("sched_ext")));
        assertTrue(e.getMessage().startsWith("agent.mode=sched_ext: cannot attach the scheduler: this kernel has "
                + "no sched_ext"), e.getMessage());
    }

    @Test
    void cpusetModeNeedsSlices() {
        AgentConfig.ConfigException e = assertThrows(AgentConfig.ConfigException.class,
                () -> ModeSelection.fallbackMode(config("cpuset")));
        assertTrue(e.getMessage().contains("rwc.cpuset_slices"), e.getMessage());
    }
}

package dev.vsched.agent;

import dev.vsched.agent.backend.Backend;
import dev.vsched.agent.backend.Mode;
import dev.vsched.agent.backend.ProbeOnlyBackend;
import dev.vsched.agent.bpf.BpfException;
import dev.vsched.agent.rwc.CgroupCpusets;
import dev.vsched.agent.rwc.CpusetBackend;
import dev.vsched.agent.sched.SchedExtBackend;
import dev.vsched.probers.proc.SchedExtSysfs;
import java.io.IOException;
import java.nio.file.Files;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which backend the agent acts through: agent.mode=auto takes the sched_ext scheduler when the kernel has
 * it and it attaches, else cpusets when slices are configured, else probing only; sched_ext and cpuset
 * require theirs. When the scheduler stops under a running agent, {@link #fallback} picks the next one.
 */
final class ModeSelection {
    private static final Logger LOG = LoggerFactory.getLogger(ModeSelection.class);

    private ModeSelection() {
    }

    /**
     * The attached scheduler, or null for the fallback. auto: sched_ext when the kernel has it, the object
     * exists and libbpf loads and attaches it, else one log line saying why not; sched_ext: required.
     */
    static Backend attachSchedExt(AgentConfig config) {
        switch (config.mode()) {
            case "cpuset" -> {
                fallbackMode(config);
                return null;
            }
            case "sched_ext" -> {
                try {
                    return SchedExtBackend.attach(config.bpfObject(), config.policies());
                } catch (IOException | BpfException | RuntimeException e) {
                    throw new IllegalStateException("agent.mode=sched_ext: cannot attach the scheduler: "
                            + e.getMessage(), e);
                }
            }
            default -> {
                String why;
                if (!SchedExtSysfs.present()) {
                    why = "this kernel has no sched_ext";
                } else if (!Files.isRegularFile(config.bpfObject())) {
                    why = "no scheduler object at " + config.bpfObject();
                } else {
                    try {
                        return SchedExtBackend.attach(config.bpfObject(), config.policies());
                    } catch (IOException | BpfException | RuntimeException e) {
                        why = "the scheduler could not be attached: " + e.getMessage();
                    }
                }
                LOG.info("agent.mode=auto: not using sched_ext ({}): using {}", why,
                        fallbackMode(config) == Mode.CPUSET ? "cgroup cpusets" : "probers only");
                return null;
            }
        }
    }

    /** Without the scheduler: cpusets if slices are configured, else probing only. */
    static Mode fallbackMode(AgentConfig config) {
        boolean canCpuset = config.rwcEnabled() && !config.cpusetSlices().isEmpty();
        if ("cpuset".equals(config.mode()) && !canCpuset) {
            throw new AgentConfig.ConfigException("agent.mode=cpuset needs rwc.enabled=true and "
                    + "rwc.cpuset_slices");
        }
        return canCpuset ? Mode.CPUSET : Mode.PROBE_ONLY;
    }

    /** The backend of a fallback mode; throws if cpusets are wanted but cannot be used. */
    static Backend backend(Mode mode, AgentConfig config, AgentState state) throws IOException {
        if (mode != Mode.CPUSET) {
            return new ProbeOnlyBackend();
        }
        CgroupCpusets cg = CgroupCpusets.detect().orElseThrow(() -> new IllegalStateException(
                "cpuset mode but this system has no cpuset cgroup hierarchy"));
        return new CpusetBackend(cg, config.cpusetSlices(), state);
    }

    /** After the scheduler stopped: the fallback mode's backend, or probing only if cpusets fail. */
    static Backend fallback(AgentConfig config, AgentState state) {
        Mode next = fallbackMode(config);
        try {
            return backend(next, config, state);
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot fall back to cpusets: {}", e.getMessage());
            return new ProbeOnlyBackend();
        }
    }
}

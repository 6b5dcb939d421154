package dev.vsched.agent.backend;

import dev.vsched.agent.bpf.VschedIntf;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * What the agent acts through, one per {@link Mode}: the sched_ext scheduler, cgroup cpusets, or nothing.
 * The agent's loop hands every round to {@link #apply} and asks {@link #stopped} once a round; a backend
 * that stopped working is closed and replaced by the fallback.
 */
public interface Backend extends AutoCloseable {
    Mode mode();

    /** For status and logs. */
    String name();

    /** Makes the round take effect where it differs from what is applied; returns problems (empty: applied). */
    List<String> apply(Round round) throws IOException;

    /** The usable-vCPU list last applied, or null while nothing is. */
    String applied();

    /** Null while this backend works; else why it stopped (the kernel ejected the scheduler, say). */
    default String stopped() {
        return null;
    }

    /** vACT's per-vCPU records where this backend carries them (the scheduler's object), else empty. */
    default Map<Integer, VschedIntf.VactCpu> activity() throws IOException {
        return Map.of();
    }

    /** The scheduler's live state for status, or null where this backend has no scheduler. */
    default SchedulerState scheduler() {
        return null;
    }

    /** Undoes what this backend holds that is not recorded in the agent's state file. Idempotent. */
    @Override
    default void close() {
    }

    /** The attached scheduler as status shows it: sysfs state, counters summed over CPUs, exit info. */
    record SchedulerState(String state, String ops, Map<String, Long> stats, VschedIntf.ExitInfo exit,
            long cpuCfgSeq) {
    }
}

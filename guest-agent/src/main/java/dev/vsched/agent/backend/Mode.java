package dev.vsched.agent.backend;

/** How the agent acts on what it measures. */
public enum Mode {
    /** The vsched sched_ext scheduler is attached and fed. */
    SCHED_EXT,
    /** No sched_ext: RWC through cgroup cpusets of the configured slices. */
    CPUSET,
    /** Nothing to act through (no sched_ext, no slices or RWC off): probers and status only. */
    PROBE_ONLY
}

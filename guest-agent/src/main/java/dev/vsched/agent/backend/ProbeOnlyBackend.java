package dev.vsched.agent.backend;

import java.util.List;

/** Probing only: nothing is applied (no sched_ext and no slices configured, or RWC disabled). */
public final class ProbeOnlyBackend implements Backend {
    @Override
    public Mode mode() {
        return Mode.PROBE_ONLY;
    }

    @Override
    public String name() {
        return "none";
    }

    @Override
    public List<String> apply(Round round) {
        return List.of();
    }

    @Override
    public String applied() {
        return null;
    }
}

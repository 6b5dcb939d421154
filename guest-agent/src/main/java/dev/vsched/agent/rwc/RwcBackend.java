package dev.vsched.agent.rwc;

import java.io.IOException;
import java.util.List;

/** Something that makes a {@link UsablePlan} take effect (cgroup cpusets, or the sched_ext scheduler's mask). */
public interface RwcBackend {
    /** For status and logs. */
    String name();

    /** Applies the plan if it differs from what is applied; returns problems (empty: applied). */
    List<String> apply(UsablePlan plan) throws IOException;

    /** The usable list last applied, or null. */
    String applied();

    /** Probing only: nothing is applied (no slices configured, or RWC disabled). */
    RwcBackend NONE = new RwcBackend() {
        @Override
        public String name() {
            return "none";
        }

        @Override
        public List<String> apply(UsablePlan plan) {
            return List.of();
        }

        @Override
        public String applied() {
            return null;
        }
    };
}

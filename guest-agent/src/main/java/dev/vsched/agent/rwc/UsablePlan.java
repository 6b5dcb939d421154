package dev.vsched.agent.rwc;

import dev.vsched.probers.proc.CpuList;
import java.util.BitSet;
import java.util.Map;

/**
 * Which vCPUs movable work may use, and why each other one is left out.
 *
 * @param usable  vCPUs for movable work
 * @param hidden  vCPUs left out on purpose, with the reason (straggler, stacked with N)
 * @param offline vCPUs that are not available at all (offline, could not be probed)
 */
public record UsablePlan(BitSet usable, Map<Integer, String> hidden, Map<Integer, String> offline) {
    public UsablePlan {
        usable = (BitSet) usable.clone();
        hidden = Map.copyOf(hidden);
        offline = Map.copyOf(offline);
    }

    public String usableList() {
        return CpuList.format(usable);
    }
}

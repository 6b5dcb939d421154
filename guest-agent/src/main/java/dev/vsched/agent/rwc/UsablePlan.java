package dev.vsched.agent.rwc;

import dev.vsched.probers.proc.CpuList;
import java.util.BitSet;
import java.util.Map;

/**
 * Which vCPUs movable work may use, and why each other one is left out.
 *
 * @param usable  vCPUs for movable work
 * @param hidden  vCPUs left out on purpose, with the reason
 * @param offline vCPUs that are not available at all (offline, could not be probed)
 */
public record UsablePlan(BitSet usable, Map<Integer, Hidden> hidden, Map<Integer, String> offline) {
    public UsablePlan {
        usable = (BitSet) usable.clone();
        hidden = Map.copyOf(hidden);
        offline = Map.copyOf(offline);
    }

    public String usableList() {
        return CpuList.format(usable);
    }

    /** Why RWC leaves a vCPU out. */
    public enum Reason {
        /** Its capacity stayed under the cut-off for a few rounds. */
        STRAGGLER,
        /** It shares a host CPU with a vCPU that stays usable. */
        STACKED
    }

    /** A hidden vCPU: the reason, and the same in words for status and logs. */
    public record Hidden(Reason reason, String why) {
        static Hidden straggler(int capacity, int best) {
            return new Hidden(Reason.STRAGGLER, "straggler: capacity " + capacity + " of the best " + best);
        }

        static Hidden stackedWith(int keeper) {
            return new Hidden(Reason.STACKED, "stacked with vCPU " + keeper);
        }

        @Override
        public String toString() {
            return why;
        }
    }
}

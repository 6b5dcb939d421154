package dev.vsched.agent.backend;

import dev.vsched.agent.rwc.UsablePlan;
import dev.vsched.probers.continuous.ContinuousProber;
import dev.vsched.probers.vtop.VtopResult;
import java.util.Collections;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;

/**
 * One probe round as the agent acts on it, computed once: what a backend applies and what status shows.
 *
 * @param probe    the probers' snapshot
 * @param vcpus    every managed vCPU, in order
 * @param plan     RWC's usable vCPUs and why the others are left out
 * @param topology vTOP's last result, or null before the first probe
 * @param stacked  vTOP's stacked groups (empty before the first probe)
 * @param act      whether RWC may hide vCPUs now (RWC on, and topology known or nothing to stack)
 */
public record Round(ContinuousProber.Snapshot probe, List<Vcpu> vcpus, UsablePlan plan, VtopResult topology,
        List<Set<Integer>> stacked, boolean act) {
    public Round {
        vcpus = List.copyOf(vcpus);
        // sorted, as status lists each group
        stacked = stacked.stream().map(g -> (Set<Integer>) Collections.unmodifiableSortedSet(new TreeSet<>(g)))
                .toList();
    }

    /**
     * One vCPU this round.
     *
     * @param probed    the probers' state, or null while its SCHED_IDLE probe thread has had no window (busy)
     * @param capacity  what the agent acts on: probed, lowered to vACT's share under load; full when unsampled
     * @param loadShare vACT's share under load when the vCPU was busy recently (sched_ext mode only)
     */
    public record Vcpu(int cpu, ContinuousProber.VcpuState probed, int capacity, OptionalDouble loadShare) {
        public boolean sampled() {
            return probed != null;
        }

        /** Offline or unprobeable vCPUs are not; a vCPU not sampled yet is busy, not gone. */
        public boolean available() {
            return probed == null || probed.available();
        }

        /** Typical inactive period (vACT p95 of the probe's timeline gaps), 0 when none was seen. */
        public long latencyNs() {
            return probed == null || probed.inactive().count() == 0 ? 0 : probed.inactive().p95();
        }
    }
}

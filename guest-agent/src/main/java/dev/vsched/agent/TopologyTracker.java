package dev.vsched.agent;

import dev.vsched.agent.backend.Round;
import dev.vsched.probers.proc.GuestTopology;
import dev.vsched.probers.timeline.GapThreshold;
import dev.vsched.probers.vtop.PingPong;
import dev.vsched.probers.vtop.TopologyProber;
import dev.vsched.probers.vtop.VtopResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * vTOP under the agent: the first full probe once the probers have measured a gap threshold, then a
 * re-validation every {@code vtop.revalidate}; the stacked groups the planner and the scheduler act on.
 * Used by the agent's loop thread only.
 */
final class TopologyTracker {
    private static final Logger LOG = LoggerFactory.getLogger(TopologyTracker.class);

    private final long pairWindowNs;
    private final long revalidateNs;
    private VtopResult topology;
    private List<Set<Integer>> stacked = List.of();
    private long topologyAt;

    TopologyTracker(long pairWindowNs, long revalidateNs) {
        this.pairWindowNs = pairWindowNs;
        this.revalidateNs = revalidateNs;
    }

    /** The last result, or null before the first probe. */
    VtopResult topology() {
        return topology;
    }

    /** Stacked groups of the last result (empty before the first probe). */
    List<Set<Integer>> stacked() {
        return stacked;
    }

    /**
     * Probes or re-validates the round's available vCPUs when due and the round's gap threshold allows it.
     */
    void update(GapThreshold threshold, List<Round.Vcpu> vcpus) {
        long now = System.nanoTime();
        boolean due = topology == null || revalidateNs > 0 && now - topologyAt >= revalidateNs;
        if (!due || vcpus.size() < 2) {
            return;
        }
        if (!threshold.measured()) {
            // The stacked threshold is the measured inactivity threshold; without one, every pair would
            // look stacked. Wait for a calibration window.
            return;
        }
        try {
            GuestTopology guest = GuestTopology.read();
            List<Integer> live = vcpus.stream().filter(Round.Vcpu::available).map(Round.Vcpu::cpu).toList();
            if (live.size() < 2) {
                return;
            }
            TopologyProber p = new TopologyProber(new PingPong(pairWindowNs), threshold.handoffNs());
            if (topology == null) {
                PingPong.warmUp(20_000_000L);
            }
            VtopResult t = topology == null ? p.probe(live, guest) : p.revalidate(topology, live, guest);
            topology = t;
            stacked = stackedGroups(t);
            topologyAt = System.nanoTime();
            // Every minute a re-validation confirms the layout: worth a line only when it had to probe again.
            LOG.atLevel("revalidated".equals(t.mode()) ? Level.DEBUG : Level.INFO)
                    .log("vTOP {}: {} pair(s) probed in {} ms; stacked: {}", t.mode(), t.probedPairs(),
                            t.elapsedNs() / 1_000_000, stacked);
        } catch (IOException e) {
            LOG.warn("vTOP skipped: {}", e.toString());
        }
    }

    static List<Set<Integer>> stackedGroups(VtopResult t) {
        List<Set<Integer>> out = new ArrayList<>();
        collectStacked(t.root(), out);
        return List.copyOf(out);
    }

    private static void collectStacked(VtopResult.Group g, List<Set<Integer>> out) {
        if ("stacked".equals(g.level())) {
            out.add(new TreeSet<>(g.cpus()));
            return;
        }
        g.children().forEach(c -> collectStacked(c, out));
    }
}

package dev.vsched.agent;

import dev.vsched.agent.backend.Backend;
import dev.vsched.agent.backend.Round;
import dev.vsched.agent.bpf.VschedIntf;
import dev.vsched.agent.rwc.RwcPlanner;
import dev.vsched.agent.rwc.UsablePlan;
import dev.vsched.agent.sched.LoadShare;
import dev.vsched.probers.continuous.ContinuousProber;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's loop, on its own thread: each probe round becomes a {@link Round} (capacities, vTOP, the RWC
 * plan), goes to the backend, and is published as an {@link AgentView} for status. When the backend says
 * it stopped (the kernel ejected the scheduler), it is closed and the fallback takes over.
 */
final class AgentLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentLoop.class);
    /** Capacity assumed for a vCPU not measured yet: full, the scheduler's convention for unknown. */
    static final int UNKNOWN_CAPACITY = 1024;

    private final AgentConfig config;
    private final List<Integer> cpus;
    private final AgentState state;
    private final RwcPlanner planner;
    private final TopologyTracker topology;
    /** vCPUs' share under load from vACT (sched_ext mode: the scheduler's object carries vACT). */
    private final LoadShare loadShare = new LoadShare();
    private final BlockingQueue<ContinuousProber.Snapshot> rounds = new ArrayBlockingQueue<>(4);
    private volatile boolean running = true;
    private volatile AgentView view;
    // the loop thread only
    private Backend backend;
    private UsablePlan plan;
    private long planChanges;
    private String schedExtStopped;
    private long cadenceNs;

    AgentLoop(AgentConfig config, List<Integer> cpus, AgentState state, Backend backend) {
        this.config = config;
        this.cpus = List.copyOf(cpus);
        this.state = state;
        this.backend = backend;
        this.cadenceNs = config.probePeriodNs();
        this.planner = new RwcPlanner(config.stragglerFraction(), config.hideStacked(), config.hysteresisRounds(),
                config.minUsable());
        this.topology = new TopologyTracker(config.vtopPairWindowNs(), config.vtopRevalidateNs());
        this.view = new AgentView(null, backend, 0, null, null);
    }

    /** The probers' callback: keeps the newest rounds, drops the oldest if the loop falls behind. */
    void offer(ContinuousProber.Snapshot s) {
        rounds.poll();
        rounds.offer(s);
    }

    /** What status shows: the last round and what was done with it. */
    AgentView view() {
        return view;
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        while (running) {
            ContinuousProber.Snapshot s;
            try {
                s = rounds.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (s != null) {
                logCadence(s);
                handle(s);
            }
        }
    }

    /** One round: plan it, hand it to the backend (or the fallback), publish the view. */
    void handle(ContinuousProber.Snapshot s) {
        String problem;
        Round round = null;
        try {
            Map<Integer, VschedIntf.VactCpu> activity = backend.activity();
            if (!activity.isEmpty()) {
                loadShare.update(activity, System.nanoTime());
            }
            List<Round.Vcpu> vcpus = vcpus(s);
            topology.update(s.threshold(), vcpus);
            UsablePlan next = planner.plan(vcpus.stream()
                    .map(v -> new RwcPlanner.Vcpu(v.cpu(), v.available(), v.capacity())).toList(), topology.stacked());
            if (plan == null || !next.usable().equals(plan.usable())) {
                LOG.info("usable vCPUs {} (hidden: {})", next.usableList(), next.hidden());
                planChanges++;
            }
            plan = next;
            // Before the first topology probe, stacked duplicates are unknown: act on nothing yet.
            boolean act = config.rwcEnabled() && (topology.topology() != null || cpus.size() < 2);
            round = new Round(s, vcpus, next, topology.topology(), topology.stacked(), act);
            String gone = backend.stopped();
            if (gone != null) {
                fallBack(gone);
            }
            List<String> problems = backend.apply(round);
            problems.forEach(p -> LOG.warn("RWC: {}", p));
            problem = problems.isEmpty() ? null : String.join("; ", problems);
        } catch (IOException | RuntimeException e) {
            problem = e.toString();
            LOG.warn("round {} failed: {}", s.round(), e.toString());
        }
        AgentView last = view;
        view = new AgentView(round != null ? round : last.round(), backend, planChanges, problem, schedExtStopped);
    }

    /**
     * Every managed vCPU this round. A vCPU whose SCHED_IDLE probe thread has not had a window yet (a fully
     * busy VM starves it) counts as available at full capacity, as the scheduler treats unknown capacity:
     * RWC still acts on topology, and never hides a vCPU on no evidence. A probed vCPU's capacity is the
     * probe's, lowered to the share under load vACT saw.
     */
    private List<Round.Vcpu> vcpus(ContinuousProber.Snapshot s) {
        List<Round.Vcpu> out = new ArrayList<>();
        for (int cpu : cpus) {
            ContinuousProber.VcpuState v = s.vcpus().get(cpu);
            out.add(v == null ? new Round.Vcpu(cpu, null, UNKNOWN_CAPACITY, OptionalDouble.empty())
                    : new Round.Vcpu(cpu, v, loadShare.capacity(cpu, v.smoothedCapacity(), v.speed()),
                            loadShare.share(cpu)));
        }
        return out;
    }

    /**
     * The backend stopped (the kernel ejected the scheduler, or another one replaced it): log why, close
     * it, and continue in the fallback mode, so the agent never keeps feeding a scheduler that is gone.
     */
    private void fallBack(String why) {
        LOG.error("the sched_ext scheduler stopped: {}", why);
        schedExtStopped = why;
        backend.close();
        backend = ModeSelection.fallback(config, state);
        try {
            state.setMode(backend.mode().name());
        } catch (IOException e) {
            LOG.warn("cannot record the mode change: {}", e.toString());
        }
        LOG.info("continuing in mode {}, RWC through {}", backend.mode(), backend.name());
    }

    private void logCadence(ContinuousProber.Snapshot s) {
        if (s.cadenceNs() == cadenceNs) {
            return;
        }
        if (s.cadenceNs() > config.probePeriodNs()) {
            LOG.info("probe rounds every {} ms: no vCPU changed for a while", s.cadenceNs() / 1_000_000L);
        } else {
            LOG.info("probe rounds every {} ms again: {}", s.cadenceNs() / 1_000_000L, s.lastChange());
        }
        cadenceNs = s.cadenceNs();
    }

    /** Closes the backend in effect (the agent's close, after the loop thread ended). */
    void closeBackend() {
        backend.close();
    }
}

package dev.vsched.agent;

import dev.vsched.agent.rwc.CgroupCpusets;
import dev.vsched.agent.rwc.CpusetBackend;
import dev.vsched.agent.rwc.RwcBackend;
import dev.vsched.agent.rwc.RwcPlanner;
import dev.vsched.agent.rwc.UsablePlan;
import dev.vsched.agent.sched.LoadShare;
import dev.vsched.agent.sched.SchedExtBackend;
import dev.vsched.agent.status.StatusServer;
import dev.vsched.probers.continuous.ContinuousProber;
import dev.vsched.probers.proc.GuestTopology;
import dev.vsched.probers.proc.SchedExtSysfs;
import dev.vsched.probers.vtop.PingPong;
import dev.vsched.probers.vtop.TopologyProber;
import dev.vsched.probers.vtop.VtopResult;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The guest agent: keeps the probers running, re-validates topology, plans RWC every round and applies it
 * through a backend, and serves its state on a root-only socket. Everything it changes on the system goes
 * through {@link AgentState} first, so {@link #close()} (also run on SIGTERM/SIGINT) and, after a crash,
 * the next start leave the system as they found it.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    /** Capacity assumed for a vCPU not measured yet: full, the scheduler's convention for unknown. */
    static final int UNKNOWN_CAPACITY = 1024;

    /** How the agent acts on what it measures. */
    public enum Mode {
        /** The vsched sched_ext scheduler is attached and fed. */
        SCHED_EXT,
        /** No sched_ext: RWC through cgroup cpusets of the configured slices. */
        CPUSET,
        /** Nothing to act through (no sched_ext, no slices or RWC off): probers and status only. */
        PROBE_ONLY
    }

    private final AgentConfig config;
    private final List<Integer> cpus;
    private final AgentState state;
    // Both change once at most: the kernel ejecting the scheduler moves the agent to its fallback.
    private volatile Mode mode;
    private volatile RwcBackend backend;
    private volatile String schedExtStopped;
    private final RwcPlanner planner;
    /** vCPUs' share under load from vACT (sched_ext mode: the scheduler's object carries vACT). */
    private final LoadShare loadShare = new LoadShare();
    private final ContinuousProber prober;
    private final StatusServer status;
    private final BlockingQueue<ContinuousProber.Snapshot> rounds = new ArrayBlockingQueue<>(4);
    private final Instant started = Instant.now();
    private final List<String> repaired;
    private volatile boolean running = true;
    private volatile VtopResult topology;
    private volatile long topologyAt;
    private volatile UsablePlan plan;
    private volatile ContinuousProber.Snapshot latest;
    private volatile String lastProblem;
    private volatile long planChanges;
    private Thread loop;
    /** The probe cadence last logged (the loop thread only). */
    private long cadenceNs;

    /**
     * Repairs what a crashed agent left, picks the mode, and prepares everything; starts nothing yet.
     * Any problem here throws before the system is changed.
     */
    public Agent(AgentConfig config) throws IOException {
        this.config = config;
        this.cadenceNs = config.probePeriodNs();
        GuestTopology guest = GuestTopology.read();
        List<Integer> online = new ArrayList<>();
        guest.online().stream().forEach(online::add);
        this.cpus = List.copyOf(online);
        this.repaired = AgentState.repair(config.runDir()).stream().map(AgentState.Change::file).toList();
        if (!repaired.isEmpty()) {
            LOG.warn("restored {} file(s) a previous agent left changed: {}", repaired.size(), repaired);
        }
        SchedExtBackend sx = attachSchedExt(config);
        Mode chosen = sx != null ? Mode.SCHED_EXT : fallbackMode(config);
        RwcBackend b = sx != null ? sx : RwcBackend.NONE;
        try {
            this.state = AgentState.begin(config.runDir(), chosen.name());
            if (chosen == Mode.CPUSET) {
                b = cpusetBackend(config, state);
            }
        } catch (IOException | RuntimeException e) {
            if (sx != null) {
                sx.close();
            }
            throw e;
        }
        this.mode = chosen;
        this.backend = b;
        this.planner = new RwcPlanner(config.stragglerFraction(), config.hideStacked(), config.hysteresisRounds(),
                config.minUsable());
        this.prober = new ContinuousProber(new ContinuousProber.Config(cpus, config.probePeriodNs(),
                config.probeWindowNs(), ContinuousProber.Config.DEFAULT_HISTORY, config.calibrationWindowNs(),
                config.calibrateEvery(), config.probeSteadyPeriodNs()), this::offer);
        this.status = new StatusServer(config.runDir().resolve(StatusServer.SOCKET), () -> AgentStatus.of(this));
    }

    /**
     * The attached scheduler, or null for the fallback. auto: sched_ext when the kernel has it, the object
     * exists and libbpf loads and attaches it, else one log line saying why not; sched_ext: required.
     */
    static SchedExtBackend attachSchedExt(AgentConfig config) {
        switch (config.mode()) {
            case "cpuset" -> {
                fallbackMode(config);
                return null;
            }
            case "sched_ext" -> {
                try {
                    return SchedExtBackend.attach(config.bpfObject(), config.policies());
                } catch (IOException | dev.vsched.agent.bpf.BpfException | RuntimeException e) {
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
                    } catch (IOException | dev.vsched.agent.bpf.BpfException | RuntimeException e) {
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

    private static CpusetBackend cpusetBackend(AgentConfig config, AgentState state) throws IOException {
        CgroupCpusets cg = CgroupCpusets.detect().orElseThrow(() -> new IllegalStateException(
                "cpuset mode but this system has no cpuset cgroup hierarchy"));
        return new CpusetBackend(cg, config.cpusetSlices(), state);
    }

    /**
     * The kernel ejected the scheduler (or another one replaced it): log why, unload it, and continue in
     * the fallback mode, so the agent never keeps feeding a scheduler that is gone.
     */
    private void fallBack(SchedExtBackend sx, String why) {
        LOG.error("the sched_ext scheduler stopped: {}", why);
        schedExtStopped = why;
        sx.close();
        Mode next = fallbackMode(config);
        RwcBackend b = RwcBackend.NONE;
        if (next == Mode.CPUSET) {
            try {
                b = cpusetBackend(config, state);
            } catch (IOException | RuntimeException e) {
                LOG.error("cannot fall back to cpusets: {}", e.getMessage());
                next = Mode.PROBE_ONLY;
            }
        }
        try {
            state.setMode(next.name());
        } catch (IOException e) {
            LOG.warn("cannot record the mode change: {}", e.toString());
        }
        backend = b;
        mode = next;
        LOG.info("continuing in mode {}, RWC through {}", next, b.name());
    }

    public Agent start() throws IOException {
        status.start();
        prober.start();
        loop = Thread.ofPlatform().name("vsched-agent").start(this::run);
        LOG.info("vsched agent started: mode {}, {} vCPUs, RWC through {}", mode, cpus.size(), backend.name());
        return this;
    }

    private void offer(ContinuousProber.Snapshot s) {
        latest = s;
        rounds.poll();
        rounds.offer(s);
    }

    private void run() {
        while (running) {
            ContinuousProber.Snapshot s;
            try {
                s = rounds.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (s == null) {
                continue;
            }
            if (s.cadenceNs() != cadenceNs) {
                if (s.cadenceNs() > config.probePeriodNs()) {
                    LOG.info("probe rounds every {} ms: no vCPU changed for a while", s.cadenceNs() / 1_000_000L);
                } else {
                    LOG.info("probe rounds every {} ms again: {}", s.cadenceNs() / 1_000_000L, s.lastChange());
                }
                cadenceNs = s.cadenceNs();
            }
            try {
                if (backend instanceof SchedExtBackend sx) {
                    loadShare.update(sx.vact(), System.nanoTime());
                }
                maybeProbeTopology(s);
                UsablePlan next = planner.plan(plannerView(s), stackedGroups());
                if (plan == null || !next.usable().equals(plan.usable())) {
                    LOG.info("usable vCPUs {} (hidden: {})", next.usableList(), next.hidden());
                    planChanges++;
                }
                plan = next;
                // Before the first topology probe, stacked duplicates are unknown: act on nothing yet.
                boolean act = config.rwcEnabled() && (topology != null || cpus.size() < 2);
                if (backend instanceof SchedExtBackend sx) {
                    String gone = sx.ejected();
                    if (gone != null) {
                        fallBack(sx, gone);
                    } else {
                        // The scheduler wants capacities even while RWC hides nothing.
                        List<String> problems = sx.apply(next, vcpuInfo(s), stackedGroups(), act);
                        lastProblem = problems.isEmpty() ? null : String.join("; ", problems);
                        continue;
                    }
                }
                if (act) {
                    List<String> problems = backend.apply(next);
                    lastProblem = problems.isEmpty() ? null : String.join("; ", problems);
                    problems.forEach(p -> LOG.warn("RWC: {}", p));
                }
            } catch (IOException | RuntimeException e) {
                lastProblem = e.toString();
                LOG.warn("round {} failed: {}", s.round(), e.toString());
            }
        }
    }

    /**
     * Every managed vCPU as the planner sees it. A vCPU whose SCHED_IDLE probe thread has not had a
     * window yet (a fully busy VM starves it) counts as available at full capacity, as the scheduler
     * treats unknown capacity: RWC still acts on topology, and never hides a vCPU on no evidence.
     */
    private List<RwcPlanner.Vcpu> plannerView(ContinuousProber.Snapshot s) {
        List<RwcPlanner.Vcpu> out = new ArrayList<>();
        for (int cpu : cpus) {
            ContinuousProber.VcpuState v = s.vcpus().get(cpu);
            out.add(v == null ? new RwcPlanner.Vcpu(cpu, true, UNKNOWN_CAPACITY)
                    : new RwcPlanner.Vcpu(cpu, v.available(), capacity(v)));
        }
        return out;
    }

    /** The capacity the agent acts on: the probed one, lowered to the share under load vACT saw. */
    int capacity(ContinuousProber.VcpuState v) {
        return loadShare.capacity(v.cpu(), v.smoothedCapacity(), v.speed());
    }

    /** vACT's share under load of this vCPU, if it was busy recently (sched_ext mode only). */
    OptionalDouble loadShare(int cpu) {
        return loadShare.share(cpu);
    }

    /** Capacity (0 = unknown: not sampled yet) and typical inactive period (p95) per sampled vCPU. */
    private Map<Integer, SchedExtBackend.VcpuInfo> vcpuInfo(ContinuousProber.Snapshot s) {
        Map<Integer, SchedExtBackend.VcpuInfo> out = new HashMap<>();
        s.vcpus().forEach((cpu, v) -> {
            if (v.available()) {
                // at least 1: a measured 0 must not read as the scheduler's "unknown" (full capacity)
                out.put(cpu, new SchedExtBackend.VcpuInfo(Math.max(1, capacity(v)),
                        v.inactive().count() == 0 ? 0 : v.inactive().p95()));
            }
        });
        return out;
    }

    private void maybeProbeTopology(ContinuousProber.Snapshot s) {
        long now = System.nanoTime();
        boolean due = topology == null
                || config.vtopRevalidateNs() > 0 && now - topologyAt >= config.vtopRevalidateNs();
        if (!due || cpus.size() < 2) {
            return;
        }
        if (!s.threshold().measured()) {
            // The stacked threshold is the measured inactivity threshold; without one, every pair would
            // look stacked. Wait for a calibration window.
            return;
        }
        try {
            GuestTopology guest = GuestTopology.read();
            List<Integer> live = cpus.stream().filter(c -> s.vcpus().get(c) == null || s.vcpus().get(c).available())
                    .toList();
            if (live.size() < 2) {
                return;
            }
            TopologyProber p = new TopologyProber(new PingPong(config.vtopPairWindowNs()),
                    s.threshold().handoffNs());
            if (topology == null) {
                PingPong.warmUp(20_000_000L);
            }
            VtopResult t = topology == null ? p.probe(live, guest) : p.revalidate(topology, live, guest);
            topology = t;
            topologyAt = System.nanoTime();
            // Every minute a re-validation confirms the layout: worth a line only when it had to probe again.
            LOG.atLevel("revalidated".equals(t.mode()) ? Level.DEBUG : Level.INFO)
                    .log("vTOP {}: {} pair(s) probed in {} ms; stacked: {}", t.mode(), t.probedPairs(),
                            t.elapsedNs() / 1_000_000, stackedGroups());
        } catch (IOException e) {
            LOG.warn("vTOP skipped: {}", e.toString());
        }
    }

    List<Set<Integer>> stackedGroups() {
        List<Set<Integer>> out = new ArrayList<>();
        VtopResult t = topology;
        if (t != null) {
            collectStacked(t.root(), out);
        }
        return out;
    }

    private static void collectStacked(VtopResult.Group g, List<Set<Integer>> out) {
        if ("stacked".equals(g.level())) {
            out.add(new TreeSet<>(g.cpus()));
            return;
        }
        g.children().forEach(c -> collectStacked(c, out));
    }

    /** Stops everything and restores every file the agent changed. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        if (loop != null) {
            loop.interrupt();
            try {
                loop.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            prober.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        status.close();
        if (backend instanceof SchedExtBackend sx) {
            sx.close();
            LOG.info("sched_ext scheduler detached");
        }
        List<String> problems = state.restoreAll();
        if (problems.isEmpty()) {
            LOG.info("vsched agent stopped; system restored");
        } else {
            LOG.error("vsched agent stopped, but could not restore: {}", problems);
        }
    }

    public Mode mode() {
        return mode;
    }

    public AgentConfig config() {
        return config;
    }

    List<Integer> cpus() {
        return cpus;
    }

    Instant started() {
        return started;
    }

    ContinuousProber.Snapshot latest() {
        return latest;
    }

    VtopResult topology() {
        return topology;
    }

    UsablePlan plan() {
        return plan;
    }

    RwcBackend backend() {
        return backend;
    }

    /** Why the scheduler stopped under the agent (it fell back), or null. */
    String schedExtStopped() {
        return schedExtStopped;
    }

    String lastProblem() {
        return lastProblem;
    }

    long planChanges() {
        return planChanges;
    }

    List<String> repaired() {
        return repaired;
    }

    long probeCpuNs() {
        return prober.consumedCpuNs();
    }
}

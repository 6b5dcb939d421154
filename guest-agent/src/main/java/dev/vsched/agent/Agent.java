package dev.vsched.agent;

import dev.vsched.agent.backend.Backend;
import dev.vsched.agent.backend.Mode;
import dev.vsched.agent.status.StatusServer;
import dev.vsched.probers.continuous.ContinuousProber;
import dev.vsched.probers.proc.GuestTopology;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guest agent's lifecycle: repairs what a crashed agent left, picks the backend ({@link ModeSelection}),
 * and runs the probers, the {@link AgentLoop} that acts on their rounds, and the root-only status socket.
 * Everything it changes on the system goes through {@link AgentState} first, so {@link #close()} (also run
 * on SIGTERM/SIGINT) and, after a crash, the next start leave the system as they found it.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final AgentState state;
    private final AgentLoop loop;
    private final ContinuousProber prober;
    private final StatusServer status;
    private final int nCpus;
    private boolean running = true;
    private Thread loopThread;

    /**
     * Repairs what a crashed agent left, picks the mode, and prepares everything; starts nothing yet.
     * Any problem here throws before the system is changed.
     */
    public Agent(AgentConfig config) throws IOException {
        List<Integer> cpus = new ArrayList<>();
        GuestTopology.read().online().stream().forEach(cpus::add);
        this.nCpus = cpus.size();
        List<String> repaired = AgentState.repair(config.runDir()).stream().map(AgentState.Change::file).toList();
        if (!repaired.isEmpty()) {
            LOG.warn("restored {} file(s) a previous agent left changed: {}", repaired.size(), repaired);
        }
        Backend sx = ModeSelection.attachSchedExt(config);
        Mode mode = sx != null ? Mode.SCHED_EXT : ModeSelection.fallbackMode(config);
        Backend backend = sx;
        try {
            this.state = AgentState.begin(config.runDir(), mode.name());
            if (backend == null) {
                backend = ModeSelection.backend(mode, config, state);
            }
        } catch (IOException | RuntimeException e) {
            if (sx != null) {
                sx.close();
            }
            throw e;
        }
        this.loop = new AgentLoop(config, cpus, state, backend);
        this.prober = new ContinuousProber(new ContinuousProber.Config(cpus, config.probePeriodNs(),
                config.probeWindowNs(), ContinuousProber.Config.DEFAULT_HISTORY, config.calibrationWindowNs(),
                config.calibrateEvery(), config.probeSteadyPeriodNs()), loop::offer);
        AgentStatus.Info info = new AgentStatus.Info(ProcessHandle.current().pid(), Instant.now(), cpus,
                config.rwcEnabled(), repaired);
        this.status = new StatusServer(config.runDir().resolve(StatusServer.SOCKET),
                () -> AgentStatus.render(info, loop.view(), prober.consumedCpuNs()));
    }

    public Agent start() throws IOException {
        status.start();
        prober.start();
        loopThread = Thread.ofPlatform().name("vsched-agent").start(loop);
        Backend b = loop.view().backend();
        LOG.info("vsched agent started: mode {}, {} vCPUs, RWC through {}", b.mode(), nCpus, b.name());
        return this;
    }

    /** Stops everything and restores every file the agent changed. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        loop.stop();
        if (loopThread != null) {
            loopThread.interrupt();
            try {
                loopThread.join(5_000);
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
        Backend b = loop.view().backend();
        loop.closeBackend();
        if (b.mode() == Mode.SCHED_EXT) {
            LOG.info("sched_ext scheduler detached");
        }
        List<String> problems = state.restoreAll();
        if (problems.isEmpty()) {
            LOG.info("vsched agent stopped; system restored");
        } else {
            LOG.error("vsched agent stopped, but could not restore: {}", problems);
        }
    }

    /** The mode in effect (it changes once at most: the kernel ejecting the scheduler moves to the fallback). */
    public Mode mode() {
        return loop.view().backend().mode();
    }
}

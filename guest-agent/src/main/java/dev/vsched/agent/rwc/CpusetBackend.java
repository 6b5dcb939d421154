package dev.vsched.agent.rwc;

import dev.vsched.agent.AgentState;
import dev.vsched.agent.backend.Backend;
import dev.vsched.agent.backend.Mode;
import dev.vsched.agent.backend.Round;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RWC without sched_ext: confines the configured slices (cgroups holding the VM's movable work) to the
 * usable vCPUs through their cpusets. Pinned tasks and per-CPU kernel threads live outside those slices
 * and keep running everywhere. Every file is recorded in the {@link AgentState} before its first change;
 * the agent restores them all through that state on exit, and the next start does after a crash.
 */
public final class CpusetBackend implements Backend {
    private final CgroupCpusets cgroups;
    private final AgentState state;
    private final Map<String, Path> files = new LinkedHashMap<>();
    private String applied = null;

    /** Checks every slice up front, so a bad one fails the start before anything is changed. */
    public CpusetBackend(CgroupCpusets cgroups, List<String> slices, AgentState state) {
        if (slices.isEmpty()) {
            throw new IllegalArgumentException("rwc.cpuset_slices is empty: name the cgroups whose cpusets RWC "
                    + "may narrow (e.g. system.slice,user.slice)");
        }
        this.cgroups = cgroups;
        this.state = state;
        for (String s : slices) {
            files.put(s, cgroups.cpusFile(s));
        }
    }

    @Override
    public Mode mode() {
        return Mode.CPUSET;
    }

    @Override
    public String name() {
        return (cgroups.v2() ? "cgroup v2" : "cgroup v1") + " cpusets of " + String.join(", ", files.keySet());
    }

    /**
     * Narrows (or widens back) every slice to the plan's usable vCPUs once RWC may act; returns problems,
     * empty if none.
     */
    @Override
    public List<String> apply(Round round) throws IOException {
        String cpus = round.plan().usableList();
        List<String> problems = new ArrayList<>();
        if (!round.act() || cpus.equals(applied) || cpus.isEmpty()) {
            return problems;
        }
        for (Map.Entry<String, Path> e : files.entrySet()) {
            try {
                for (Path ctl : cgroups.subtreeControls(e.getKey())) {
                    if (!Files.readString(ctl).contains("cpuset")) {
                        state.recordBeforeChange(ctl);
                        Files.writeString(ctl, "+cpuset");
                    }
                }
                state.recordBeforeChange(e.getValue());
                Files.writeString(e.getValue(), cpus);
            } catch (IOException ex) {
                problems.add("cannot set " + e.getValue() + " to " + cpus + ": " + ex.getMessage());
            }
        }
        if (problems.isEmpty()) {
            applied = cpus;
        }
        return problems;
    }

    @Override
    public String applied() {
        return applied;
    }
}

package dev.vsched.agent.bpf;

import dev.vsched.probers.proc.SchedExtSysfs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SortedMap;

/**
 * A diagnostic loader, the Java twin of bpf/'s vsched-loader, for checking the bindings on a real kernel
 * (e.g. in a 7.2 guest, where sched_ext exists):
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp vsched.jar dev.vsched.agent.bpf.BpfCheck vact|sched OBJ_DIR SECONDS
 * </pre>
 *
 * Follows bpf/README.md's loading order, prints key=value lines (libbpf version, load time, for sched the
 * ops name and state before and after detaching, counters and exit info, then every vCPU's vACT record).
 * Exit status: 0 ok, 1 setup error (message on stderr), 2 the kernel ejected the scheduler.
 */
public final class BpfCheck {
    private BpfCheck() {
    }

    public static void main(String[] args) {
        if (args.length != 3 || !(args[0].equals("vact") || args[0].equals("sched"))) {
            System.err.println("usage: BpfCheck vact|sched OBJ_DIR SECONDS");
            System.exit(1);
        }
        try {
            System.exit(run(args[0].equals("sched"), Path.of(args[1]), Double.parseDouble(args[2])));
        } catch (BpfException | RuntimeException | java.io.IOException e) {
            System.err.println("BpfCheck: " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(1);
        }
    }

    static int run(boolean sched, Path dir, double seconds)
            throws BpfException, java.io.IOException, InterruptedException {
        if (sched && !SchedExtSysfs.present()) {
            throw new IllegalStateException("this kernel has no sched_ext (" + SchedExtSysfs.ROOT
                    + " missing); use vact");
        }
        LibBpf.requireLoaded();
        System.out.println("libbpf version=" + LibBpf.version());
        Path objPath = dir.resolve(sched ? VschedIntf.VSCHED_OBJ_SCHED : VschedIntf.VSCHED_OBJ_VACT);
        boolean ejected = false;
        try (VschedBpf obj = sched ? VschedBpf.scheduler(objPath, VschedIntf.Config.defaults(1))
                : VschedBpf.tracing(objPath); Arena arena = Arena.ofConfined()) {
            System.out.printf("loaded obj=%s ms=%d nr_cpu_ids=%d%n", objPath, obj.loadNs() / 1_000_000,
                    BpfMap.nrCpuIds());
            if (sched) {
                System.out.printf("attached ops=%s state=%s%n", SchedExtSysfs.ops(), SchedExtSysfs.state());
                long end = System.nanoTime() + (long) (seconds * 1e9);
                while (System.nanoTime() < end && !ejected) {
                    Thread.sleep(100);
                    ejected = !"enabled".equals(SchedExtSysfs.state());
                }
                System.out.printf("before_detach state=%s ejected=%d%n", SchedExtSysfs.state(), ejected ? 1 : 0);
                SortedMap<Integer, MemorySegment> stats = obj.map(VschedIntf.VSCHED_MAP_STATS).lookupPerCpu(0, arena);
                StringBuilder sb = new StringBuilder("stats");
                for (VschedIntf.Stat st : VschedIntf.Stat.values()) {
                    sb.append(' ').append(st.key()).append('=').append(VschedIntf.statSum(stats.values(), st));
                }
                System.out.println(sb);
                obj.detachScheduler();
                Thread.sleep(200);
                System.out.printf("after_detach state=%s%n", SchedExtSysfs.state());
                VschedIntf.ExitInfo ei = obj.exitInfo(arena);
                System.out.printf("exit kind=%d code=%d reason=\"%s\" msg=\"%s\"%n", ei.kind(), ei.exitCode(),
                        ei.reason(), ei.msg());
            } else {
                Thread.sleep((long) (seconds * 1000));
            }
            BpfMap vact = obj.map(VschedIntf.VSCHED_MAP_VACT);
            int[] cpus = BpfMap.possibleCpuIds();
            VschedIntf.VactCpu[] recs = new VschedIntf.VactCpu[cpus.length];
            for (int i = 0; i < cpus.length; i++) {
                recs[i] = VschedIntf.VactCpu.read(vact.lookup(cpus[i], arena));
            }
            // after the reads: the programs are still attached, a tick may land between two lookups
            long now = System.nanoTime();
            for (int i = 0; i < cpus.length; i++) {
                VschedIntf.VactCpu v = recs[i];
                System.out.printf("vact cpu=%d hb_count=%d hb_age_ns=%d tick_ns=%d idle=%d steal_ns=%d steal_jumps=%d "
                        + "inactive_count=%d inactive_max_ns=%d idle_gaps=%d pv_supported=%d kmod_steal=%d "
                        + "hz_votes=%s%n", cpus[i], v.hbCount(), v.hbNs() == 0 ? -1 : now - v.hbNs(), v.tickNs(),
                        v.idle() ? 1 : 0, v.stealNs(), v.stealJumps(), v.inactiveCount(), v.inactiveMaxNs(),
                        v.idleGaps(), v.pvSupported() ? 1 : 0, v.kmodSteal() ? 1 : 0,
                        Arrays.toString(v.hzVotes()).replace(" ", ""));
            }
        }
        return ejected ? 2 : 0;
    }
}

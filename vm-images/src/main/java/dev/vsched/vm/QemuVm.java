package dev.vsched.vm;

import dev.vsched.probers.proc.CpuList;
import dev.vsched.probers.sys.Threads;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One running QEMU guest (TCG, or KVM when the spec asks). Started paused ({@code -S}) to find the vCPU threads, then resumed; a host
 * layout is applied when /init starts (see {@link #shapeAfterBoot}). Closing it (or the JVM exiting) kills QEMU, removes its
 * cgroups and deletes its temp directory; console and results logs are first copied to the keep
 * directory (system property {@code vsched.vm.logs}) when one is set.
 */
public final class QemuVm implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.vsched.vm");

    /**
     * QEMU is spawned from this thread only, and it never exits: PR_SET_PDEATHSIG (setpriv
     * --pdeathsig) fires when the spawning thread dies, so a short-lived caller thread would kill QEMU
     * early. With a JVM-lifetime thread, QEMU gets SIGKILL exactly when the JVM dies, even by SIGKILL.
     */
    private static final ExecutorService LAUNCHER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "vsched-qemu-launcher");
        t.setDaemon(true);
        return t;
    });

    /** The first console line of the initramfs /init (vm-images/init/init): the kernel has booted. */
    static final String INIT_MARKER = "vsched-init: start";

    private static final java.util.concurrent.atomic.AtomicInteger KEPT = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Running QEMUs: pid -> id of the thread that started it. Tests that boot guests side by side (one
     * JVM, one thread each) check what each left behind by it, not by whatever else runs meanwhile.
     */
    private static final Map<Long, Long> RUNNING = new java.util.concurrent.ConcurrentHashMap<>();

    private final VmSpec spec;
    private final int attempt;
    private final Path dir;
    private final Process process;
    private final long startNanos;
    private Qmp qmp;
    private final Map<Integer, Integer> vcpuThreads = new TreeMap<>();
    private ThreadCgroups cgroups;
    private HostLayout layout;
    private boolean closed;

    private QemuVm(VmSpec spec, int attempt, Path dir, Process process) {
        this.spec = spec;
        this.attempt = attempt;
        this.dir = dir;
        this.process = process;
        this.startNanos = System.nanoTime();
    }

    /** Boots {@code spec}: launches QEMU paused, finds its vCPU threads, applies the layout, resumes. */
    public static QemuVm start(VmSpec spec, int attempt) throws IOException, InterruptedException {
        if (spec.layout() != null) {
            // Fail on a bad layout before anything is started.
            spec.layout().validate(spec.vcpus(), onlineCpus());
        }
        VmTempDir.sweepStale();
        // The owner pid in the name lets a later run remove what a SIGKILLed JVM left; the starting
        // thread's id tells boots that run side by side in one JVM apart.
        Path dir = Files.createTempDirectory(VmTempDir.prefixOfThisThread());
        VmTempDir tmp = new VmTempDir(dir);
        Cleanup.register(tmp);
        List<String> cmd = QemuCommandLine.of(spec, dir);
        Process p;
        try {
            p = LAUNCHER.submit(() -> new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("qemu.out").toFile())
                    .start()).get();
        } catch (ExecutionException e) {
            tmp.close();
            throw new IOException("cannot start " + cmd.get(0) + " (install it with vm-images/scripts/host-deps.sh)",
                    e.getCause());
        }
        Cleanup.unregister(tmp);
        RUNNING.put(p.pid(), Thread.currentThread().threadId());
        QemuVm vm = new QemuVm(spec, attempt, dir, p);
        Cleanup.register(vm);
        try {
            vm.qmp = Qmp.connect(dir.resolve("qmp.sock"), Duration.ofSeconds(30), p::isAlive);
            vm.findVcpuThreads();
            vm.qmp.execute("cont");
            if (spec.layout() != null) {
                vm.shapeAfterBoot(spec.layout());
            }
            LOG.log(System.Logger.Level.INFO, "{0} attempt {1}: QEMU pid {2} running, {3}, vCPU threads {4}",
                    spec.name(), attempt, Long.toString(p.pid()), spec.accelDescription(), vm.vcpuThreads);
            return vm;
        } catch (IOException | RuntimeException | InterruptedException e) {
            String out = ConsoleLog.read(dir.resolve("qemu.out"));
            vm.close();
            throw new IOException("QEMU start of " + spec.name() + " failed: " + e.getMessage()
                    + (out.isBlank() ? "" : "\nQEMU said:\n" + ConsoleLog.tail(out, 20)), e);
        }
    }

    /**
     * Applies the layout once the guest kernel has booted: wait for /init's first console line, pause
     * the guest (QMP stop), shape, resume. Booting unshaped matters under thread=multi: the kernel
     * patches its own text at boot, and a vCPU thread that the host deschedules (stacked, throttled)
     * inside a stale translation block then trips over a leftover int3. Measured with the standard
     * layout applied from the first instruction, that crash hit 4 of 9 boots. Nothing of the guest
     * test runs before the layout is in force.
     */
    private void shapeAfterBoot(HostLayout l) throws IOException, InterruptedException {
        if (awaitConsole(INIT_MARKER)) {
            qmp.execute("stop");
            applyLayout(l);
            qmp.execute("cont");
        }
        // Otherwise the guest died or hung before /init: await() reports it with the console.
    }

    /** Pids of the QEMUs of this JVM that other threads started and have not closed yet. */
    static java.util.Set<Long> runningFromOtherThreads() {
        long me = Thread.currentThread().threadId();
        java.util.Set<Long> out = new java.util.HashSet<>();
        RUNNING.forEach((pid, thread) -> {
            if (thread != me) {
                out.add(pid);
            }
        });
        return out;
    }

    /** QMP thread ids, cross-checked against the thread names QEMU sets with debug-threads=on. */
    private void findVcpuThreads() throws IOException {
        for (long[] c : qmp.vcpuThreads()) {
            vcpuThreads.put((int) c[0], (int) c[1]);
        }
        if (vcpuThreads.size() != spec.vcpus()) {
            throw new IOException("QMP query-cpus-fast listed " + vcpuThreads.size() + " vCPUs, expected " + spec.vcpus());
        }
        for (Map.Entry<Integer, Integer> e : vcpuThreads.entrySet()) {
            String comm = threadName(e.getValue());
            String want = spec.accel() == VmSpec.Accel.KVM ? "CPU " + e.getKey() + "/KVM"
                    : spec.tcg() == VmSpec.Tcg.MULTI ? "CPU " + e.getKey() + "/TCG" : "ALL CPUs/TCG";
            if (!comm.equals(want)) {
                throw new IOException("vCPU " + e.getKey() + ": QMP thread-id " + e.getValue() + " is named '" + comm
                        + "', expected '" + want + "'");
            }
        }
    }

    private String threadName(int tid) throws IOException {
        return Files.readString(Path.of("/proc/" + process.pid() + "/task/" + tid + "/comm")).strip();
    }

    /**
     * Applies (or changes, while the guest runs) the host layout: affinity of each vCPU thread and of
     * QEMU's other threads, and each placed vCPU thread's cgroup weight and quota. vCPUs the new layout
     * does not place float over all online CPUs without a quota.
     */
    public synchronized void applyLayout(HostLayout newLayout) throws IOException {
        if (!spec.threadPerVcpu()) {
            throw new IllegalStateException("a host layout needs TCG thread=multi or KVM (" + spec.name()
                    + " runs TCG single)");
        }
        BitSet online = onlineCpus();
        newLayout.validate(spec.vcpus(), online);
        if (cgroups == null) {
            CpuCgroupMount mount = CpuCgroupMount.detect();
            ThreadCgroups.sweepStale(mount);
            cgroups = new ThreadCgroups(mount, (int) process.pid());
        }
        BitSet rest = newLayout.restCpus();
        if (!rest.isEmpty()) {
            for (int tid : otherThreads()) {
                setAffinityIfAlive(tid, rest);
            }
        }
        for (Map.Entry<Integer, Integer> e : vcpuThreads.entrySet()) {
            HostLayout.Placement p = newLayout.vcpus().get(e.getKey());
            int tid = e.getValue();
            if (p != null) {
                Threads.setAffinity(tid, p.hostCpus());
                cgroups.place("vcpu" + e.getKey(), tid, newLayout.cpuWeight(), p.quotaPercent(), newLayout.quotaPeriodUs());
            } else if (layout != null && layout.vcpus().containsKey(e.getKey())) {
                Threads.setAffinity(tid, online);
                cgroups.place("vcpu" + e.getKey(), tid, 1024, OptionalInt.empty(), newLayout.quotaPeriodUs());
            }
        }
        layout = newLayout;
        LOG.log(System.Logger.Level.INFO, "{0}: host layout ''{1}'' applied: {2}", spec.name(), newLayout.name(),
                newLayout.describe());
    }

    private void setAffinityIfAlive(int tid, BitSet cpus) {
        try {
            Threads.setAffinity(tid, cpus);
        } catch (RuntimeException e) {
            // A short-lived I/O worker may exit between listing and pinning; anything else is real.
            if (Files.exists(Path.of("/proc/" + process.pid() + "/task/" + tid))) {
                throw e;
            }
        }
    }

    /**
     * Waits until the console log contains {@code text} (a guest test may print progress to
     * /dev/console); false if the guest exits or the hard timeout passes first.
     */
    public boolean awaitConsole(String text) throws InterruptedException {
        while (process.isAlive() && remaining().toMillis() > 0) {
            if (consoleContains(text)) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** Whether the console log already contains {@code text}; does not wait. */
    public boolean consoleContains(String text) {
        return ConsoleLog.read(consoleLog()).contains(text);
    }

    /** Thread ids of QEMU's threads other than the vCPUs (main loop, RCU, workers). */
    public List<Integer> otherThreads() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/" + process.pid() + "/task"))) {
            List<Integer> out = new ArrayList<>();
            for (Path p : s.toList()) {
                int tid = Integer.parseInt(p.getFileName().toString());
                if (!vcpuThreads.containsValue(tid)) {
                    out.add(tid);
                }
            }
            Collections.sort(out);
            return out;
        }
    }

    public static BitSet onlineCpus() {
        try {
            return CpuList.parse(Files.readString(Path.of("/sys/devices/system/cpu/online")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the host's online CPUs", e);
        }
    }

    public Map<Integer, Integer> vcpuThreads() {
        return Collections.unmodifiableMap(vcpuThreads);
    }

    public long pid() {
        return process.pid();
    }

    public ThreadCgroups cgroups() {
        return cgroups;
    }

    public Path consoleLog() {
        return dir.resolve("console.log");
    }

    public Path workDir() {
        return dir;
    }

    /** Waits up to {@code d} for QEMU to exit (the guest powered off or crashed); true if it has. */
    public boolean exitsWithin(Duration d) throws InterruptedException {
        return process.waitFor(d.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Time left before the hard timeout. */
    public Duration remaining() {
        return spec.timeout().minusNanos(System.nanoTime() - startNanos);
    }

    /**
     * Waits for the guest to power off, at most until the hard timeout (counted from start), then
     * kills QEMU if needed and collects the logs. Does not close the VM.
     */
    public VmRun await() throws InterruptedException, IOException {
        long left = remaining().toNanos();
        boolean exited = left > 0 && process.waitFor(left, TimeUnit.NANOSECONDS);
        if (!exited) {
            LOG.log(System.Logger.Level.WARNING, "{0} attempt {1}: hard timeout {2} s reached, killing QEMU",
                    spec.name(), attempt, spec.timeout().toSeconds());
            kill();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        String console = ConsoleLog.read(consoleLog());
        GuestResult result = ResultsProtocol.parse(dir.resolve("results.log"));
        return new VmRun(spec.name(), attempt, exited ? OptionalInt.of(process.exitValue()) : OptionalInt.empty(),
                !exited, elapsed, console, result, Map.copyOf(vcpuThreads));
    }

    private void kill() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        if (qmp != null) {
            try {
                qmp.execute("quit");
            } catch (IOException e) {
                // QEMU may close the socket before replying; the wait below decides.
            }
            if (process.waitFor(2, TimeUnit.SECONDS)) {
                return;
            }
        }
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("QEMU pid " + process.pid() + " survived SIGKILL for 10 s");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> errors = new ArrayList<>();
        try {
            kill();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            errors.add(e.getMessage());
        }
        try {
            if (qmp != null) {
                qmp.close();
            }
        } catch (IOException e) {
            errors.add("closing QMP: " + e);
        }
        if (cgroups != null) {
            try {
                cgroups.close();
            } catch (RuntimeException e) {
                errors.add(e.getMessage());
            }
        }
        keepLogs();
        new VmTempDir(dir).close();
        if (!process.isAlive()) {
            RUNNING.remove(process.pid());
        }
        Cleanup.unregister(this);
        if (!errors.isEmpty()) {
            throw new IllegalStateException("cleanup of " + spec.name() + " incomplete: " + errors);
        }
    }

    private void keepLogs() {
        String keep = System.getProperty("vsched.vm.logs");
        if (keep == null || keep.isBlank()) {
            return;
        }
        // Several boots of one spec (tests, retries) keep their own logs, in boot order.
        int serial = KEPT.incrementAndGet();
        try {
            Path to = Files.createDirectories(Path.of(keep));
            for (String f : List.of("console.log", "results.log", "qemu.out")) {
                Path src = dir.resolve(f);
                if (Files.exists(src)) {
                    Files.copy(src, to.resolve(String.format("%03d-%s-%d-%s", serial, spec.name(), attempt, f)),
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot keep logs of {0} in {1}: {2}", spec.name(), keep, e);
        }
    }

    @Override
    public String toString() {
        return "QemuVm[" + spec.name() + ", pid " + process.pid() + "]";
    }

}

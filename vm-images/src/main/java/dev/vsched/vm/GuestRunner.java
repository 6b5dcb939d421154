package dev.vsched.vm;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * Boots a guest test to completion. The only failure it retries is the known multi-threaded TCG
 * {@code Oops: int3} crash (bounded, each retry logged with the oops line), also when it ended the
 * guest while host-side checks ran; a timeout, a missing or truncated result or any other crash
 * fails at once with the console tail in the message.
 */
public final class GuestRunner {

    private static final System.Logger LOG = System.getLogger("dev.vsched.vm");

    /** Retries after an int3 crash; multi-threaded TCG on QEMU 7.2 crashed roughly 1 boot in 10 here. */
    public static final int DEFAULT_INT3_RETRIES = 2;

    /** Something to do on the host while the guest runs, e.g. change the layout. */
    @FunctionalInterface
    public interface WhileRunning {
        void accept(QemuVm vm) throws IOException, InterruptedException;
    }

    private GuestRunner() {
    }

    /** Runs the test and returns a run whose results stream is complete (the guest rc may be non-zero). */
    public static VmRun run(VmSpec spec) throws IOException, InterruptedException {
        return run(spec, DEFAULT_INT3_RETRIES, vm -> {
        });
    }

    public static VmRun run(VmSpec spec, int int3Retries, WhileRunning whileRunning)
            throws IOException, InterruptedException {
        VmRun last = null;
        for (int attempt = 1; attempt <= 1 + int3Retries; attempt++) {
            VmRun run;
            try (QemuVm vm = QemuVm.start(spec, attempt)) {
                try {
                    whileRunning.accept(vm);
                } catch (IOException | RuntimeException | AssertionError e) {
                    // A guest that crashed early (int3 before /init, say) takes QEMU and its threads
                    // along, and host-side checks then fail on threads that are gone: the crash decides.
                    if (!vm.exitsWithin(Duration.ofSeconds(2))) {
                        throw e;
                    }
                    VmRun exited = vm.await();
                    if (ConsoleLog.int3Oops(exited.console()).isEmpty()) {
                        VmFailure f = new VmFailure(spec.name() + ": QEMU exited while the host side ran: " + e,
                                exited);
                        f.initCause(e);
                        throw f;
                    }
                    LOG.log(System.Logger.Level.WARNING, "{0} attempt {1}: host side failed after the guest crashed: {2}",
                            spec.name(), attempt, e.toString());
                }
                run = vm.await();
            }
            Optional<String> oops = ConsoleLog.int3Oops(run.console());
            if (oops.isPresent()) {
                last = run;
                LOG.log(System.Logger.Level.WARNING,
                        "{0} attempt {1}: known TCG int3 crash (''{2}''); {3}", spec.name(), attempt, oops.get(),
                        attempt <= int3Retries ? "retrying" : "no retries left");
                continue;
            }
            if (run.timedOut()) {
                throw new VmFailure(spec.name() + ": no result within the hard timeout of " + spec.timeout().toSeconds()
                        + " s", run);
            }
            if (!run.result().complete()) {
                throw new VmFailure(spec.name() + ": guest results incomplete or corrupt", run);
            }
            LOG.log(System.Logger.Level.INFO, "{0} attempt {1}: done in {2} ms, guest rc={3}", spec.name(), attempt,
                    Long.toString(run.elapsed().toMillis()), run.result().rc().getAsInt());
            return run;
        }
        throw new VmFailure(spec.name() + ": TCG int3 crash on all " + (1 + int3Retries) + " attempts", last);
    }

    /** Like {@link #run(VmSpec)} but also requires the guest test to exit 0. */
    public static VmRun runPassing(VmSpec spec) throws IOException, InterruptedException {
        VmRun run = run(spec);
        if (!run.result().passed()) {
            throw new VmFailure(spec.name() + ": guest test failed", run);
        }
        return run;
    }
}

package dev.vsched.eval;

import dev.vsched.vm.QemuVm;
import dev.vsched.vm.VmImages;
import dev.vsched.vm.VmSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * TCG or KVM for the guests of one compare run, and why. {@code auto} boots KVM only where it has been
 * seen to boot this guest: /dev/kvm must open read-write, and then a real boot of the eval image under
 * {@code -accel kvm -cpu host} must reach /init within {@link #PROBE_TIMEOUT}. An ioctl check is not
 * enough: a nested (PVM-style) KVM opens and answers, then stops the guest at the first instruction it
 * cannot emulate ("KVM internal error ... emulation failure"). The probe runs once per compare run.
 */
public final class AccelChoice {

    public enum Mode {
        AUTO, TCG, KVM;

        /** @throws IllegalArgumentException naming the value and the choices */
        public static Mode parse(String s) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--accel '" + s + "' is none of tcg, kvm, auto");
            }
        }
    }

    /** The choice and the reason, for every report. */
    public record Choice(VmSpec.Accel accel, String why) {
        public String describe() {
            return (accel == VmSpec.Accel.KVM ? "KVM (-accel kvm -cpu host)" : "TCG thread=multi") + ": " + why;
        }
    }

    /** A KVM guest reaches /init in a few seconds; a broken KVM stops at once or never gets there. */
    public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);

    private final Mode mode;
    private final Supplier<Optional<String>> probe;
    private Choice cached;

    /**
     * @param probe boots a KVM guest: empty if it reached /init, else why not (called at most once)
     */
    public AccelChoice(Mode mode, Supplier<Optional<String>> probe) {
        this.mode = mode;
        this.probe = probe;
    }

    /** The choice for this compare run; the probe (auto) runs on the first call only. */
    public synchronized Choice choice() {
        if (cached == null) {
            cached = switch (mode) {
                case TCG -> new Choice(VmSpec.Accel.TCG, "chosen with --accel tcg");
                case KVM -> new Choice(VmSpec.Accel.KVM, "chosen with --accel kvm (not probed)");
                case AUTO -> {
                    Optional<String> fault = probe.get();
                    yield fault.isEmpty()
                            ? new Choice(VmSpec.Accel.KVM, "auto: a KVM probe boot reached the guest's /init")
                            : new Choice(VmSpec.Accel.TCG, "auto: " + fault.get());
                }
            };
        }
        return cached;
    }

    /**
     * Judges a KVM probe boot from what it left: empty when the guest reached /init, else why not. Pure,
     * for tests: {@code qemuOut} is QEMU's own output, {@code exited} whether QEMU had exited.
     */
    static Optional<String> judge(String console, String qemuOut, boolean exited, Duration waited) {
        String err = qemuOut.lines().filter(l -> l.contains("KVM internal error") || l.contains("failed to initialize kvm")
                || l.contains("Could not access KVM kernel module") || l.contains("emulation failure"))
                .findFirst().orElse(null);
        if (console.contains(INIT_MARKER) && err == null) {
            return Optional.empty();
        }
        if (err != null) {
            return Optional.of("KVM probe boot failed: " + err.strip());
        }
        if (exited) {
            return Optional.of("KVM probe boot: QEMU exited before the guest's /init"
                    + (qemuOut.isBlank() ? "" : " (" + qemuOut.strip().lines().reduce((a, b) -> b).orElse("") + ")"));
        }
        return Optional.of("KVM probe boot did not reach the guest's /init in " + waited.toSeconds() + " s");
    }

    /** The first console line of the guest's /init (vm-images/init/init; QemuVm waits for the same). */
    static final String INIT_MARKER = "vsched-init: start";

    /**
     * Why QEMU did not start under KVM, from the harness's message: its first line and QEMU's own error.
     * Seen here: {@code qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69} and an assertion.
     */
    static String startFailure(String message) {
        String first = message.lines().findFirst().orElse("");
        String qemu = message.lines().filter(l -> l.contains("error") || l.contains("KVM internal error")).findFirst()
                .orElse(null);
        return "KVM probe boot did not start: " + (qemu != null ? "QEMU said '" + qemu.strip() + "'" : first);
    }

    /** The real probe: /dev/kvm, then a boot of the eval image under KVM until /init or a fault. */
    public static Optional<String> probe(VmImages images, String series) {
        Path dev = Path.of("/dev/kvm");
        if (!Files.exists(dev)) {
            return Optional.of("no /dev/kvm");
        }
        if (!Files.isReadable(dev) || !Files.isWritable(dev)) {
            return Optional.of("/dev/kvm is not readable and writable by this user");
        }
        VmSpec spec = VmSpec.ofEval(images, series, "boot-check", 1, PROBE_TIMEOUT.plusSeconds(30))
                .withAccel(VmSpec.Accel.KVM);
        long t0 = System.nanoTime();
        try (QemuVm vm = QemuVm.start(spec, 1)) {
            Path out = vm.workDir().resolve("qemu.out");
            while (true) {
                Duration waited = Duration.ofNanos(System.nanoTime() - t0);
                String console = Files.exists(vm.consoleLog()) ? Files.readString(vm.consoleLog(),
                        java.nio.charset.StandardCharsets.ISO_8859_1) : "";
                String qemu = Files.exists(out) ? Files.readString(out, java.nio.charset.StandardCharsets.ISO_8859_1) : "";
                boolean exited = vm.exitsWithin(Duration.ofMillis(200));
                Optional<String> j = judge(console, qemu, exited, waited);
                if (j.isEmpty() || exited || qemu.contains("KVM internal error") || waited.compareTo(PROBE_TIMEOUT) > 0) {
                    return j;
                }
            }
        } catch (IOException e) {
            return Optional.of(startFailure(String.valueOf(e.getMessage())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("KVM probe interrupted");
        }
    }
}

package dev.vsched.vm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * One guest boot: kernel, root (the test initramfs, or the eval disk image booted read-only from a
 * snapshot), vCPUs, TCG threading, the guest test to run with its {@code vsched.<key>=<value>}
 * parameters, an optional host layout, a hard timeout and the accelerator. Exactly one of
 * {@code initramfs} and {@code disk} is set.
 */
public record VmSpec(String name, Path kernel, Path initramfs, Path disk, int vcpus, int memoryMb, Tcg tcg, String test,
        Map<String, String> params, HostLayout layout, Duration timeout, Accel accel) {

    /**
     * How QEMU runs the guest. TCG emulates every instruction (threading per {@link Tcg}); KVM runs it on
     * the host CPU ({@code -accel kvm -cpu host}), one host thread per vCPU as TCG MULTI has, so a host
     * layout applies the same way. Only ask for KVM where /dev/kvm has been seen to boot the guest: a
     * nested KVM may open fine and still fail on the first instruction it cannot emulate.
     */
    public enum Accel {
        TCG, KVM
    }

    /**
     * TCG threading. SINGLE runs every vCPU on one host thread and never hit the int3 crash: use it for
     * functional tests. MULTI gives each vCPU its own host thread, which a host layout needs.
     */
    public enum Tcg {
        SINGLE, MULTI
    }

    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    /*
     * Kernel command line values: a value with spaces goes in double quotes, which the kernel keeps
     * together and the guest's /init strips; so no quotes or control characters inside a value.
     */
    private static final Pattern VALUE = Pattern.compile("[A-Za-z0-9_.,:/=+@% -]*");

    /** A TCG guest: the shape every spec had before KVM was a choice. */
    public VmSpec(String name, Path kernel, Path initramfs, Path disk, int vcpus, int memoryMb, Tcg tcg, String test,
            Map<String, String> params, HostLayout layout, Duration timeout) {
        this(name, kernel, initramfs, disk, vcpus, memoryMb, tcg, test, params, layout, timeout, Accel.TCG);
    }

    public VmSpec {
        if (accel == null) {
            throw new IllegalArgumentException("accel must be TCG or KVM, not null");
        }
        if ((initramfs == null) == (disk == null)) {
            throw new IllegalArgumentException("a guest boots from an initramfs or a disk image, exactly one: initramfs="
                    + initramfs + " disk=" + disk);
        }
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        if (!KEY.matcher(test).matches()) {
            throw new IllegalArgumentException("guest test name '" + test + "' must match " + KEY);
        }
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (!KEY.matcher(e.getKey()).matches() || e.getKey().equals("test")) {
                throw new IllegalArgumentException("guest parameter key '" + e.getKey() + "' must match " + KEY
                        + " and not be 'test'");
            }
            if (!VALUE.matcher(e.getValue()).matches()) {
                throw new IllegalArgumentException("guest parameter vsched." + e.getKey() + "='" + e.getValue()
                        + "' cannot go on a kernel command line: only letters, digits, spaces and _.,:/=+@%- are allowed");
            }
        }
        if (vcpus < 1 || vcpus > 64) {
            throw new IllegalArgumentException("vcpus " + vcpus + " out of range 1..64");
        }
        if (memoryMb < 256) {
            throw new IllegalArgumentException("memory " + memoryMb + " MiB too small for a JVM guest (min 256)");
        }
        if (layout != null && accel == Accel.TCG && tcg != Tcg.MULTI) {
            throw new IllegalArgumentException("a host layout needs TCG thread=multi: with thread=single all "
                    + vcpus + " vCPUs run on one host thread");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
    }

    /** A functional test: thread=single, 2 GiB, no layout. */
    public static VmSpec of(VmImages images, String series, String test, int vcpus, Duration timeout) {
        return new VmSpec(test + "-" + series, images.kernel(series), images.initramfs(series), null, vcpus, 2048,
                Tcg.SINGLE, test, Map.of(), null, timeout);
    }

    /** Like {@link #of}, booting the eval disk image (stress-ng, sysbench, rt-tests; see eval-image.sh). */
    public static VmSpec ofEval(VmImages images, String series, String test, int vcpus, Duration timeout) {
        return new VmSpec("eval-" + test + "-" + series, images.kernel(series), null, images.evalImage(series), vcpus,
                2048, Tcg.SINGLE, test, Map.of(), null, timeout);
    }

    public VmSpec withParams(Map<String, String> p) {
        return new VmSpec(name, kernel, initramfs, disk, vcpus, memoryMb, tcg, test, p, layout, timeout, accel);
    }

    /** Multi-threaded TCG with this host layout applied before the first guest instruction. */
    public VmSpec withLayout(HostLayout l) {
        return new VmSpec(name, kernel, initramfs, disk, vcpus, memoryMb, Tcg.MULTI, test, params, l, timeout, accel);
    }

    public VmSpec withTcg(Tcg t) {
        return new VmSpec(name, kernel, initramfs, disk, vcpus, memoryMb, t, test, params, layout, timeout, accel);
    }

    /** The same guest under another accelerator; under KVM the TCG threading is not used. */
    public VmSpec withAccel(Accel a) {
        return new VmSpec(name, kernel, initramfs, disk, vcpus, memoryMb, tcg, test, params, layout, timeout, a);
    }

    /** What the vCPUs run on, for reports: {@code kvm}, {@code tcg thread=multi} or {@code tcg thread=single}. */
    public String accelDescription() {
        return accel == Accel.KVM ? "kvm" : "tcg thread=" + (tcg == Tcg.MULTI ? "multi" : "single");
    }

    /** True when each vCPU runs on a host thread of its own (KVM, or TCG thread=multi): a layout can place it. */
    public boolean threadPerVcpu() {
        return accel == Accel.KVM || tcg == Tcg.MULTI;
    }

    /** Boot, sending the results back and powering off must fit between the guest's limit and the hard one. */
    static final Duration GUEST_LIMIT_GUARD = Duration.ofSeconds(30);

    /**
     * The limit the harness adds for {@code /init} to put on the test ({@code vsched.timeout}): the hard
     * timeout less {@link #GUEST_LIMIT_GUARD} and 5%. A test stopped by it still sends what it wrote and
     * where its processes were (a hard timeout loses all of that). Empty when the test gives its own
     * {@code timeout} parameter, or when the result would be under 30 s (the margin would eat the test).
     */
    public OptionalLong guestLimitSeconds() {
        if (params.containsKey("timeout")) {
            return OptionalLong.empty();
        }
        long s = timeout.minus(GUEST_LIMIT_GUARD).toSeconds() - timeout.toSeconds() / 20;
        return s >= 30 ? OptionalLong.of(s) : OptionalLong.empty();
    }

    /**
     * The kernel command line: protocol keys plus {@code oops=panic} so a crashed guest exits at once; a
     * disk boot mounts the image read-only and runs the same /init.
     */
    public String append() {
        StringBuilder sb = new StringBuilder("console=ttyS0 panic=-1 oops=panic quiet ");
        if (disk != null) {
            sb.append("root=/dev/nvme0n1 ro rootwait init=/init ");
        }
        sb.append("vsched.test=").append(test);
        params.forEach((k, v) -> sb.append(" vsched.").append(k).append('=')
                .append(v.isEmpty() || v.contains(" ") ? "\"" + v + "\"" : v));
        guestLimitSeconds().ifPresent(s -> sb.append(" vsched.timeout=").append(s));
        return sb.toString();
    }
}

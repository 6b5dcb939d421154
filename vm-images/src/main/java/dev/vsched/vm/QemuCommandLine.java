package dev.vsched.vm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The QEMU command line of one boot: paused at start ({@code -S}), console and results on two serial
 * files, QMP on a socket in the boot's directory, and QEMU killed with the JVM (setpriv --pdeathsig).
 */
final class QemuCommandLine {
    private QemuCommandLine() {
    }

    static List<String> of(VmSpec spec, Path dir) {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            cmd.addAll(List.of("/usr/bin/setpriv", "--pdeathsig", "KILL", "--"));
        }
        cmd.addAll(List.of(System.getProperty("vsched.qemu", "qemu-system-x86_64"),
                "-name", spec.name() + ",debug-threads=on",
                "-accel", spec.accel() == VmSpec.Accel.KVM ? "kvm"
                        : "tcg,thread=" + (spec.tcg() == VmSpec.Tcg.MULTI ? "multi" : "single"),
                // KVM: the host's own CPU model (its features, no emulation); TCG: everything it emulates
                "-cpu", spec.accel() == VmSpec.Accel.KVM ? "host" : "max",
                "-smp", Integer.toString(spec.vcpus()),
                "-m", Integer.toString(spec.memoryMb()),
                "-kernel", spec.kernel().toString()));
        if (spec.disk() != null) {
            // snapshot=on: guest writes go to a temporary overlay, the image stays as built
            cmd.addAll(List.of("-drive", "file=" + spec.disk() + ",format=raw,if=none,id=root,snapshot=on",
                    "-device", "nvme,drive=root,serial=vsched-root"));
        } else {
            cmd.addAll(List.of("-initrd", spec.initramfs().toString()));
        }
        cmd.addAll(List.of("-append", spec.append(),
                "-nographic", "-monitor", "none", "-nic", "none", "-no-reboot",
                "-serial", "file:" + dir.resolve("console.log"),
                "-serial", "file:" + dir.resolve("results.log"),
                "-qmp", "unix:" + dir.resolve("qmp.sock") + ",server=on,wait=off",
                "-S"));
        return cmd;
    }
}

package dev.vsched.vm;

import java.time.Duration;
import java.util.Map;

/**
 * A harness JVM for {@link InterruptIT}: boots a shaped 7.2 guest that spins for ten minutes, prints
 * QEMU's pid once the layout is in force, and waits to be signalled.
 */
public final class HarnessChild {
    private HarnessChild() {
    }

    public static void main(String[] args) throws Exception {
        VmSpec spec = VmSpec.of(VmImages.locate(), "7.2", "spin-rates", 4, Duration.ofSeconds(600))
                .withParams(Map.of("spin-seconds", "600")).withLayout(Layouts.STANDARD);
        try (QemuVm vm = QemuVm.start(spec, 1)) {
            System.out.println("SHAPED qemu=" + vm.pid() + " cgroup=" + vm.cgroups().parentDir() + " dir=" + vm.workDir());
            System.out.flush();
            vm.await();
        }
    }
}

package dev.vsched.vm;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A harness JVM for {@link InterruptIT}: boots a shaped 7.2 guest that spins for ten minutes, prints
 * QEMU's pid once the layout is in force, and waits to be signalled. A guest that dies before it is
 * shaped (the layout is applied once /init runs) is booted again only for the known TCG int3 crash;
 * anything else ends the child with the console, which InterruptIT shows.
 */
public final class HarnessChild {
    private HarnessChild() {
    }

    public static void main(String[] args) throws Exception {
        VmSpec spec = VmSpec.of(VmImages.locate(), "7.2", "spin-rates", 4, Duration.ofSeconds(600))
                .withParams(Map.of("spin-seconds", "600")).withLayout(Layouts.STANDARD);
        for (int attempt = 1; attempt <= 1 + GuestRunner.DEFAULT_INT3_RETRIES; attempt++) {
            try (QemuVm vm = QemuVm.start(spec, attempt)) {
                if (vm.cgroups() != null) {
                    System.out.println("SHAPED qemu=" + vm.pid() + " cgroup=" + vm.cgroups().parentDir() + " dir="
                            + vm.workDir());
                    System.out.flush();
                    vm.await();
                    return;
                }
                VmRun run = vm.await();
                Optional<String> oops = ConsoleLog.int3Oops(run.console());
                if (oops.isEmpty()) {
                    System.out.println("NOT SHAPED: the guest ended before /init started\n" + run.describe());
                    System.exit(1);
                }
                System.out.println("attempt " + attempt + ": known TCG int3 crash before /init ('" + oops.get()
                        + "'), booting again");
            }
        }
        System.out.println("NOT SHAPED: TCG int3 crash on every attempt");
        System.exit(1);
    }
}

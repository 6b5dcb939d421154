package dev.vsched.probers.sys;

import dev.vsched.probers.proc.CpuList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How many CPU ids the kernel may ever use (sizes affinity masks). */
final class PossibleCpus {
    private PossibleCpus() {
    }

    static int count() {
        try {
            return CpuList.parse(Files.readString(Path.of("/sys/devices/system/cpu/possible")).strip()).length();
        } catch (IOException | IllegalArgumentException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }
}

package dev.vsched.probers.report;

import java.util.List;

/** Facts about the probed machine, for the report header. */
public record HostInfo(String kernel, String hostname, List<Integer> onlineCpus, boolean schedExt) {
}

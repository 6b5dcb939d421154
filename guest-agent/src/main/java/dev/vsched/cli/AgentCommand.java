package dev.vsched.cli;

import dev.vsched.agent.Agent;
import dev.vsched.agent.AgentConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vsched agent}: the daemon, in the foreground (for systemd or a terminal). */
@Command(name = "agent", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Runs the vsched agent in the foreground: continuous vCAP/vACT, periodic vTOP re-validation, and",
            "relaxed work conservation (RWC) through cgroup cpusets of the configured slices. Stops on",
            "SIGTERM/SIGINT and restores everything it changed; after a crash the next start does."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:--check passed", "2:bad configuration or arguments", "3:environment error",
            "130:stopped by SIGINT after restoring everything", "143:stopped by SIGTERM after restoring everything"})
final class AgentCommand implements Callable<Integer> {
    static final Path DEFAULT_CONFIG = Path.of("/etc/vsched/agent.conf");

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Config file (properties). Default: /etc/vsched/agent.conf if it exists, else built-in defaults.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override one config key (repeatable), e.g. --set rwc.cpuset_slices=system.slice")
    List<String> overrides = List.of();

    @Option(names = "--check", description = "Validate the configuration, print it, and exit.")
    boolean check;

    @Override
    public Integer call() throws Exception {
        AgentConfig cfg = effectiveConfig();
        if (check) {
            spec.commandLine().getOut().println("configuration OK: " + cfg);
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
        Agent agent = new Agent(cfg);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "vsched-agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            agent.start();
        } catch (RuntimeException | java.io.IOException e) {
            agent.close();
            throw e;
        }
        stopped.await();
        return ExitCodes.OK;
    }

    AgentConfig effectiveConfig() throws java.io.IOException {
        Path file = config != null ? config : Files.exists(DEFAULT_CONFIG) ? DEFAULT_CONFIG : null;
        Map<String, String> values = new LinkedHashMap<>(file == null ? Map.of() : AgentConfig.readValues(file));
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set '" + o + "': expected KEY=VALUE");
            }
            values.put(o.substring(0, eq).strip(), o.substring(eq + 1).strip());
        }
        String source = (file == null ? "defaults" : file.toString()) + (overrides.isEmpty() ? "" : " with --set");
        return AgentConfig.fromMap(values, source);
    }
}

package dev.vsched.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vsched} command line. */
@Command(name = "vsched", mixinStandardHelpOptions = true, versionProvider = Vsched.Version.class,
        description = "vCPU-aware scheduling toolkit for Linux cloud VMs.",
        subcommands = {ProbeCommand.class, AgentCommand.class, StatusCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:the probe ran but some vCPU could not be probed completely",
            "2:bad arguments",
            "3:environment error (not Linux, missing /proc or /sys, native call refused)"})
public final class Vsched {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (tests call this). */
    public static int run(String... args) {
        CommandLine cli = commandLine();
        return cli.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Vsched());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof IllegalArgumentException) {
                cmd.getErr().println("vsched: " + ex.getMessage());
                return ExitCodes.USAGE;
            }
            cmd.getErr().println("vsched: " + ex.getMessage());
            return ExitCodes.ENVIRONMENT;
        });
        return cli;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Vsched.class.getPackage().getImplementationVersion();
            return new String[] {"vsched " + (v == null ? "development build" : v)};
        }
    }
}

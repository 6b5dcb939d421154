package dev.vsched.cli;

/** Documented exit codes of {@code vsched} (also listed in {@code vsched --help} and the README). */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int PARTIAL = 1;
    public static final int USAGE = 2;
    public static final int ENVIRONMENT = 3;

    private ExitCodes() {
    }
}

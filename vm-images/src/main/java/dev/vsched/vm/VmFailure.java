package dev.vsched.vm;

/** A guest boot that did not produce a complete result; the message carries the console tail. */
public class VmFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient VmRun run;

    public VmFailure(String message, VmRun run) {
        super(message + (run == null ? "" : "\n" + run.describe()));
        this.run = run;
    }

    public VmRun run() {
        return run;
    }
}

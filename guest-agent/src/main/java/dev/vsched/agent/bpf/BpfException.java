package dev.vsched.agent.bpf;

import java.util.List;

/**
 * A libbpf call failed. Carries the call, errno (0 when there was none), its symbolic name, libbpf's own
 * text for it, what the call was about (a path, a map or program name) and the last lines libbpf logged
 * on this thread during the call (for a load failure: the end of the verifier log).
 */
public final class BpfException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;
    private final String libbpfMessage;
    private final String subject;
    private final List<String> logTail;

    public BpfException(String call, int errno, String libbpfMessage, String subject) {
        this(call, errno, libbpfMessage, subject, List.of());
    }

    public BpfException(String call, int errno, String libbpfMessage, String subject, List<String> logTail) {
        super(format(call, errno, libbpfMessage, subject, logTail));
        this.call = call;
        this.errno = errno;
        this.libbpfMessage = libbpfMessage;
        this.subject = subject;
        this.logTail = List.copyOf(logTail);
    }

    /** Builds the exception for a failed call whose (positive) errno is known, asking libbpf for its text. */
    static BpfException of(String call, int errno, String subject, List<String> logTail) {
        String msg = errno != 0 && LibBpf.isAvailable() ? LibBpf.strerror(errno) : "unknown error";
        return new BpfException(call, errno, msg, subject, logTail);
    }

    static BpfException of(String call, int errno, String subject) {
        return of(call, errno, subject, List.of());
    }

    private static String format(String call, int errno, String msg, String subject, List<String> logTail) {
        StringBuilder sb = new StringBuilder();
        sb.append(call);
        if (subject != null) {
            sb.append(' ').append(subject);
        }
        sb.append(": ");
        if (errno != 0) {
            sb.append(ErrnoNames.name(errno)).append(' ');
        }
        sb.append(msg);
        if (!logTail.isEmpty()) {
            sb.append("\nlast libbpf log lines:");
            for (String line : logTail) {
                sb.append("\n  ").append(line);
            }
        }
        return sb.toString();
    }

    /** The libbpf function that failed, e.g. {@code bpf_object__load}. */
    public String call() {
        return call;
    }

    /** The positive errno (or libbpf's own code >= 4000); 0 if the failure had none. */
    public int errno() {
        return errno;
    }

    /** E.g. {@code ENOENT}; {@code errno N} for codes without a name here. */
    public String errnoName() {
        return ErrnoNames.name(errno);
    }

    /** libbpf_strerror's text, or our own description when there was no errno. */
    public String libbpfMessage() {
        return libbpfMessage;
    }

    /** What the call was about: the object path, map or program name; may be null. */
    public String subject() {
        return subject;
    }

    /** libbpf's last log lines on the failing thread (WARN and INFO), oldest first. */
    public List<String> logTail() {
        return logTail;
    }
}

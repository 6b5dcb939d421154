package dev.vsched.probers.sys;

/** A libc call failed; carries the call's name and errno so the caller can say exactly what went wrong. */
public final class NativeCallException extends RuntimeException {
    private final String call;
    private final int errno;

    public NativeCallException(String call, int errno, String detail) {
        super(call + " failed: " + Errno.describe(errno) + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
        this.call = call;
        this.errno = errno;
    }

    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}

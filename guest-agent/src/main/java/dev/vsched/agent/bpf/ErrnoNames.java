package dev.vsched.agent.bpf;

import java.util.Map;

/** Symbolic names of the Linux errno values libbpf and the bpf() syscall report, for messages. */
final class ErrnoNames {
    private ErrnoNames() {
    }

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(3, "ESRCH"), Map.entry(4, "EINTR"),
            Map.entry(5, "EIO"), Map.entry(6, "ENXIO"), Map.entry(7, "E2BIG"), Map.entry(8, "ENOEXEC"),
            Map.entry(9, "EBADF"), Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"), Map.entry(13, "EACCES"),
            Map.entry(14, "EFAULT"), Map.entry(16, "EBUSY"), Map.entry(17, "EEXIST"), Map.entry(19, "ENODEV"),
            Map.entry(20, "ENOTDIR"), Map.entry(21, "EISDIR"), Map.entry(22, "EINVAL"), Map.entry(24, "EMFILE"),
            Map.entry(28, "ENOSPC"), Map.entry(34, "ERANGE"), Map.entry(38, "ENOSYS"), Map.entry(40, "ELOOP"),
            Map.entry(61, "ENODATA"), Map.entry(75, "EOVERFLOW"), Map.entry(95, "EOPNOTSUPP"),
            Map.entry(524, "ENOTSUPP"),
            // libbpf's own codes (libbpf.h enum libbpf_errno)
            Map.entry(4000, "LIBBPF_ERRNO__LIBELF"), Map.entry(4001, "LIBBPF_ERRNO__FORMAT"),
            Map.entry(4002, "LIBBPF_ERRNO__KVERSION"), Map.entry(4003, "LIBBPF_ERRNO__ENDIAN"),
            Map.entry(4004, "LIBBPF_ERRNO__INTERNAL"), Map.entry(4005, "LIBBPF_ERRNO__RELOC"),
            Map.entry(4006, "LIBBPF_ERRNO__LOAD"), Map.entry(4007, "LIBBPF_ERRNO__VERIFY"),
            Map.entry(4008, "LIBBPF_ERRNO__PROG2BIG"), Map.entry(4009, "LIBBPF_ERRNO__KVER"),
            Map.entry(4010, "LIBBPF_ERRNO__PROGTYPE"), Map.entry(4011, "LIBBPF_ERRNO__WRNGPID"),
            Map.entry(4012, "LIBBPF_ERRNO__INVSEQ"), Map.entry(4013, "LIBBPF_ERRNO__NLPARSE"));

    /** Every known code and its name (LibBpfConstantsIT checks them against errno.h and libbpf.h). */
    static Map<Integer, String> all() {
        return NAMES;
    }

    static String name(int errno) {
        return NAMES.getOrDefault(errno, "errno " + errno);
    }
}

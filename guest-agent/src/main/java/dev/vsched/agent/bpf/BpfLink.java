package dev.vsched.agent.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An attachment (a tracing program on its hook, or a registered struct_ops scheduler). {@link #close()}
 * detaches it and frees libbpf's link exactly once; the owning {@link BpfObject}'s close does it for any
 * link still open.
 */
public final class BpfLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BpfLink.class);

    private final BpfObject owner;
    private final String name;
    private MemorySegment link;

    BpfLink(BpfObject owner, MemorySegment link, String name) {
        this.owner = owner;
        this.link = link;
        this.name = name;
    }

    /** The program or struct_ops map this link attaches. */
    public String name() {
        return name;
    }

    public boolean isDestroyed() {
        synchronized (owner) {
            return link == null;
        }
    }

    /** The link's fd (its /proc/self/fdinfo entry shows link_id and prog_id). */
    public int fd() {
        synchronized (owner) {
            return LibBpf.bpf_link__fd(handle());
        }
    }

    /** Pins the link in bpffs so it survives this process; only for deliberate hand-over. */
    public void pin(String bpffsPath) throws BpfException {
        synchronized (owner) {
            try (Arena arena = Arena.ofConfined()) {
                int err = LibBpf.bpf_link__pin(handle(), arena.allocateFrom(bpffsPath));
                if (err < 0) {
                    throw BpfException.of("bpf_link__pin", -err, "'" + name + "' at " + bpffsPath);
                }
            }
        }
    }

    public void unpin() throws BpfException {
        synchronized (owner) {
            int err = LibBpf.bpf_link__unpin(handle());
            if (err < 0) {
                throw BpfException.of("bpf_link__unpin", -err, "'" + name + "'");
            }
        }
    }

    /** Detaches and frees the link; later calls do nothing. */
    @Override
    public void close() {
        synchronized (owner) {
            if (link == null) {
                return;
            }
            MemorySegment l = link;
            link = null;
            int err = LibBpf.bpf_link__destroy(l);
            if (err < 0) {
                // libbpf has freed the link either way; nothing to retry.
                LOG.warn("bpf_link__destroy '{}': {} {}", name, ErrnoNames.name(-err), LibBpf.strerror(-err));
            }
        }
    }

    private MemorySegment handle() {
        if (link == null) {
            throw new IllegalStateException("link '" + name + "' is destroyed");
        }
        return link;
    }

    @Override
    public String toString() {
        return "BpfLink[" + name + (isDestroyed() ? ", destroyed" : "") + "]";
    }
}

package dev.vsched.agent.bpf;

import java.lang.foreign.MemorySegment;

/** A program of a {@link BpfObject}; valid while the object is open. */
public final class BpfProgram {
    private final BpfObject owner;
    private final MemorySegment prog;
    private final String name;

    BpfProgram(BpfObject owner, MemorySegment prog, String name) {
        this.owner = owner;
        this.prog = prog;
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** The ELF section, e.g. {@code tp_btf/sched_switch}: says where {@link BpfObject#attach} attaches it. */
    public String sectionName() {
        synchronized (owner) {
            return LibBpf.string(LibBpf.bpf_program__section_name(handle()));
        }
    }

    /** enum bpf_prog_type */
    public int type() {
        synchronized (owner) {
            return LibBpf.bpf_program__type(handle());
        }
    }

    /** struct_ops programs are registered through their map, not attached one by one. */
    public boolean isStructOps() {
        return type() == LibBpf.BPF_PROG_TYPE_STRUCT_OPS;
    }

    /** The program's fd after load. */
    public int fd() throws BpfException {
        synchronized (owner) {
            int fd = LibBpf.bpf_program__fd(handle());
            if (fd < 0) {
                throw BpfException.of("bpf_program__fd", -fd, "'" + name + "' of " + owner.path());
            }
            return fd;
        }
    }

    MemorySegment handle() {
        owner.handle();
        return prog;
    }

    void checkOwner(BpfObject o) {
        if (o != owner) {
            throw new IllegalArgumentException("program '" + name + "' belongs to " + owner.path());
        }
    }

    @Override
    public String toString() {
        return "BpfProgram[" + name + " of " + owner.path() + "]";
    }
}

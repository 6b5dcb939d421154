package dev.vsched.agent.bpf;

import dev.vsched.probers.sys.LibC;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One BPF object file opened through libbpf, in the order bpf/README.md ("Loading") prescribes:
 * {@link #open}, {@link #setMaxEntries} for the per-vCPU maps, {@link #load} (the kernel verifier runs here),
 * fill maps, {@link #attachAll()} / {@link #attach}, {@link #attachStructOps}, and finally {@link #close()},
 * which destroys every link made through this object that is still attached (newest first, so the
 * struct_ops scheduler goes before the tracing programs it reads) and then frees the object.
 *
 * <p>All native calls on the object, its maps, programs and links are serialised on this object, so a
 * reader thread can never use a map that another thread has just freed. If the process dies without
 * {@code close()}, the kernel drops the links with their file descriptors (a sched_ext scheduler is then
 * replaced by the default one).
 */
public final class BpfObject implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BpfObject.class);

    private final Path path;
    private MemorySegment obj;
    private boolean loaded;
    private final List<BpfLink> links = new ArrayList<>();

    private BpfObject(Path path, MemorySegment obj) {
        this.path = path;
        this.obj = obj;
    }

    /** Opens (parses, does not load) a BPF ELF object. A missing or malformed file names the path. */
    public static BpfObject open(Path path) throws BpfException {
        LibBpf.requireLoaded();
        LibBpfLog.install();
        String p = path.toString();
        try (Arena arena = Arena.ofConfined(); LibBpfLog.Capture cap = LibBpfLog.capture()) {
            MemorySegment state = LibC.allocateCapturedState(arena);
            MemorySegment o = LibBpf.bpf_object__open_file(state, arena.allocateFrom(p), MemorySegment.NULL);
            if (o.equals(MemorySegment.NULL)) {
                throw BpfException.of("bpf_object__open_file", LibC.errno(state), p, cap.lines());
            }
            return new BpfObject(path, o);
        }
    }

    public Path path() {
        return path;
    }

    /** libbpf's name for the object (the file name without .bpf.o / .o). */
    public synchronized String name() {
        return LibBpf.string(LibBpf.bpf_object__name(handle()));
    }

    public synchronized boolean isLoaded() {
        return loaded;
    }

    /** Names of all programs, in ELF order. */
    public synchronized List<String> programNames() {
        List<String> names = new ArrayList<>();
        MemorySegment o = handle();
        for (MemorySegment p = LibBpf.bpf_object__next_program(o, MemorySegment.NULL); !p.equals(MemorySegment.NULL);
                p = LibBpf.bpf_object__next_program(o, p)) {
            names.add(LibBpf.string(LibBpf.bpf_program__name(p)));
        }
        return names;
    }

    /** Names of all maps, internal ones (.bss, .rodata...) included. */
    public synchronized List<String> mapNames() {
        List<String> names = new ArrayList<>();
        MemorySegment o = handle();
        for (MemorySegment m = LibBpf.bpf_object__next_map(o, MemorySegment.NULL); !m.equals(MemorySegment.NULL);
                m = LibBpf.bpf_object__next_map(o, m)) {
            names.add(LibBpf.string(LibBpf.bpf_map__name(m)));
        }
        return names;
    }

    /** The map called {@code name}; a BpfException (ENOENT) naming map and object if there is none. */
    public synchronized BpfMap map(String name) throws BpfException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.allocateCapturedState(arena);
            MemorySegment m = LibBpf.bpf_object__find_map_by_name(state, handle(), arena.allocateFrom(name));
            if (m.equals(MemorySegment.NULL)) {
                throw BpfException.of("bpf_object__find_map_by_name", LibC.errno(state),
                        "'" + name + "' in " + path);
            }
            return new BpfMap(this, m, name);
        }
    }

    /** The program called {@code name} (its C function name). */
    public synchronized BpfProgram program(String name) throws BpfException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.allocateCapturedState(arena);
            MemorySegment p = LibBpf.bpf_object__find_program_by_name(state, handle(), arena.allocateFrom(name));
            if (p.equals(MemorySegment.NULL)) {
                throw BpfException.of("bpf_object__find_program_by_name", LibC.errno(state),
                        "'" + name + "' in " + path);
            }
            return new BpfProgram(this, p, name);
        }
    }

    /** All programs, in ELF order. */
    public synchronized List<BpfProgram> programs() {
        List<BpfProgram> out = new ArrayList<>();
        MemorySegment o = handle();
        for (MemorySegment p = LibBpf.bpf_object__next_program(o, MemorySegment.NULL); !p.equals(MemorySegment.NULL);
                p = LibBpf.bpf_object__next_program(o, p)) {
            out.add(new BpfProgram(this, p, LibBpf.string(LibBpf.bpf_program__name(p))));
        }
        return out;
    }

    /** Sizes a map before {@link #load()}; per-vCPU maps get nr_cpu_ids entries. */
    public BpfObject setMaxEntries(String mapName, int maxEntries) throws BpfException {
        map(mapName).setMaxEntries(maxEntries);
        return this;
    }

    /**
     * Creates the maps and loads every program into the kernel (CO-RE relocation, then the verifier).
     * On failure the exception carries libbpf's last log lines, which end with the verifier's verdict.
     */
    public synchronized void load() throws BpfException {
        MemorySegment o = handle();
        if (loaded) {
            throw new BpfException("bpf_object__load", 0, "already loaded", path.toString());
        }
        long t0 = System.nanoTime();
        try (LibBpfLog.Capture cap = LibBpfLog.capture()) {
            int err = LibBpf.bpf_object__load(o);
            if (err < 0) {
                throw BpfException.of("bpf_object__load", -err, path.toString(), cap.lines());
            }
        }
        loaded = true;
        LOG.debug("loaded {} in {} ms", path, (System.nanoTime() - t0) / 1_000_000);
    }

    /** Attaches one program where its SEC() says (tracepoint, tp_btf, ...). */
    public BpfLink attach(String programName) throws BpfException {
        return attach(program(programName));
    }

    /** Attaches one program where its SEC() says. */
    public synchronized BpfLink attach(BpfProgram program) throws BpfException {
        program.checkOwner(this);
        requireLoaded("bpf_program__attach", program.name());
        try (Arena arena = Arena.ofConfined(); LibBpfLog.Capture cap = LibBpfLog.capture()) {
            MemorySegment state = LibC.allocateCapturedState(arena);
            MemorySegment l = LibBpf.bpf_program__attach(state, program.handle());
            if (l.equals(MemorySegment.NULL)) {
                throw BpfException.of("bpf_program__attach", LibC.errno(state),
                        "'" + program.name() + "' of " + path, cap.lines());
            }
            BpfLink link = new BpfLink(this, l, program.name());
            links.add(link);
            return link;
        }
    }

    /**
     * Attaches every program that is not struct_ops, in ELF order (bpf/README.md step 6). If one fails,
     * the ones attached by this call are destroyed again before the exception propagates.
     */
    public synchronized List<BpfLink> attachAll() throws BpfException {
        List<BpfLink> made = new ArrayList<>();
        try {
            for (BpfProgram p : programs()) {
                if (!p.isStructOps()) {
                    made.add(attach(p));
                }
            }
        } catch (BpfException | RuntimeException e) {
            for (int i = made.size() - 1; i >= 0; i--) {
                made.get(i).close();
            }
            throw e;
        }
        return List.copyOf(made);
    }

    /** Registers the struct_ops map {@code mapName} (the sched_ext scheduler); closing the link unregisters it. */
    public synchronized BpfLink attachStructOps(String mapName) throws BpfException {
        BpfMap m = map(mapName);
        requireLoaded("bpf_map__attach_struct_ops", mapName);
        try (Arena arena = Arena.ofConfined(); LibBpfLog.Capture cap = LibBpfLog.capture()) {
            MemorySegment state = LibC.allocateCapturedState(arena);
            MemorySegment l = LibBpf.bpf_map__attach_struct_ops(state, m.handle());
            if (l.equals(MemorySegment.NULL)) {
                throw BpfException.of("bpf_map__attach_struct_ops", LibC.errno(state),
                        "'" + mapName + "' of " + path, cap.lines());
            }
            BpfLink link = new BpfLink(this, l, mapName);
            links.add(link);
            return link;
        }
    }

    /** Links made through this object that are still attached, oldest first. */
    public synchronized List<BpfLink> links() {
        return links.stream().filter(l -> !l.isDestroyed()).toList();
    }

    /** Destroys this object's remaining links (newest first), then frees the object. Idempotent. */
    @Override
    public synchronized void close() {
        if (obj == null) {
            return;
        }
        for (int i = links.size() - 1; i >= 0; i--) {
            links.get(i).close();
        }
        links.clear();
        LibBpf.bpf_object__close(obj);
        obj = null;
        loaded = false;
    }

    synchronized boolean isClosed() {
        return obj == null;
    }

    /** The native handle; throws if closed, so no call ever reaches freed memory. Caller holds the lock. */
    MemorySegment handle() {
        if (obj == null) {
            throw new IllegalStateException("BPF object " + path + " is closed");
        }
        return obj;
    }

    void requireLoaded(String call, String what) throws BpfException {
        handle();
        if (!loaded) {
            throw new BpfException(call, 0, "object not loaded yet (call load() first)", "'" + what + "' of " + path);
        }
    }

    void requireNotLoaded(String call, String what) throws BpfException {
        handle();
        if (loaded) {
            throw new BpfException(call, 0, "object already loaded (only possible before load())",
                    "'" + what + "' of " + path);
        }
    }

    @Override
    public String toString() {
        return "BpfObject[" + path + (isClosed() ? ", closed" : loaded ? ", loaded" : ", opened") + "]";
    }
}

package dev.vsched.agent.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import dev.vsched.probers.proc.CpuList;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A map of a {@link BpfObject}, valid while the object is open. Keys and values are {@link MemorySegment}s
 * whose size must equal the map's key and value size exactly (a size mismatch means the Java mirror and the
 * BPF object disagree about a layout, which must never be papered over). Per-CPU maps hold one value per
 * possible CPU: {@link #lookupPerCpu} returns them keyed by CPU id.
 */
public final class BpfMap {
    private static final String POSSIBLE = "/sys/devices/system/cpu/possible";

    private final BpfObject owner;
    private final MemorySegment map;
    private final String name;

    // Fixed by the ELF object (we bind no setter for them): read once instead of per lookup.
    private final int type;
    private final int keySize;
    private final int valueSize;

    BpfMap(BpfObject owner, MemorySegment map, String name) {
        this.owner = owner;
        this.map = map;
        this.name = name;
        this.type = LibBpf.bpf_map__type(map);
        this.keySize = LibBpf.bpf_map__key_size(map);
        this.valueSize = LibBpf.bpf_map__value_size(map);
    }

    public String name() {
        return name;
    }

    /** enum bpf_map_type */
    public int type() {
        return type;
    }

    public boolean isPerCpu() {
        int t = type();
        return t == LibBpf.BPF_MAP_TYPE_PERCPU_ARRAY || t == LibBpf.BPF_MAP_TYPE_PERCPU_HASH
                || t == LibBpf.BPF_MAP_TYPE_LRU_PERCPU_HASH || t == LibBpf.BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
    }

    public int keySize() {
        return keySize;
    }

    /** Size of one value (of one CPU's copy, for per-CPU maps). */
    public int valueSize() {
        return valueSize;
    }

    public long maxEntries() {
        synchronized (owner) {
            return Integer.toUnsignedLong(LibBpf.bpf_map__max_entries(handle()));
        }
    }

    /** The map's fd after load. */
    public int fd() throws BpfException {
        synchronized (owner) {
            int fd = LibBpf.bpf_map__fd(handle());
            if (fd < 0) {
                throw BpfException.of("bpf_map__fd", -fd, subject());
            }
            return fd;
        }
    }

    /** Before load only. */
    public void setMaxEntries(int maxEntries) throws BpfException {
        if (maxEntries <= 0) {
            throw new IllegalArgumentException("max_entries of " + name + " must be positive, not " + maxEntries);
        }
        synchronized (owner) {
            owner.requireNotLoaded("bpf_map__set_max_entries", name);
            int err = LibBpf.bpf_map__set_max_entries(handle(), maxEntries);
            if (err < 0) {
                throw BpfException.of("bpf_map__set_max_entries", -err, subject() + " to " + maxEntries);
            }
        }
    }

    /**
     * Copies the value under {@code key} into {@code value}. Returns false if the key has no value (ENOENT,
     * hash maps); every other failure throws.
     */
    public boolean lookup(MemorySegment key, MemorySegment value) throws BpfException {
        if (isPerCpu()) {
            throw new IllegalStateException(name + " is a per-CPU map: use lookupPerCpu");
        }
        synchronized (owner) {
            owner.requireLoaded("bpf_map__lookup_elem", name);
            long vsz = checkSizes(key, value, 1);
            int err = LibBpf.bpf_map__lookup_elem(handle(), key, key.byteSize(), value, vsz, 0);
            if (err == -2) {
                return false;
            }
            if (err < 0) {
                throw BpfException.of("bpf_map__lookup_elem", -err, subject());
            }
            return true;
        }
    }

    /** The value at array index {@code index} (u32 key), freshly allocated in {@code arena}. */
    public MemorySegment lookup(int index, Arena arena) throws BpfException {
        MemorySegment value = arena.allocate(valueSize(), 8);
        try (Arena tmp = Arena.ofConfined()) {
            if (!lookup(u32Key(tmp, index), value)) {
                throw BpfException.of("bpf_map__lookup_elem", 2, subject() + "[" + Integer.toUnsignedString(index) + "]");
            }
        }
        return value;
    }

    /**
     * Per-CPU maps: the value of every possible CPU under {@code index} (u32 key), keyed by CPU id, each a
     * {@link #valueSize()}-byte slice of one buffer allocated in {@code arena}. The kernel copies one value
     * per possible CPU in id order, so with holes in the possible mask the i-th copy is the i-th possible
     * CPU's, not CPU i's.
     */
    public SortedMap<Integer, MemorySegment> lookupPerCpu(int index, Arena arena) throws BpfException {
        if (!isPerCpu()) {
            throw new IllegalStateException(name + " is not a per-CPU map");
        }
        int[] ids = possibleCpuIds();
        int cpus = possibleCpus();
        if (cpus != ids.length) {
            throw new IllegalStateException("libbpf counts " + cpus + " possible CPUs, "
                    + POSSIBLE + " lists " + ids.length);
        }
        long vsz = valueSize();
        long stride = (vsz + 7) & ~7L;  // the kernel copies each CPU's value at an 8-byte stride
        MemorySegment all = arena.allocate(stride * cpus, 8);
        synchronized (owner) {
            owner.requireLoaded("bpf_map__lookup_elem", name);
            try (Arena tmp = Arena.ofConfined()) {
                MemorySegment key = u32Key(tmp, index);
                checkKey(key);
                int err = LibBpf.bpf_map__lookup_elem(handle(), key, key.byteSize(), all, all.byteSize(), 0);
                if (err < 0) {
                    throw BpfException.of("bpf_map__lookup_elem", -err,
                            subject() + "[" + Integer.toUnsignedString(index) + "] (per-CPU, " + cpus + " CPUs)");
                }
            }
        }
        SortedMap<Integer, MemorySegment> out = new TreeMap<>();
        for (int i = 0; i < cpus; i++) {
            out.put(ids[i], all.asSlice(i * stride, vsz));
        }
        return out;
    }

    /** Writes {@code value} under {@code key}; flags are BPF_ANY, BPF_NOEXIST or BPF_EXIST. */
    public void update(MemorySegment key, MemorySegment value, long flags) throws BpfException {
        synchronized (owner) {
            owner.requireLoaded("bpf_map__update_elem", name);
            long vsz = checkSizes(key, value, 1);
            int err = LibBpf.bpf_map__update_elem(handle(), key, key.byteSize(), value, vsz, flags);
            if (err < 0) {
                throw BpfException.of("bpf_map__update_elem", -err, subject());
            }
        }
    }

    /** Writes {@code value} at array index {@code index} (u32 key). */
    public void update(int index, MemorySegment value) throws BpfException {
        try (Arena tmp = Arena.ofConfined()) {
            update(u32Key(tmp, index), value, LibBpf.BPF_ANY);
        }
    }

    /** Number of possible CPUs as libbpf counts them (the weight of the possible mask): per-CPU copies. */
    public static int possibleCpus() throws BpfException {
        LibBpf.requireLoaded();
        int n = LibBpf.libbpf_num_possible_cpus();
        if (n <= 0) {
            throw BpfException.of("libbpf_num_possible_cpus", -n, POSSIBLE);
        }
        return n;
    }

    /** The ids of the possible CPUs, ascending. */
    public static int[] possibleCpuIds() {
        try {
            return CpuList.parse(Files.readString(Path.of(POSSIBLE)).strip()).stream().toArray();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot read " + POSSIBLE + ": " + e.getMessage(), e);
        }
    }

    /**
     * nr_cpu_ids, the highest possible CPU id + 1: the max_entries of per-vCPU ARRAY maps such as vs_vact,
     * which are indexed by CPU id (bpf/README.md, loading step 3).
     */
    public static int nrCpuIds() {
        int[] ids = possibleCpuIds();
        if (ids.length == 0) {
            throw new IllegalStateException(POSSIBLE + " lists no CPU");
        }
        return ids[ids.length - 1] + 1;
    }

    private static MemorySegment u32Key(Arena arena, int index) {
        MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
        key.set(ValueLayout.JAVA_INT, 0, index);
        return key;
    }

    private void checkKey(MemorySegment key) {
        if (key.byteSize() != keySize) {
            throw new IllegalArgumentException(name + ": key is " + keySize + " bytes, got " + key.byteSize());
        }
    }

    private long checkSizes(MemorySegment key, MemorySegment value, int copies) {
        checkKey(key);
        long vsz = (long) valueSize * copies;
        if (value.byteSize() != vsz) {
            throw new IllegalArgumentException(name + ": value is " + vsz + " bytes, got " + value.byteSize()
                    + " (does the Java layout match the BPF object?)");
        }
        return vsz;
    }

    private String subject() {
        return "'" + name + "' of " + owner.path();
    }

    MemorySegment handle() {
        owner.handle();
        return map;
    }

    @Override
    public String toString() {
        return "BpfMap[" + name + " of " + owner.path() + "]";
    }
}

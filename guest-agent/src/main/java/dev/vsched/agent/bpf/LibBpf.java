package dev.vsched.agent.bpf;

import dev.vsched.probers.sys.LibC;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Hand-written FFM bindings for libbpf.so.1 (Debian libbpf1), in the shape jextract generates: one
 * holder class per function with its {@code DESC} and {@code HANDLE}, and a static wrapper named like the
 * C function. libbpf's structs ({@code bpf_object}, {@code bpf_map}, {@code bpf_program}, {@code bpf_link})
 * are opaque {@link MemorySegment} addresses: their layouts change between libbpf versions (1.4 on the
 * bookworm host, 1.7 in the sid guest), and only libbpf itself may look inside.
 *
 * <p>Error convention (libbpf >= 1.0): functions returning a pointer return NULL and set errno; functions
 * returning int return a negative errno and also set errno. Wrappers of the former take a captured-state
 * segment ({@link LibC#allocateCapturedState}) as first argument, as jextract does for
 * {@code captureCallState}; read it with {@link #errno}.
 *
 * <p>The library is looked up on first use; {@link #requireLoaded()} turns a missing libbpf into a clear
 * {@link BpfException} before any holder class is touched (a failing static initializer would otherwise
 * surface as {@code ExceptionInInitializerError}).
 */
public final class LibBpf {
    private LibBpf() {
    }

    public static final String SONAME = "libbpf.so.1";
    /** What provides {@link #SONAME}, for the message when it is missing. */
    public static final String PACKAGE_HINT = "Debian package libbpf1 (bookworm: from bookworm-backports; "
            + "bpf/scripts/host-deps.sh installs it)";

    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfLong C_SIZE_T = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfBoolean C_BOOL = ValueLayout.JAVA_BOOLEAN;
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS;

    /** enum libbpf_print_level */
    public static final int LIBBPF_WARN = 0;
    public static final int LIBBPF_INFO = 1;
    public static final int LIBBPF_DEBUG = 2;

    /** enum bpf_prog_type values used here (uapi linux/bpf.h; checked by LibBpfConstantsIT). */
    public static final int BPF_PROG_TYPE_STRUCT_OPS = 27;
    /** enum bpf_map_type values of the per-CPU maps (their values are one copy per possible CPU). */
    public static final int BPF_MAP_TYPE_PERCPU_HASH = 5;
    public static final int BPF_MAP_TYPE_PERCPU_ARRAY = 6;
    public static final int BPF_MAP_TYPE_LRU_PERCPU_HASH = 10;
    public static final int BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE = 21;
    /** bpf_map_update_elem flags */
    public static final long BPF_ANY = 0;
    public static final long BPF_NOEXIST = 1;
    public static final long BPF_EXIST = 2;

    static final Linker LINKER = Linker.nativeLinker();
    /** The library lookup, or why there is none; computed once, never throws. */
    private static final class Lib {
        static final SymbolLookup LOOKUP;
        static final String FAILURE;

        static {
            // The global arena: libbpf keeps our print callback and its own state for the process's life.
            String failure = loadFailure(SONAME, Arena.global());
            LOOKUP = failure == null ? SymbolLookup.libraryLookup(SONAME, Arena.global()) : null;
            FAILURE = failure;
        }
    }

    /** Null if {@code soname} can be dlopen()ed, else a message saying which package provides libbpf. */
    static String loadFailure(String soname, Arena arena) {
        try {
            SymbolLookup.libraryLookup(soname, arena);
            return null;
        } catch (IllegalArgumentException | IllegalCallerException e) {
            return soname + " could not be loaded (" + e.getMessage() + "): install the " + PACKAGE_HINT;
        }
    }

    /** True when libbpf.so.1 could be loaded into this process. */
    public static boolean isAvailable() {
        return Lib.LOOKUP != null;
    }

    /** Throws a {@link BpfException} naming the package to install when libbpf.so.1 is missing. */
    public static void requireLoaded() throws BpfException {
        if (Lib.LOOKUP == null) {
            throw new BpfException("dlopen", 0, Lib.FAILURE, SONAME);
        }
    }

    static MethodHandle downcall(String name, FunctionDescriptor desc, Linker.Option... options) {
        if (Lib.LOOKUP == null) {
            throw new IllegalStateException(Lib.FAILURE);
        }
        Optional<MemorySegment> addr = Lib.LOOKUP.find(name);
        if (addr.isEmpty()) {
            throw new IllegalStateException(SONAME + " has no symbol " + name + " (libbpf too old?)");
        }
        return LINKER.downcallHandle(addr.get(), desc, options);
    }

    // ---- version ----

    private static final class libbpf_major_version {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT);
        static final MethodHandle HANDLE = downcall("libbpf_major_version", DESC);
    }

    /** __u32 libbpf_major_version(void); */
    public static int libbpf_major_version() {
        try {
            return (int) libbpf_major_version.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class libbpf_minor_version {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT);
        static final MethodHandle HANDLE = downcall("libbpf_minor_version", DESC);
    }

    /** __u32 libbpf_minor_version(void); */
    public static int libbpf_minor_version() {
        try {
            return (int) libbpf_minor_version.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class libbpf_version_string {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER);
        static final MethodHandle HANDLE = downcall("libbpf_version_string", DESC);
    }

    /** const char *libbpf_version_string(void); */
    public static MemorySegment libbpf_version_string() {
        try {
            return (MemorySegment) libbpf_version_string.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    // ---- misc ----

    private static final class libbpf_num_possible_cpus {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT);
        static final MethodHandle HANDLE = downcall("libbpf_num_possible_cpus", DESC);
    }

    /** int libbpf_num_possible_cpus(void); the count, or a negative errno. */
    public static int libbpf_num_possible_cpus() {
        try {
            return (int) libbpf_num_possible_cpus.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class libbpf_strerror {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_SIZE_T);
        static final MethodHandle HANDLE = downcall("libbpf_strerror", DESC);
    }

    /** int libbpf_strerror(int err, char *buf, size_t size); also knows libbpf's own codes (>= 4000). */
    public static int libbpf_strerror(int err, MemorySegment buf, long size) {
        try {
            return (int) libbpf_strerror.HANDLE.invokeExact(err, buf, size);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** libbpf_print_fn_t: int (*)(enum libbpf_print_level level, const char *fmt, va_list ap) */
    public static final FunctionDescriptor LIBBPF_PRINT_FN = FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER);

    private static final class libbpf_set_print {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = downcall("libbpf_set_print", DESC);
    }

    /** libbpf_print_fn_t libbpf_set_print(libbpf_print_fn_t fn); returns the previous function. */
    public static MemorySegment libbpf_set_print(MemorySegment fn) {
        try {
            return (MemorySegment) libbpf_set_print.HANDLE.invokeExact(fn);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    // ---- bpf_object ----

    private static final class bpf_object__open_file {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_object__open_file", DESC, LibC.CAPTURE_ERRNO);
    }

    /** struct bpf_object *bpf_object__open_file(const char *path, const struct bpf_object_open_opts *opts); */
    public static MemorySegment bpf_object__open_file(MemorySegment state, MemorySegment path, MemorySegment opts) {
        try {
            return (MemorySegment) bpf_object__open_file.HANDLE.invokeExact(state, path, opts);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_object__load {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_object__load", DESC);
    }

    /** int bpf_object__load(struct bpf_object *obj); 0 or a negative errno. */
    public static int bpf_object__load(MemorySegment obj) {
        try {
            return (int) bpf_object__load.HANDLE.invokeExact(obj);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_object__close {
        static final FunctionDescriptor DESC = FunctionDescriptor.ofVoid(C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_object__close", DESC);
    }

    /** void bpf_object__close(struct bpf_object *obj); */
    public static void bpf_object__close(MemorySegment obj) {
        try {
            bpf_object__close.HANDLE.invokeExact(obj);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_object__name {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_object__name", DESC);
    }

    /** const char *bpf_object__name(const struct bpf_object *obj); */
    public static MemorySegment bpf_object__name(MemorySegment obj) {
        try {
            return (MemorySegment) bpf_object__name.HANDLE.invokeExact(obj);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_object__find_map_by_name {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_object__find_map_by_name", DESC, LibC.CAPTURE_ERRNO);
    }

    /** struct bpf_map *bpf_object__find_map_by_name(const struct bpf_object *obj, const char *name); */
    public static MemorySegment bpf_object__find_map_by_name(MemorySegment state, MemorySegment obj, MemorySegment name) {
        try {
            return (MemorySegment) bpf_object__find_map_by_name.HANDLE.invokeExact(state, obj, name);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_object__find_program_by_name {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_object__find_program_by_name", DESC, LibC.CAPTURE_ERRNO);
    }

    /** struct bpf_program *bpf_object__find_program_by_name(const struct bpf_object *obj, const char *name); */
    public static MemorySegment bpf_object__find_program_by_name(MemorySegment state, MemorySegment obj,
            MemorySegment name) {
        try {
            return (MemorySegment) bpf_object__find_program_by_name.HANDLE.invokeExact(state, obj, name);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_object__next_program {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_object__next_program", DESC);
    }

    /** struct bpf_program *bpf_object__next_program(const struct bpf_object *obj, struct bpf_program *prog); */
    public static MemorySegment bpf_object__next_program(MemorySegment obj, MemorySegment prog) {
        try {
            return (MemorySegment) bpf_object__next_program.HANDLE.invokeExact(obj, prog);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_object__next_map {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_object__next_map", DESC);
    }

    /** struct bpf_map *bpf_object__next_map(const struct bpf_object *obj, const struct bpf_map *map); */
    public static MemorySegment bpf_object__next_map(MemorySegment obj, MemorySegment map) {
        try {
            return (MemorySegment) bpf_object__next_map.HANDLE.invokeExact(obj, map);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    // ---- bpf_program ----

    private static final class bpf_program__name {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_program__name", DESC);
    }

    /** const char *bpf_program__name(const struct bpf_program *prog); */
    public static MemorySegment bpf_program__name(MemorySegment prog) {
        try {
            return (MemorySegment) bpf_program__name.HANDLE.invokeExact(prog);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_program__section_name {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_program__section_name", DESC);
    }

    /** const char *bpf_program__section_name(const struct bpf_program *prog); */
    public static MemorySegment bpf_program__section_name(MemorySegment prog) {
        try {
            return (MemorySegment) bpf_program__section_name.HANDLE.invokeExact(prog);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_program__type {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_program__type", DESC);
    }

    /** enum bpf_prog_type bpf_program__type(const struct bpf_program *prog); */
    public static int bpf_program__type(MemorySegment prog) {
        try {
            return (int) bpf_program__type.HANDLE.invokeExact(prog);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_program__fd {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_program__fd", DESC);
    }

    /** int bpf_program__fd(const struct bpf_program *prog); a negative errno before load. */
    public static int bpf_program__fd(MemorySegment prog) {
        try {
            return (int) bpf_program__fd.HANDLE.invokeExact(prog);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_program__attach {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_program__attach", DESC, LibC.CAPTURE_ERRNO);
    }

    /** struct bpf_link *bpf_program__attach(const struct bpf_program *prog); NULL and errno on failure. */
    public static MemorySegment bpf_program__attach(MemorySegment state, MemorySegment prog) {
        try {
            return (MemorySegment) bpf_program__attach.HANDLE.invokeExact(state, prog);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    // ---- bpf_map ----

    private static final class bpf_map__name {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_map__name", DESC);
    }

    /** const char *bpf_map__name(const struct bpf_map *map); */
    public static MemorySegment bpf_map__name(MemorySegment map) {
        try {
            return (MemorySegment) bpf_map__name.HANDLE.invokeExact(map);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_map__type {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_map__type", DESC);
    }

    /** enum bpf_map_type bpf_map__type(const struct bpf_map *map); */
    public static int bpf_map__type(MemorySegment map) {
        try {
            return (int) bpf_map__type.HANDLE.invokeExact(map);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_map__set_max_entries {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        static final MethodHandle HANDLE = downcall("bpf_map__set_max_entries", DESC);
    }

    /** int bpf_map__set_max_entries(struct bpf_map *map, __u32 max_entries); -EBUSY after load. */
    public static int bpf_map__set_max_entries(MemorySegment map, int maxEntries) {
        try {
            return (int) bpf_map__set_max_entries.HANDLE.invokeExact(map, maxEntries);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_map__max_entries {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_map__max_entries", DESC);
    }

    /** __u32 bpf_map__max_entries(const struct bpf_map *map); */
    public static int bpf_map__max_entries(MemorySegment map) {
        try {
            return (int) bpf_map__max_entries.HANDLE.invokeExact(map);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_map__key_size {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_map__key_size", DESC);
    }

    /** __u32 bpf_map__key_size(const struct bpf_map *map); */
    public static int bpf_map__key_size(MemorySegment map) {
        try {
            return (int) bpf_map__key_size.HANDLE.invokeExact(map);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_map__value_size {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_map__value_size", DESC);
    }

    /** __u32 bpf_map__value_size(const struct bpf_map *map); */
    public static int bpf_map__value_size(MemorySegment map) {
        try {
            return (int) bpf_map__value_size.HANDLE.invokeExact(map);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_map__fd {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_map__fd", DESC);
    }

    /** int bpf_map__fd(const struct bpf_map *map); a negative errno before load. */
    public static int bpf_map__fd(MemorySegment map) {
        try {
            return (int) bpf_map__fd.HANDLE.invokeExact(map);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_map__lookup_elem {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_SIZE_T,
                C_POINTER, C_SIZE_T, C_LONG);
        static final MethodHandle HANDLE = downcall("bpf_map__lookup_elem", DESC);
    }

    /**
     * int bpf_map__lookup_elem(const struct bpf_map *map, const void *key, size_t key_sz, void *value,
     * size_t value_sz, __u64 flags); libbpf checks both sizes (per-CPU maps: one 8-byte-rounded value per
     * possible CPU) before the syscall.
     */
    public static int bpf_map__lookup_elem(MemorySegment map, MemorySegment key, long keySize, MemorySegment value,
            long valueSize, long flags) {
        try {
            return (int) bpf_map__lookup_elem.HANDLE.invokeExact(map, key, keySize, value, valueSize, flags);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_map__update_elem {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_SIZE_T,
                C_POINTER, C_SIZE_T, C_LONG);
        static final MethodHandle HANDLE = downcall("bpf_map__update_elem", DESC);
    }

    /**
     * int bpf_map__update_elem(const struct bpf_map *map, const void *key, size_t key_sz, const void *value,
     * size_t value_sz, __u64 flags);
     */
    public static int bpf_map__update_elem(MemorySegment map, MemorySegment key, long keySize, MemorySegment value,
            long valueSize, long flags) {
        try {
            return (int) bpf_map__update_elem.HANDLE.invokeExact(map, key, keySize, value, valueSize, flags);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_map_lookup_elem {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_map_lookup_elem", DESC, LibC.CAPTURE_ERRNO);
    }

    /** int bpf_map_lookup_elem(int fd, const void *key, void *value); the raw syscall wrapper, no size checks. */
    public static int bpf_map_lookup_elem(MemorySegment state, int fd, MemorySegment key, MemorySegment value) {
        try {
            return (int) bpf_map_lookup_elem.HANDLE.invokeExact(state, fd, key, value);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_map_update_elem {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER, C_LONG);
        static final MethodHandle HANDLE = downcall("bpf_map_update_elem", DESC, LibC.CAPTURE_ERRNO);
    }

    /** int bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags); */
    public static int bpf_map_update_elem(MemorySegment state, int fd, MemorySegment key, MemorySegment value,
            long flags) {
        try {
            return (int) bpf_map_update_elem.HANDLE.invokeExact(state, fd, key, value, flags);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_map__attach_struct_ops {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_map__attach_struct_ops", DESC, LibC.CAPTURE_ERRNO);
    }

    /** struct bpf_link *bpf_map__attach_struct_ops(const struct bpf_map *map); NULL and errno on failure. */
    public static MemorySegment bpf_map__attach_struct_ops(MemorySegment state, MemorySegment map) {
        try {
            return (MemorySegment) bpf_map__attach_struct_ops.HANDLE.invokeExact(state, map);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    // ---- bpf_link ----

    private static final class bpf_link__destroy {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_link__destroy", DESC);
    }

    /** int bpf_link__destroy(struct bpf_link *link); detaches (unless pinned) and frees the link. */
    public static int bpf_link__destroy(MemorySegment link) {
        try {
            return (int) bpf_link__destroy.HANDLE.invokeExact(link);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_link__fd {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_link__fd", DESC);
    }

    /** int bpf_link__fd(const struct bpf_link *link); */
    public static int bpf_link__fd(MemorySegment link) {
        try {
            return (int) bpf_link__fd.HANDLE.invokeExact(link);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_link__pin {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_link__pin", DESC);
    }

    /** int bpf_link__pin(struct bpf_link *link, const char *path); a pinned link outlives the process. */
    public static int bpf_link__pin(MemorySegment link, MemorySegment path) {
        try {
            return (int) bpf_link__pin.HANDLE.invokeExact(link, path);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static final class bpf_link__unpin {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = downcall("bpf_link__unpin", DESC);
    }

    /** int bpf_link__unpin(struct bpf_link *link); */
    public static int bpf_link__unpin(MemorySegment link) {
        try {
            return (int) bpf_link__unpin.HANDLE.invokeExact(link);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    // ---- helpers for the checked API ----

    /** libbpf's text for a (positive) error code, libbpf's own codes included. */
    public static String strerror(int err) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            libbpf_strerror(err, buf, buf.byteSize());
            return buf.getString(0);
        }
    }

    /** A C string returned by libbpf (NULL gives null). */
    static String string(MemorySegment cstr) {
        return cstr.equals(MemorySegment.NULL) ? null : cstr.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** "1.4.6" for the loaded libbpf. */
    public static String version() {
        String v = string(libbpf_version_string());
        return v != null && v.startsWith("v") ? v.substring(1) : v;
    }
}

// SPDX-License-Identifier: GPL-2.0
/*
 * vsched-loader: a small libbpf loader for tests and for people, doing what
 * the Java agent does (bpf/README.md, "Loading"), and printing what the BPF
 * side recorded as key=value lines.
 *
 *   vsched-loader vact  [-o OBJ] [-d SECONDS] [-t TICK_NS] [-j STEAL_JUMP_NS]
 *   vsched-loader sched [-o OBJ] [-d SECONDS] [-t TICK_NS] [-j STEAL_JUMP_NS] [-H CPULIST]
 *                       [-C CPU:CAP[,CPU:CAP...]] [-P POLICIES]
 *
 * vact attaches the vACT tracing programs for SECONDS (default 2) and dumps
 * every vCPU's activity.  sched additionally registers the sched_ext
 * scheduler, hides CPULIST from movable work (RWC), gives capacities
 * (0..1024) to vCPUs, runs for SECONDS while watching that the kernel keeps
 * the scheduler enabled, then detaches and dumps counters and exit info.
 * Exit status: 0 ok, 1 usage or setup error, 2 the scheduler was ejected.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vsched_intf.h"

static volatile sig_atomic_t stop_req;
static bool verbose;

static void on_signal(int sig)
{
	(void)sig;
	stop_req = 1;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("vsched-loader: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* nr_cpu_ids = highest possible CPU + 1 */
static unsigned int read_nr_cpu_ids(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	char buf[4096], *p, *end;
	long hi = -1;

	if (!f || !fgets(buf, sizeof(buf), f))
		die("cannot read /sys/devices/system/cpu/possible: %s", strerror(errno));
	fclose(f);
	for (p = buf; *p && *p != '\n';) {
		long a = strtol(p, &end, 10), b = a;

		if (end == p)
			die("bad /sys/devices/system/cpu/possible: '%s'", buf);
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		if (b > hi)
			hi = b;
		p = *end == ',' ? end + 1 : end;
	}
	if (hi < 0)
		die("no possible CPUs in '%s'", buf);
	return (unsigned int)hi + 1;
}

static long parse_num(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		die("bad %s '%s' (expected an integer in [%ld, %ld])", what, s, lo, hi);
	return v;
}

static struct bpf_map *need_map(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	if (!m)
		die("%s: no map '%s' (object from another vsched version?)",
		    bpf_object__name(obj), name);
	return m;
}

static void resize_cpu_map(struct bpf_object *obj, const char *name, unsigned int nr)
{
	int err = bpf_map__set_max_entries(need_map(obj, name), nr);

	if (err)
		die("resizing %s to %u entries: %s", name, nr, strerror(-err));
}

static void map_update(struct bpf_object *obj, const char *name, __u32 key,
		       const void *val, size_t sz)
{
	int err = bpf_map__update_elem(need_map(obj, name), &key, sizeof(key), val, sz, 0);

	if (err)
		die("updating %s[%u]: %s", name, key, strerror(-err));
}

static struct bpf_link **attach_tracing(struct bpf_object *obj, int *nr)
{
	struct bpf_program *prog;
	struct bpf_link **links = NULL;
	int n = 0;

	bpf_object__for_each_program(prog, obj) {
		struct bpf_link *l;

		if (bpf_program__type(prog) == BPF_PROG_TYPE_STRUCT_OPS)
			continue;
		l = bpf_program__attach(prog);
		if (!l)
			die("attaching %s: %s", bpf_program__name(prog), strerror(errno));
		links = realloc(links, sizeof(*links) * (n + 1));
		if (!links)
			die("out of memory");
		links[n++] = l;
	}
	*nr = n;
	return links;
}

static void dump_vact(struct bpf_object *obj, unsigned int nr_cpus)
{
	struct bpf_map *m = need_map(obj, VSCHED_MAP_VACT);
	__u64 now = now_ns();
	unsigned int cpu;

	for (cpu = 0; cpu < nr_cpus; cpu++) {
		struct vsched_vact_cpu v;
		char hist[VSCHED_HIST_BUCKETS * 12] = "";
		size_t off = 0;
		int i, err;

		err = bpf_map__lookup_elem(m, &cpu, sizeof(cpu), &v, sizeof(v), 0);
		if (err)
			die("reading %s[%u]: %s", VSCHED_MAP_VACT, cpu, strerror(-err));
		for (i = 0; i < VSCHED_HIST_BUCKETS; i++)
			off += snprintf(hist + off, sizeof(hist) - off, "%s%u",
					i ? "," : "", v.hist[i]);
		printf("vact cpu=%u hb_count=%llu hb_age_ns=%lld tick_ns=%u idle=%u "
		       "steal_ns=%llu steal_jumps=%llu steal_jump_sum_ns=%llu "
		       "steal_jump_max_ns=%llu inactive_count=%llu inactive_sum_ns=%llu "
		       "inactive_max_ns=%llu idle_gaps=%llu pv_supported=%u pv_samples=%llu "
		       "pv_preempted=%llu kmod_steal=%u hz_votes=%u,%u,%u,%u hist_log2us=%s\n",
		       cpu, (unsigned long long)v.hb_count,
		       v.hb_ns ? (long long)(now - v.hb_ns) : -1LL, v.tick_ns,
		       !!(v.state & VSCHED_VACT_S_IDLE),
		       (unsigned long long)v.steal_ns, (unsigned long long)v.steal_jumps,
		       (unsigned long long)v.steal_jump_sum_ns,
		       (unsigned long long)v.steal_jump_max_ns,
		       (unsigned long long)v.inactive_count,
		       (unsigned long long)v.inactive_sum_ns,
		       (unsigned long long)v.inactive_max_ns,
		       (unsigned long long)v.idle_gaps,
		       !!(v.pv_state & VSCHED_VACT_PV_SUPPORTED),
		       (unsigned long long)v.pv_samples, (unsigned long long)v.pv_preempted,
		       !!(v.state & VSCHED_VACT_S_KMOD_STEAL), v.hz_votes[0], v.hz_votes[1],
		       v.hz_votes[2], v.hz_votes[3], hist);
	}
}

/* how hard the verifier worked: a regression signal for the BPF code */
static void print_prog_stats(struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (bpf_prog_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			continue;
		printf("prog %s verified_insns=%u jited_bytes=%u\n", bpf_program__name(prog),
		       info.verified_insns, info.jited_prog_len);
	}
}

/* the counters' names, from the header's one list of them */
#define STAT_NAME(N, n, d)	[VSCHED_STAT_##N] = #n,
static const char *const stat_names[VSCHED_STAT_NR] = {
	VSCHED_STATS(STAT_NAME)
};
#undef STAT_NAME

static void dump_stats(struct bpf_object *obj)
{
	int ncpu = libbpf_num_possible_cpus(), i, c, err;
	struct vsched_stats *per;
	__u32 zero = 0;

	if (ncpu <= 0)
		die("libbpf_num_possible_cpus: %s", strerror(-ncpu));
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		die("out of memory");
	err = bpf_map__lookup_elem(need_map(obj, VSCHED_MAP_STATS), &zero, sizeof(zero),
				   per, sizeof(*per) * ncpu, 0);
	if (err)
		die("reading %s: %s", VSCHED_MAP_STATS, strerror(-err));
	printf("stats");
	for (i = 0; i < VSCHED_STAT_NR; i++) {
		unsigned long long sum = 0;

		for (c = 0; c < ncpu; c++)
			sum += per[c].cnt[i];
		printf(" %s=%llu", stat_names[i], sum);
	}
	printf("\n");
	free(per);
}

static void dump_exit(struct bpf_object *obj)
{
	struct vsched_exit_info ei;
	__u32 zero = 0;
	int err;

	err = bpf_map__lookup_elem(need_map(obj, VSCHED_MAP_EXIT), &zero, sizeof(zero),
				   &ei, sizeof(ei), 0);
	if (err)
		die("reading %s: %s", VSCHED_MAP_EXIT, strerror(-err));
	ei.reason[sizeof(ei.reason) - 1] = 0;
	ei.msg[sizeof(ei.msg) - 1] = 0;
	printf("exit kind=%lld code=%lld reason=\"%s\" msg=\"%s\"\n", (long long)ei.kind,
	       (long long)ei.exit_code, ei.reason, ei.msg);
}

static bool read_line(const char *path, char *buf, size_t sz)
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)sz, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = 0;
	return ok;
}

static void parse_cpulist(const char *s, unsigned int nr, bool *out)
{
	char *dup = strdup(s), *tok, *save = NULL;

	if (!dup)
		die("out of memory");
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(tok, '-');
		long a, b;

		if (dash) {
			*dash = 0;
			a = parse_num(tok, 0, nr - 1, "CPU in -H");
			b = parse_num(dash + 1, a, nr - 1, "CPU in -H");
		} else {
			a = b = parse_num(tok, 0, nr - 1, "CPU in -H");
		}
		for (; a <= b; a++)
			out[a] = true;
	}
	free(dup);
}

static void parse_caps(const char *s, unsigned int nr, __u32 *caps)
{
	char *dup = strdup(s), *tok, *save = NULL;

	if (!dup)
		die("out of memory");
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');

		if (!colon)
			die("bad -C entry '%s' (expected CPU:CAPACITY)", tok);
		*colon = 0;
		caps[parse_num(tok, 0, nr - 1, "CPU in -C")] =
			(__u32)parse_num(colon + 1, 1, VSCHED_CAP_SCALE, "capacity in -C");
	}
	free(dup);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vsched-loader vact  [-o OBJ] [-d SECONDS] [-t TICK_NS] [-j STEAL_JUMP_NS] [-v]\n"
		"       vsched-loader sched [-o OBJ] [-d SECONDS] [-t TICK_NS] [-j STEAL_JUMP_NS]\n"
		"                           [-H CPULIST]\n"
		"                           [-C CPU:CAP,...] [-P POLICIES] [-v]\n");
	exit(1);
}

static void sleep_watch(double secs, bool sched, bool *ejected)
{
	__u64 end = now_ns() + (__u64)(secs * 1e9);
	char st[64];

	while (!stop_req && now_ns() < end) {
		usleep(100000);
		if (sched && read_line(VSCHED_SCX_STATE, st, sizeof(st)) &&
		    strcmp(st, "enabled") != 0) {
			*ejected = true;
			return;
		}
	}
}

int main(int argc, char **argv)
{
	const char *mode, *obj_path = NULL, *hide = NULL, *caps_s = NULL;
	unsigned int nr, cpu;
	double secs = 2;
	long tick_ns = 0, jump_ns = 0, policies = -1;
	struct bpf_object *obj;
	struct bpf_link **links, *ops_link = NULL;
	char path[PATH_MAX], ops[256];
	bool sched, ejected = false;
	int opt, nlinks, err, i;

	if (argc < 2)
		usage();
	mode = argv[1];
	if (strcmp(mode, "vact") && strcmp(mode, "sched"))
		die("unknown command '%s' (expected vact or sched)", mode);
	sched = !strcmp(mode, "sched");
	optind = 2;
	while ((opt = getopt(argc, argv, "o:d:t:j:H:C:P:v")) != -1) {
		switch (opt) {
		case 'o': obj_path = optarg; break;
		case 'd': secs = parse_num(optarg, 0, 86400, "duration (-d)"); break;
		case 't': tick_ns = parse_num(optarg, 100000, 100000000, "tick ns (-t)"); break;
		case 'j': jump_ns = parse_num(optarg, 1000, 1000000000, "steal jump ns (-j)"); break;
		case 'H': hide = optarg; break;
		case 'C': caps_s = optarg; break;
		case 'P': policies = parse_num(optarg, 0, VSCHED_POL_ALL, "policies (-P)"); break;
		case 'v': verbose = true; break;
		default: usage();
		}
	}
	if (optind != argc)
		die("unexpected argument '%s'", argv[optind]);
	if (!sched && (hide || caps_s || policies >= 0))
		die("-H, -C and -P only apply to 'sched'");
	if (!obj_path) {
		const char *slash = strrchr(argv[0], '/');
		int dlen = slash ? (int)(slash - argv[0]) : 1;

		snprintf(path, sizeof(path), "%.*s/%s", dlen, slash ? argv[0] : ".",
			 sched ? VSCHED_OBJ_SCHED : VSCHED_OBJ_VACT);
		obj_path = path;
	}
	if (access(obj_path, R_OK))
		die("cannot read BPF object %s: %s", obj_path, strerror(errno));

	libbpf_set_print(libbpf_print);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	nr = read_nr_cpu_ids();

	if (sched && access(VSCHED_SCX_STATE, R_OK))
		die("this kernel has no sched_ext (" VSCHED_SCX_ROOT " missing); "
		    "use 'vact' for the tracing programs alone");
	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj)
		die("opening %s: %s", obj_path, strerror(errno));
	resize_cpu_map(obj, VSCHED_MAP_VACT, nr);
	if (sched)
		resize_cpu_map(obj, VSCHED_MAP_CPU_CFG, nr);
	err = bpf_object__load(obj);
	if (err)
		die("loading %s: %s (run with -v for the verifier log)", obj_path, strerror(-err));

	print_prog_stats(obj);
	{
		struct vsched_vact_cfg vc = {
			.tick_ns = (__u32)tick_ns,
			.steal_jump_ns = (__u32)jump_ns,
		};

		map_update(obj, VSCHED_MAP_VACT_CFG, 0, &vc, sizeof(vc));
	}
	if (sched) {
		struct vsched_config c = {
			.intf_version = VSCHED_INTF_VERSION,
			.policies = policies >= 0 ? (__u32)policies : VSCHED_POL_ALL,
			.cpu_cfg_seq = 1,
		};
		bool *hidden = calloc(nr, sizeof(bool));
		__u32 *caps = calloc(nr, sizeof(__u32));

		if (!hidden || !caps)
			die("out of memory");
		if (hide)
			parse_cpulist(hide, nr, hidden);
		if (caps_s)
			parse_caps(caps_s, nr, caps);
		for (cpu = 0; cpu < nr; cpu++) {
			struct vsched_cpu_cfg cc = {
				.capacity = caps[cpu],
				.flags = VSCHED_CPU_F_VALID | (hidden[cpu] ? VSCHED_CPU_F_HIDDEN : 0),
				.updated_ns = now_ns(),
			};

			map_update(obj, VSCHED_MAP_CPU_CFG, cpu, &cc, sizeof(cc));
		}
		map_update(obj, VSCHED_MAP_CONFIG, 0, &c, sizeof(c));
		free(hidden);
		free(caps);
	}

	/* tracing first, so the scheduler starts with live heartbeats */
	links = attach_tracing(obj, &nlinks);
	if (sched) {
		ops_link = bpf_map__attach_struct_ops(need_map(obj, VSCHED_OPS_MAP));
		if (!ops_link)
			die("registering the scheduler: %s (is another sched_ext scheduler loaded?)",
			    strerror(errno));
		if (read_line(VSCHED_SCX_OPS, ops, sizeof(ops)))
			printf("attached ops=%s\n", ops);
		else
			printf("attached ops=?\n");
		fflush(stdout);
	}

	sleep_watch(secs, sched, &ejected);

	if (sched) {
		char st[64] = "?";

		read_line(VSCHED_SCX_STATE, st, sizeof(st));
		printf("before_detach state=%s ejected=%d\n", st, ejected);
		dump_stats(obj);
		bpf_link__destroy(ops_link);
		usleep(200000);
		if (!read_line(VSCHED_SCX_STATE, st, sizeof(st)))
			strcpy(st, "?");
		printf("after_detach state=%s\n", st);
		dump_exit(obj);
	}
	dump_vact(obj, nr);
	for (i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	free(links);
	bpf_object__close(obj);
	return ejected ? 2 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * rrbench: a request/response load in the manner of schbench, reporting
 * per-request latency percentiles and throughput together.
 *
 * C client threads each own W worker threads. A client posts one request to
 * each of its workers (a futex wake-up), waits until all W have answered, and
 * posts the next batch: at once (closed loop) or, with -r RATE, at the next
 * tick of a fixed schedule of RATE batches per second (a late client posts at
 * once, and latency counts from the tick it missed). A worker, woken, does a
 * fixed amount of CPU work (-u: microseconds of work on an undisturbed CPU,
 * calibrated at start on this machine's CPU time, so a preempted or slowed
 * worker takes longer) and answers. Per request: wake-up latency (tick to the
 * worker running) and request latency (tick to the answer). Requests whose
 * tick falls in the first -W seconds are not counted.
 *
 * Output (stdout), one line each, "name key=value ...", times in microseconds:
 *   rrbench clients=C workers=W work_us=U iters=N rate=R seconds=S warmup=S
 *   requests count=N seconds=S rps=X
 *   request_us min=.. p50=.. p90=.. p99=.. p99.9=.. max=.. mean=..
 *   wakeup_us min=.. p50=.. p90=.. p99=.. p99.9=.. max=.. mean=..
 * Exit status 0, or 1 with a message on stderr (bad option, no request counted).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define WORK_BYTES (32 * 1024)

struct samples {
	uint64_t *v;
	size_t n, cap;
};

struct worker {
	_Atomic uint32_t posted;	/* futex: 1 = a request waits */
	uint64_t tick;			/* the request's scheduled time (ns) */
	struct client *client;
	struct samples req, wake;
	unsigned char *buf;
	pthread_t thread;
};

struct client {
	_Atomic uint32_t pending;	/* futex: answers still due */
	struct worker *workers;
	pthread_t thread;
};

static int nclients = 2, nworkers = 2, seconds = 10, warmup = 1;
static double work_us = 50, rate;
static uint64_t iters, t_start, t_counted;
static atomic_int stop;
static volatile uint64_t sink;

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void futex_wait(_Atomic uint32_t *f, uint32_t val)
{
	syscall(SYS_futex, f, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *f)
{
	syscall(SYS_futex, f, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void die(const char *msg)
{
	fprintf(stderr, "rrbench: %s\n", msg);
	exit(1);
}

static void add(struct samples *s, uint64_t v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4096;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			die("out of memory");
	}
	s->v[s->n++] = v;
}

/* the request's work: a dependent walk over a private 32 KiB buffer */
static void work(unsigned char *buf, uint64_t n)
{
	uint64_t i, x = 1;

	for (i = 0; i < n; i++) {
		x = x * 6364136223846793005ull + buf[(x >> 33) % WORK_BYTES];
		buf[i % WORK_BYTES] = (unsigned char)x;
	}
	sink += x;
}

/* iterations per microsecond of CPU time: the best of 5 tries */
static double calibrate(void)
{
	unsigned char *buf = calloc(1, WORK_BYTES);
	double best = 0;
	uint64_t n = 20000;
	int i;

	if (!buf)
		die("out of memory");
	for (i = 0; i < 5; i++) {
		uint64_t t0 = now_ns(CLOCK_THREAD_CPUTIME_ID), dt;

		work(buf, n);
		dt = now_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
		if (dt < 2000000 && n < (1ull << 32)) {
			n *= 4;		/* too short to time: retry longer */
			i--;
			continue;
		}
		if (n * 1000.0 / dt > best)
			best = n * 1000.0 / dt;
	}
	free(buf);
	return best;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (;;) {
		uint64_t woke, done;

		while (atomic_load(&w->posted) == 0)
			futex_wait(&w->posted, 0);
		if (atomic_load(&stop) == 2)
			return NULL;
		woke = now_ns(CLOCK_MONOTONIC);
		work(w->buf, iters);
		done = now_ns(CLOCK_MONOTONIC);
		if (w->tick >= t_counted) {
			add(&w->wake, woke - w->tick);
			add(&w->req, done - w->tick);
		}
		atomic_store(&w->posted, 0);
		if (atomic_fetch_sub(&w->client->pending, 1) == 1)
			futex_wake(&w->client->pending);
	}
}

static void *client_main(void *arg)
{
	struct client *c = arg;
	uint64_t period = rate > 0 ? (uint64_t)(1e9 / rate) : 0;
	uint64_t next = now_ns(CLOCK_MONOTONIC);
	uint32_t p;
	int i;

	while (!atomic_load(&stop)) {
		uint64_t tick, t = now_ns(CLOCK_MONOTONIC);

		if (period) {
			next += period;
			if (next > t) {
				struct timespec ts = { next / 1000000000ull, next % 1000000000ull };

				while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
					;
			}
			tick = next;
		} else {
			tick = t;
		}
		atomic_store(&c->pending, nworkers);
		for (i = 0; i < nworkers; i++) {
			c->workers[i].tick = tick;
			atomic_store(&c->workers[i].posted, 1);
			futex_wake(&c->workers[i].posted);
		}
		while ((p = atomic_load(&c->pending)) != 0)
			futex_wait(&c->pending, p);
	}
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* nearest-rank percentile of sorted v[0..n) */
static double pct(const uint64_t *v, size_t n, double p)
{
	size_t r = (size_t)(p / 100.0 * n + 0.999999);

	if (r < 1)
		r = 1;
	if (r > n)
		r = n;
	return v[r - 1] / 1000.0;
}

static void report(const char *name, struct client *cs, int which)
{
	size_t n = 0, i, k;
	uint64_t *all;
	double sum = 0;
	int c, w;

	for (c = 0; c < nclients; c++)
		for (w = 0; w < nworkers; w++)
			n += which ? cs[c].workers[w].wake.n : cs[c].workers[w].req.n;
	all = malloc((n ? n : 1) * sizeof(*all));
	if (!all)
		die("out of memory");
	k = 0;
	for (c = 0; c < nclients; c++)
		for (w = 0; w < nworkers; w++) {
			struct samples *s = which ? &cs[c].workers[w].wake : &cs[c].workers[w].req;

			for (i = 0; i < s->n; i++) {
				all[k++] = s->v[i];
				sum += s->v[i];
			}
		}
	qsort(all, n, sizeof(*all), cmp_u64);
	printf("%s min=%.1f p50=%.1f p90=%.1f p99=%.1f p99.9=%.1f max=%.1f mean=%.1f\n", name,
	       all[0] / 1000.0, pct(all, n, 50), pct(all, n, 90), pct(all, n, 99),
	       pct(all, n, 99.9), all[n - 1] / 1000.0, sum / n / 1000.0);
	free(all);
}

static int num(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: rrbench [-c CLIENTS] [-w WORKERS] [-s SECONDS] [-W WARMUP] [-u WORK_US] [-r RATE]\n"
		"  -c client threads (2); -w worker threads per client (2); -s run time in s (10),\n"
		"  of which -W s of warm-up are not counted (1); -u work per request in us of\n"
		"  undisturbed CPU (50); -r batches per second per client (0: closed loop)\n");
	exit(1);
}

int main(int argc, char **argv)
{
	struct client *cs;
	uint64_t t_end, count = 0;
	double v, ipus;
	int opt, c, w;

	while ((opt = getopt(argc, argv, "c:w:s:W:u:r:h")) != -1) {
		switch (opt) {
		case 'c': if (num(optarg, 1, 1024, &v)) usage(); nclients = (int)v; break;
		case 'w': if (num(optarg, 1, 1024, &v)) usage(); nworkers = (int)v; break;
		case 's': if (num(optarg, 1, 86400, &v)) usage(); seconds = (int)v; break;
		case 'W': if (num(optarg, 0, 86400, &v)) usage(); warmup = (int)v; break;
		case 'u': if (num(optarg, 0, 1e6, &work_us)) usage(); break;
		case 'r': if (num(optarg, 0, 1e6, &rate)) usage(); break;
		default: usage();
		}
	}
	if (optind != argc || warmup >= seconds)
		usage();
	ipus = calibrate();
	iters = (uint64_t)(ipus * work_us);
	cs = calloc(nclients, sizeof(*cs));
	if (!cs)
		die("out of memory");
	t_start = now_ns(CLOCK_MONOTONIC);
	t_counted = t_start + (uint64_t)warmup * 1000000000ull;
	for (c = 0; c < nclients; c++) {
		cs[c].workers = calloc(nworkers, sizeof(struct worker));
		if (!cs[c].workers)
			die("out of memory");
		for (w = 0; w < nworkers; w++) {
			struct worker *wk = &cs[c].workers[w];

			wk->client = &cs[c];
			wk->buf = calloc(1, WORK_BYTES);
			if (!wk->buf || pthread_create(&wk->thread, NULL, worker_main, wk))
				die("cannot start a worker thread");
		}
		if (pthread_create(&cs[c].thread, NULL, client_main, &cs[c]))
			die("cannot start a client thread");
	}
	sleep(seconds);
	atomic_store(&stop, 1);
	for (c = 0; c < nclients; c++)
		pthread_join(cs[c].thread, NULL);
	t_end = now_ns(CLOCK_MONOTONIC);
	atomic_store(&stop, 2);
	for (c = 0; c < nclients; c++)
		for (w = 0; w < nworkers; w++) {
			atomic_store(&cs[c].workers[w].posted, 1);
			futex_wake(&cs[c].workers[w].posted);
			pthread_join(cs[c].workers[w].thread, NULL);
			count += cs[c].workers[w].req.n;
		}
	printf("rrbench clients=%d workers=%d work_us=%g iters=%llu rate=%g seconds=%d warmup=%d\n",
	       nclients, nworkers, work_us, (unsigned long long)iters, rate, seconds, warmup);
	printf("requests count=%llu seconds=%.3f rps=%.1f\n", (unsigned long long)count,
	       (t_end - t_counted) / 1e9, count / ((t_end - t_counted) / 1e9));
	if (!count)
		die("no request completed after the warm-up");
	report("request_us", cs, 0);
	report("wakeup_us", cs, 1);
	return 0;
}

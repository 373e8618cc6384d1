/* flight.c — single-flight per (repository, digest) for one run: the
 * first target that needs a blob mounted or a manifest put into a
 * repository does it, the others wait for its result (distribution answers
 * 400 DIGEST_INVALID / 500 to identical concurrent writes into one
 * repository, DESIGN.md rule 7). A write that succeeded is never repeated
 * in the run; one that failed is taken over by the next target waiting. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "job_internal.h"

enum flight_state { FLIGHT_IDLE, FLIGHT_BUSY, FLIGHT_DONE };

struct flight {
	struct flight *next; /* hash chain */
	enum flight_state state;
	char key[]; /* kind, repository, '@', digest */
};

/* lock guards every flight's state and the table; changed is broadcast
 * whenever a flight leaves BUSY. */
struct pub_flights {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct flight **buckets;
	size_t n_buckets, n;
};

int pub_flights_new(struct pub_flights **out, struct base_error *err)
{
	struct pub_flights *f = calloc(1, sizeof(*f));

	*out = NULL;
	if (!f || !(f->buckets = calloc(64, sizeof(*f->buckets)))) {
		free(f);
		base_error_set(err, "out of memory");
		return -1;
	}
	f->n_buckets = 64;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->changed, NULL);
	*out = f;
	return 0;
}

void pub_flights_free(struct pub_flights *f)
{
	if (!f)
		return;
	for (size_t b = 0; b < f->n_buckets; b++) {
		struct flight *fl = f->buckets[b], *next;
		for (; fl; fl = next) {
			next = fl->next;
			free(fl);
		}
	}
	free(f->buckets);
	pthread_cond_destroy(&f->changed);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

/* FNV-1a */
static size_t key_hash(const char *k)
{
	size_t h = 1469598103934665603ull;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ull;
	return h;
}

static void grow(struct pub_flights *f)
{
	size_t nb = f->n_buckets * 2;
	struct flight **b = calloc(nb, sizeof(*b));

	if (!b)
		return; /* longer chains, still correct */
	for (size_t i = 0; i < f->n_buckets; i++) {
		struct flight *fl = f->buckets[i], *next;
		for (; fl; fl = next) {
			size_t h = key_hash(fl->key) % nb;
			next = fl->next;
			fl->next = b[h];
			b[h] = fl;
		}
	}
	free(f->buckets);
	f->buckets = b;
	f->n_buckets = nb;
}

/* The flight for key, made IDLE when new; NULL out of memory. Under lock. */
static struct flight *lookup(struct pub_flights *f, const char *key)
{
	size_t h = key_hash(key) % f->n_buckets;
	size_t len = strlen(key);
	struct flight *fl;

	for (fl = f->buckets[h]; fl; fl = fl->next)
		if (strcmp(fl->key, key) == 0)
			return fl;
	if (!(fl = malloc(sizeof(*fl) + len + 1)))
		return NULL;
	memcpy(fl->key, key, len + 1);
	fl->state = FLIGHT_IDLE;
	fl->next = f->buckets[h];
	f->buckets[h] = fl;
	if (++f->n > f->n_buckets * 2)
		grow(f);
	return fl;
}

static int key_make(char *buf, size_t n, enum pub_flight_kind kind, const struct reg_ref *repo,
                    const char *digest)
{
	char k = kind == PUB_FLIGHT_BLOB       ? 'b'
	         : kind == PUB_FLIGHT_MANIFEST ? 'm'
	         : kind == PUB_FLIGHT_SIGN     ? 's'
	                                       : 't';
	int w = snprintf(buf, n, "%c%s/%s@%s", k, repo->registry, repo->repository, digest);
	return w < 0 || (size_t)w >= n ? -1 : 0;
}

enum pub_flight_claim pub_flight_begin(struct pub_flights *f, enum pub_flight_kind kind,
                                       const struct reg_ref *repo, const char *digest, int wait)
{
	char key[1024];
	struct flight *fl;
	enum pub_flight_claim claim;

	/* Without a table (or a key that does not fit) every caller writes,
	 * as before there was one. */
	if (!f || key_make(key, sizeof(key), kind, repo, digest) < 0)
		return PUB_FLIGHT_MINE;
	pthread_mutex_lock(&f->lock);
	if (!(fl = lookup(f, key))) {
		claim = PUB_FLIGHT_MINE;
		goto out;
	}
	while (wait && fl->state == FLIGHT_BUSY)
		pthread_cond_wait(&f->changed, &f->lock);
	if (fl->state == FLIGHT_DONE) {
		claim = PUB_FLIGHT_DONE;
	} else if (fl->state == FLIGHT_BUSY) {
		claim = PUB_FLIGHT_BUSY;
	} else {
		fl->state = FLIGHT_BUSY;
		claim = PUB_FLIGHT_MINE;
	}
out:
	pthread_mutex_unlock(&f->lock);
	return claim;
}

void pub_flight_end(struct pub_flights *f, enum pub_flight_kind kind, const struct reg_ref *repo,
                    const char *digest, int ok)
{
	char key[1024];
	struct flight *fl;

	if (!f || key_make(key, sizeof(key), kind, repo, digest) < 0)
		return;
	pthread_mutex_lock(&f->lock);
	if ((fl = lookup(f, key)))
		fl->state = ok ? FLIGHT_DONE : FLIGHT_IDLE;
	pthread_cond_broadcast(&f->changed);
	pthread_mutex_unlock(&f->lock);
}

int pub_put_raced(const struct base_error *e)
{
	return e->http_status == 400 && (strcmp(e->code, "DIGEST_INVALID") == 0 ||
	                                 strcmp(e->code, "MANIFEST_BLOB_UNKNOWN") == 0);
}

void pub_race_pause(int attempt)
{
	long ms = PUB_RACE_PAUSE_MS << attempt;
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

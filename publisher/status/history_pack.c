/* history_pack.c — the parts' blobs read straight from the repository's
 * pack files, with a cache of delta bases that keeps what it rebuilt.
 *
 * A year of a split status is ~360,000 part blobs, each a delta on a
 * chain ~15 deep whose bases are mostly other parts' blobs (git's delta
 * search pairs similar files, not one file's versions). libgit2 keeps 16 MB
 * of delta bases and empties the whole cache when it is full, so a chain
 * was mostly rebuilt from its root: zlib inflated every delta on it again,
 * which was most of the reading. Here every object rebuilt on the way to a
 * blob (the chain's bases too) is kept in a cache of HPACK_CACHE_BYTES,
 * the least recently used dropped first, and the parts are read in the
 * order their chains begin (status_pack_chain_root, history_git.c), so a
 * base shared by many chains is mostly rebuilt once. Pack data is read
 * with pread (not mapped: the pages read
 * would count in the resident memory), and each blob is checked against
 * its id. Anything this reader does not know
 * (a loose object, an index it cannot read, a corrupt entry) is left to
 * libgit2: status_pack_read says "not here" and the caller asks libgit2,
 * which then reads it or says what is wrong. */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "history_internal.h"

/* Bytes of rebuilt objects kept for the chains that still need them. */
#define HPACK_CACHE_BYTES (16u << 20)
/* A chain deeper than this is a corrupt pack (git's default depth is 50). */
#define HPACK_MAX_DEPTH 4096
#define HPACK_BUCKETS   (1u << 16)
#define HPACK_READ      8192

enum { OBJ_BLOB = 3, OBJ_OFS_DELTA = 6, OBJ_REF_DELTA = 7 };

struct pfile {
	int fd;
	uint64_t size;
	const uint8_t *idx; /* the .idx mapped */
	size_t idx_len;
	uint32_t n;
	const uint8_t *fanout, *oids, *off32, *off64;
	size_t n64;
};

/* An object's bytes (and a NUL after them), shared by the cache and its
 * readers: whoever holds it holds a reference, the last one frees it. A
 * part of 100 tags is ~160 KiB, read ~230,000 times in a year of 100,000
 * targets, so it is never copied in or out of the cache. */
struct hobj {
	atomic_uint refs;
	int type;
	size_t len;
	uint8_t data[];
};

/* A rebuilt object kept: its pack and offset, the object (a reference),
 * its place in the least-recently-used list and in its bucket. */
struct centry {
	uint32_t pack;
	uint64_t off;
	struct hobj *obj;
	struct centry *next_in_bucket, *newer, *older;
};

struct hpack {
	struct pfile *packs;
	size_t n_packs;
	pthread_mutex_t lock;
	struct centry **buckets;
	struct centry *newest, *oldest;
	size_t used;
};

/* A new object of len bytes (one reference), or NULL. */
static struct hobj *hobj_new(uint64_t len, int type)
{
	struct hobj *o;
	if (len > (1u << 30) || !(o = malloc(sizeof(*o) + (size_t)len + 1)))
		return NULL;
	atomic_init(&o->refs, 1);
	o->type = type;
	o->len = (size_t)len;
	o->data[len] = '\0';
	return o;
}

static struct hobj *hobj_ref(struct hobj *o)
{
	atomic_fetch_add_explicit(&o->refs, 1, memory_order_relaxed);
	return o;
}

static void hobj_unref(struct hobj *o)
{
	if (o && atomic_fetch_sub_explicit(&o->refs, 1, memory_order_acq_rel) == 1)
		free(o);
}

void status_pack_release(void *held)
{
	hobj_unref(held);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The idx (version 2, SHA-1) of pack file path; 0, or -1 (left to libgit2). */
static int pfile_open(struct pfile *f, const char *idx_path)
{
	struct stat st;
	char *pack = NULL;
	size_t len = strlen(idx_path);
	int fd = open(idx_path, O_RDONLY | O_CLOEXEC);
	uint64_t min;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_size < 8 + 1024 + 40) {
		close(fd);
		return -1;
	}
	f->idx_len = (size_t)st.st_size;
	f->idx = mmap(NULL, f->idx_len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (f->idx == MAP_FAILED) {
		f->idx = NULL;
		return -1;
	}
	if (memcmp(f->idx, "\377tOc", 4) != 0 || be32(f->idx + 4) != 2)
		return -1;
	f->fanout = f->idx + 8;
	f->n = be32(f->fanout + 255 * 4);
	min = 8 + 1024 + (uint64_t)f->n * 28 + 40;
	if (f->idx_len < min || (f->idx_len - min) % 8 != 0)
		return -1;
	f->oids = f->fanout + 1024;
	f->off32 = f->oids + (size_t)f->n * 20 + (size_t)f->n * 4;
	f->off64 = f->off32 + (size_t)f->n * 4;
	f->n64 = (f->idx_len - min) / 8;
	if (asprintf(&pack, "%.*s.pack", (int)(len - 4), idx_path) < 0)
		return -1;
	f->fd = open(pack, O_RDONLY | O_CLOEXEC);
	free(pack);
	if (f->fd < 0 || fstat(f->fd, &st) < 0 || st.st_size < 32)
		return -1;
	f->size = (uint64_t)st.st_size;
	return 0;
}

static void pfile_close(struct pfile *f)
{
	if (f->idx)
		munmap((void *)f->idx, f->idx_len);
	if (f->fd >= 0)
		close(f->fd);
}

/* The offset of object id in f; 0 when it is not there. */
static uint64_t pfile_find(const struct pfile *f, const uint8_t *id)
{
	uint32_t lo = id[0] ? be32(f->fanout + (id[0] - 1) * 4) : 0,
	         hi = be32(f->fanout + id[0] * 4);
	if (hi > f->n || lo > hi)
		return 0;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = memcmp(id, f->oids + (size_t)mid * 20, 20);
		if (c == 0) {
			uint32_t o = be32(f->off32 + (size_t)mid * 4);
			if (!(o & 0x80000000u))
				return o;
			o &= 0x7fffffffu;
			if (o >= f->n64)
				return 0;
			return (uint64_t)be32(f->off64 + (size_t)o * 8) << 32 |
			       be32(f->off64 + (size_t)o * 8 + 4);
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

struct hpack *status_pack_open(const char *gitdir)
{
	struct hpack *p = calloc(1, sizeof(*p));
	char *dir = NULL;
	DIR *d = NULL;
	struct dirent *e;

	if (!p)
		return NULL;
	if (pthread_mutex_init(&p->lock, NULL) != 0) {
		free(p);
		return NULL;
	}
	if (asprintf(&dir, "%s/objects/pack", gitdir) < 0) {
		dir = NULL;
		goto fail;
	}
	if (!(d = opendir(dir)) || !(p->buckets = calloc(HPACK_BUCKETS, sizeof(*p->buckets))))
		goto fail;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char *path = NULL;
		struct pfile *np;
		if (len < 5 || strcmp(e->d_name + len - 4, ".idx") != 0)
			continue;
		if (!(np = realloc(p->packs, (p->n_packs + 1) * sizeof(*np))))
			goto fail;
		p->packs = np;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0)
			goto fail;
		if (pfile_open(&p->packs[p->n_packs], path) == 0)
			p->n_packs++;
		else
			pfile_close(&p->packs[p->n_packs]);
		free(path);
	}
	closedir(d);
	free(dir);
	if (!p->n_packs) {
		status_pack_close(p);
		return NULL;
	}
	return p;
fail:
	if (d)
		closedir(d);
	free(dir);
	status_pack_close(p);
	return NULL;
}

void status_pack_close(struct hpack *p)
{
	if (!p)
		return;
	for (struct centry *c = p->newest, *next; c; c = next) {
		next = c->older;
		hobj_unref(c->obj);
		free(c);
	}
	for (size_t i = 0; i < p->n_packs; i++)
		pfile_close(&p->packs[i]);
	free(p->packs);
	free(p->buckets);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* ---- the cache --------------------------------------------------------- */

static size_t bucket_of(uint32_t pack, uint64_t off)
{
	uint64_t h = (off ^ (uint64_t)pack << 48) * 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 48) & (HPACK_BUCKETS - 1);
}

static void lru_unlink(struct hpack *p, struct centry *c)
{
	if (c->newer)
		c->newer->older = c->older;
	else
		p->newest = c->older;
	if (c->older)
		c->older->newer = c->newer;
	else
		p->oldest = c->newer;
	c->newer = c->older = NULL;
}

static void lru_front(struct hpack *p, struct centry *c)
{
	c->older = p->newest;
	c->newer = NULL;
	if (p->newest)
		p->newest->newer = c;
	p->newest = c;
	if (!p->oldest)
		p->oldest = c;
}

static void evict_oldest(struct hpack *p)
{
	struct centry *c = p->oldest, **pp;
	lru_unlink(p, c);
	for (pp = &p->buckets[bucket_of(c->pack, c->off)]; *pp != c; pp = &(*pp)->next_in_bucket)
		;
	*pp = c->next_in_bucket;
	p->used -= c->obj->len;
	hobj_unref(c->obj);
	free(c);
}

/* The cached object at (pack, off), a reference of the caller's; NULL when
 * it is not kept. */
static struct hobj *cache_get(struct hpack *p, uint32_t pack, uint64_t off)
{
	struct centry *c;
	struct hobj *o = NULL;
	pthread_mutex_lock(&p->lock);
	for (c = p->buckets[bucket_of(pack, off)]; c; c = c->next_in_bucket)
		if (c->pack == pack && c->off == off)
			break;
	if (c) {
		o = hobj_ref(c->obj);
		lru_unlink(p, c);
		lru_front(p, c);
	}
	pthread_mutex_unlock(&p->lock);
	return o;
}

/* o kept for (pack, off) (a reference of the cache's); nothing when it
 * will not fit. */
static void cache_put(struct hpack *p, uint32_t pack, uint64_t off, struct hobj *o)
{
	struct centry *c;
	size_t b = bucket_of(pack, off), len = o->len;
	if (len > HPACK_CACHE_BYTES / 8 || !(c = calloc(1, sizeof(*c))))
		return;
	c->pack = pack;
	c->off = off;
	pthread_mutex_lock(&p->lock);
	for (struct centry *e = p->buckets[b]; e; e = e->next_in_bucket)
		if (e->pack == pack && e->off == off) { /* another thread's: the same bytes */
			pthread_mutex_unlock(&p->lock);
			free(c);
			return;
		}
	c->obj = hobj_ref(o);
	while (p->oldest && p->used + len > HPACK_CACHE_BYTES)
		evict_oldest(p);
	c->next_in_bucket = p->buckets[b];
	p->buckets[b] = c;
	lru_front(p, c);
	p->used += len;
	pthread_mutex_unlock(&p->lock);
}

/* ---- one pack entry ----------------------------------------------------- */

/* The header of the entry at off, buf[0..got) its first bytes: its type,
 * size, delta base (an offset in the same pack; 0 none) and where its
 * zlib data begins in buf. 0 or -1. */
static int entry_head(const struct pfile *f, uint64_t off, const uint8_t *buf, size_t got,
                      int *type, uint64_t *sz, uint64_t *base, size_t *data)
{
	size_t at = 0;
	unsigned shift = 4;
	uint8_t c;

	if (got < 32 || off + 20 >= f->size)
		return -1;
	c = buf[at++];
	*type = (c >> 4) & 7;
	*sz = c & 15;
	while (c & 0x80) {
		if (at >= 16 || shift > 57)
			return -1;
		c = buf[at++];
		*sz += (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	}
	if (*sz > (1u << 30))
		return -1;
	*base = 0;
	if (*type == OBJ_OFS_DELTA) {
		uint64_t back;
		c = buf[at++];
		back = c & 127;
		while (c & 128) {
			if (at >= 32 || back >= (UINT64_C(1) << 56))
				return -1;
			c = buf[at++];
			back = ((back + 1) << 7) + (c & 127);
		}
		if (back == 0 || back > off)
			return -1;
		*base = off - back;
	} else if (*type == OBJ_REF_DELTA) {
		if (got < at + 20 || !(*base = pfile_find(f, buf + at)))
			return -1;
		at += 20;
	} else if (*type < 1 || *type > 4) {
		return -1;
	}
	*data = at;
	return 0;
}

/* The entry at off: its delta base (an offset in the same pack) and its
 * inflated bytes, as an object of the entry's type. 0 or -1. */
static int entry_read(const struct hpack *p, uint32_t pack, uint64_t off, uint64_t *base,
                      struct hobj **out)
{
	const struct pfile *f = &p->packs[pack];
	uint8_t buf[HPACK_READ];
	uint64_t pos, sz;
	ssize_t got = pread(f->fd, buf, sizeof(buf), (off_t)off);
	size_t at;
	z_stream z;
	int zr, type, rc = -1;

	*out = NULL;
	if (got < 0 || entry_head(f, off, buf, (size_t)got, &type, &sz, base, &at) < 0)
		return -1;
	if (!(*out = hobj_new(sz, type)))
		return -1;
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK) {
		hobj_unref(*out);
		*out = NULL;
		return -1;
	}
	z.next_out = (*out)->data;
	z.avail_out = (uInt)sz + 1;
	z.next_in = buf + at;
	z.avail_in = (uInt)((size_t)got - at);
	pos = off + (uint64_t)got;
	for (;;) {
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END)
			break;
		if (zr != Z_OK && zr != Z_BUF_ERROR)
			goto out;
		if (z.avail_in == 0) {
			if (pos >= f->size ||
			    (got = pread(f->fd, buf, sizeof(buf), (off_t)pos)) <= 0)
				goto out;
			pos += (uint64_t)got;
			z.next_in = buf;
			z.avail_in = (uInt)got;
		} else if (zr == Z_BUF_ERROR) {
			goto out; /* no room: more bytes than the header said */
		}
	}
	if (z.total_out != sz)
		goto out;
	rc = 0;
out:
	inflateEnd(&z);
	if (rc < 0) {
		hobj_unref(*out);
		*out = NULL;
	}
	return rc;
}

static int varint(const uint8_t **d, const uint8_t *end, uint64_t *out)
{
	unsigned shift = 0;
	*out = 0;
	do {
		if (*d >= end || shift > 63)
			return -1;
		*out |= (uint64_t)(**d & 0x7f) << shift;
		shift += 7;
	} while (*(*d)++ & 0x80);
	return 0;
}

/* git's delta d[0..n) applied to base: a new object of the base's type;
 * NULL when the delta does not fit the base (or out of memory). */
static struct hobj *delta_apply(const struct hobj *base, const uint8_t *d, size_t n)
{
	const uint8_t *end = d + n;
	size_t blen = base->len;
	uint64_t src, dst;
	struct hobj *obj;
	uint8_t *out, *w;
	if (varint(&d, end, &src) < 0 || varint(&d, end, &dst) < 0 || src != blen ||
	    !(obj = hobj_new(dst, base->type)))
		return NULL;
	w = out = obj->data;
	while (d < end) {
		uint8_t cmd = *d++;
		if (cmd & 0x80) {
			uint64_t o = 0, s = 0;
			for (unsigned k = 0; k < 4; k++)
				if (cmd & (1u << k)) {
					if (d >= end)
						goto bad;
					o |= (uint64_t)*d++ << (8 * k);
				}
			for (unsigned k = 0; k < 3; k++)
				if (cmd & (0x10u << k)) {
					if (d >= end)
						goto bad;
					s |= (uint64_t)*d++ << (8 * k);
				}
			if (!s)
				s = 0x10000;
			if (o + s > blen || s > dst - (uint64_t)(w - out))
				goto bad;
			memcpy(w, base->data + o, (size_t)s);
			w += s;
		} else if (cmd) {
			if ((size_t)(end - d) < cmd || cmd > dst - (uint64_t)(w - out))
				goto bad;
			memcpy(w, d, cmd);
			w += cmd;
			d += cmd;
		} else {
			goto bad;
		}
	}
	if ((uint64_t)(w - out) != dst)
		goto bad;
	return obj;
bad:
	hobj_unref(obj);
	return NULL;
}

/* ---- an object ---------------------------------------------------------- */

struct link {
	uint64_t off;
	struct hobj *delta;
};

/* The object at (pack, off) rebuilt, a reference of the caller's; NULL
 * when it cannot be. */
static struct hobj *object_at(struct hpack *p, uint32_t pack, uint64_t off)
{
	struct link *chain = NULL;
	size_t n = 0, cap = 0;
	struct hobj *obj = NULL;

	for (;;) {
		uint64_t base;
		struct hobj *data;
		if ((obj = cache_get(p, pack, off)))
			break;
		if (n >= HPACK_MAX_DEPTH || entry_read(p, pack, off, &base, &data) < 0)
			goto out;
		if (data->type != OBJ_OFS_DELTA && data->type != OBJ_REF_DELTA) {
			obj = data;
			cache_put(p, pack, off, obj);
			break;
		}
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			struct link *nl = realloc(chain, nc * sizeof(*nl));
			if (!nl) {
				hobj_unref(data);
				goto out;
			}
			chain = nl;
			cap = nc;
		}
		chain[n++] = (struct link){off, data};
		off = base;
	}
	while (n > 0) {
		struct link *l = &chain[n - 1];
		struct hobj *next = delta_apply(obj, l->delta->data, l->delta->len);
		hobj_unref(obj);
		obj = next;
		if (!obj)
			goto out;
		hobj_unref(l->delta);
		n--;
		cache_put(p, pack, l->off, obj);
	}
out:
	for (size_t i = 0; i < n; i++)
		hobj_unref(chain[i].delta);
	free(chain);
	return obj;
}

uint64_t status_pack_chain_root(struct hpack *p, const git_oid *id)
{
	for (size_t i = 0; p && i < p->n_packs && i < 0xffff; i++) {
		const struct pfile *f = &p->packs[i];
		uint64_t off = pfile_find(f, id->id), sz, base;
		uint8_t buf[64];
		size_t at;
		int type;
		if (!off)
			continue;
		for (unsigned depth = 0; depth < HPACK_MAX_DEPTH; depth++) {
			ssize_t got = pread(f->fd, buf, sizeof(buf), (off_t)off);
			if (got < 0 ||
			    entry_head(f, off, buf, (size_t)got, &type, &sz, &base, &at) < 0)
				return UINT64_MAX;
			if (!base)
				return (uint64_t)i << 48 | off;
			off = base;
		}
		return UINT64_MAX;
	}
	return UINT64_MAX;
}

/* The bytes are the blob the id names (git's SHA-1 of "blob LEN\0" and
 * them): a pack this reader misread, or a corrupt one, is left to
 * libgit2, which reads it or says what is wrong. */
static int blob_is(const git_oid *id, const uint8_t *data, size_t len)
{
	char head[32];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int hl = snprintf(head, sizeof(head), "blob %zu", len) + 1; /* and its NUL */
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_DigestInit_ex(c, EVP_sha1(), NULL) == 1 &&
	         EVP_DigestUpdate(c, head, (size_t)hl) == 1 &&
	         EVP_DigestUpdate(c, data, len) == 1 && EVP_DigestFinal_ex(c, md, &n) == 1 &&
	         n == GIT_OID_RAWSZ && memcmp(md, id->id, GIT_OID_RAWSZ) == 0;
	EVP_MD_CTX_free(c);
	return ok;
}

int status_pack_read(struct hpack *p, const git_oid *id, const char **data, size_t *len,
                     void **held)
{
	*data = NULL;
	*held = NULL;
	if (!p)
		return 1;
	for (size_t i = 0; i < p->n_packs; i++) {
		uint64_t off = pfile_find(&p->packs[i], id->id);
		struct hobj *obj;
		if (!off)
			continue;
		if (!(obj = object_at(p, (uint32_t)i, off)))
			return 1;
		if (obj->type != OBJ_BLOB || !blob_is(id, obj->data, obj->len)) {
			hobj_unref(obj);
			return 1;
		}
		*data = (const char *)obj->data;
		*len = obj->len;
		*held = obj;
		return 0;
	}
	return 1;
}

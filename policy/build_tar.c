/*
 * The build context of a classic build, read as the body streams past, the
 * way the daemon reads it: remotecontext.FromArchive passes the body
 * through compression.DecompressStream, reads it with Go's archive/tar
 * inside tarsum (which writes every entry out again with tar.Writer), and
 * chrootarchive.Untar decompresses that copy again and extracts it with
 * go-archive's Unpack.  Only then does remotecontext.withDockerfileFromContext
 * open the Dockerfile (symlink.FollowSymlinkInScope, os.Open).
 *
 * The walker keeps the current header block, the data of one PAX or GNU
 * long-name entry (up to TAR_META_MAX), the pending path and size those
 * set for the next entry, the Dockerfile's bytes (up to
 * POL_BUILD_DOCKERFILE_MAX, for the asked-for path and the fallback), and
 * a set of hashes of the paths of link entries (up to TAR_LINKS_MAX), so
 * that a later entry written through one is seen.  Everything else is
 * skipped.  Where this reading and the daemon's could part, it refuses.
 */
#include "sockwarden/compat.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sockwarden/build_check.h"
#include "sockwarden/policy.h"

#define TAR_BLOCK     512
/* One PAX or GNU long-name entry's data; Go allows 1 MiB, real ones are small. */
#define TAR_META_MAX  (64 * 1024)
/* The longest "dockerfile" query value accepted. */
#define TAR_ARG_MAX   4096
/* Link entries remembered; a context with more is refused. */
#define TAR_LINKS_MAX 65536

/* compression.DecompressStream inflates a body that begins with a known magic. */
static const char compressed_body[] = "it is compressed; send a plain tar (no --compress)";

/* Offsets and widths of the header fields (Go's format.go). */
#define H_NAME     0
#define H_MODE     100
#define H_UID      108
#define H_GID      116
#define H_SIZE     124
#define H_MTIME    136
#define H_CHKSUM   148
#define H_TYPE     156
#define H_MAGIC    257
#define H_VERSION  263
#define H_DEVMAJOR 329
#define H_DEVMINOR 337
#define H_PREFIX   345 /* ustar */
#define H_ATIME    345 /* GNU */
#define H_CTIME    357 /* GNU */
#define H_TRAILER  508 /* STAR */

enum tar_format {
	FMT_V7 = 0,
	FMT_USTAR, /* "ustar\0": ustar or PAX, with a prefix */
	FMT_GNU,   /* "ustar " " \0" */
};

enum tar_state {
	ST_HEADER = 0, /* collecting a header block */
	ST_DATA,       /* an entry's data */
	ST_PAD,        /* padding to the next block */
};

enum tar_sink {
	SINK_SKIP = 0,
	SINK_PAX,        /* a PAX 'x' entry's records */
	SINK_LONGNAME,   /* a GNU 'L' entry's name */
	SINK_DOCKERFILE, /* the bytes of a Dockerfile candidate */
};

enum pax_size {
	PAX_SIZE_NONE = 0, /* absent or empty: the header's size stands */
	PAX_SIZE_SET,
	PAX_SIZE_BAD,
};

struct tar_buf {
	char *p;
	size_t len, cap;
};

struct tar_dockerfile {
	char *path; /* cleaned, NUL-terminated */
	size_t path_len;
	struct tar_buf data; /* the last regular entry's bytes */
	bool present;        /* a regular entry is at path */
};

struct pol_build_tar {
	enum pol_tar_status status;
	const char *error; /* constant; set with status BAD */
	enum tar_state state;
	uint64_t offset; /* body bytes consumed */
	uint64_t safe;
	unsigned char block[TAR_BLOCK];
	size_t block_len;
	uint64_t data_left, pad_left;
	enum tar_sink sink;
	struct tar_dockerfile *sink_df;

	struct tar_buf meta;     /* the current 'x' or 'L' entry's data */
	struct tar_buf name;     /* the current entry's name, then its cleaned path */
	struct tar_buf pax_path; /* "path" of the last 'x', for the next entry */
	bool pax_path_set;       /* ... when non-empty */
	enum pax_size pax_size;  /* "size" of the last 'x' */
	uint64_t pax_size_value;
	struct tar_buf long_name; /* the last 'L', for the next entry; empty: none */
	bool seen_entry;          /* a file entry (not 'x', 'L', 'K') was read */

	struct tar_dockerfile df[2]; /* the asked-for path, then "dockerfile" */
	size_t ndf;

	uint64_t *links; /* open addressing, 0 = empty */
	size_t nlinks, links_cap;
	uint64_t seed;
};

static void
bad(struct pol_build_tar *t, const char *why)
{
	if (t->status == POL_TAR_MORE) {
		t->status = POL_TAR_BAD;
		t->error = why;
	}
}

static int
buf_reserve(struct tar_buf *b, size_t n)
{
	char *p;

	if (n <= b->cap)
		return 0;
	if ((p = realloc(b->p, n)) == NULL)
		return -1;
	b->p = p;
	b->cap = n;
	return 0;
}

static int
buf_set(struct tar_buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n + 1) == -1)
		return -1;
	if (n > 0)
		memcpy(b->p, p, n);
	b->p[n] = '\0';
	b->len = n;
	return 0;
}

/* ---- numbers and strings as Go's strconv.go reads them ----------------------------- */

/*
 * Go's parseOctal: trim spaces and NULs at both ends, stop at the first NUL
 * left, then strconv.ParseUint(s, 8, 64): octal digits only, no sign.
 */
static int
parse_octal(const unsigned char *f, size_t n, uint64_t *out)
{
	size_t i = 0, j = n, k;
	uint64_t v = 0;

	while (i < j && (f[i] == ' ' || f[i] == '\0'))
		i++;
	while (j > i && (f[j - 1] == ' ' || f[j - 1] == '\0'))
		j--;
	*out = 0;
	if (i == j)
		return 0;
	for (k = i; k < j && f[k] != '\0'; k++) {
		if (f[k] < '0' || f[k] > '7' || v > (UINT64_MAX >> 3))
			return -1;
		v = v << 3 | (uint64_t)(f[k] - '0');
	}
	*out = v;
	return 0;
}

/* Go's parseNumeric, for validity only: base-256 when the top bit is set, else octal. */
static int
numeric_ok(const unsigned char *f, size_t n)
{
	uint64_t x = 0, v;
	unsigned char inv, c;
	size_t i;

	if (!(f[0] & 0x80))
		return parse_octal(f, n, &v);
	inv = (f[0] & 0x40) ? 0xff : 0x00;
	for (i = 0; i < n; i++) {
		c = (unsigned char)(f[i] ^ inv);
		if (i == 0)
			c &= 0x7f;
		if (x >> 56)
			return -1;
		x = x << 8 | c;
	}
	return (x >> 63) ? -1 : 0;
}

/* Go's parseString: up to the first NUL. */
static size_t
field_len(const unsigned char *f, size_t n)
{
	const unsigned char *z = memchr(f, '\0', n);

	return z != NULL ? (size_t)(z - f) : n;
}

static bool
all_zero(const unsigned char *b)
{
	size_t i;

	for (i = 0; i < TAR_BLOCK; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/*
 * pol_upload_is_compressed() (compression.Detect) at the start or after any
 * '/' of s[0..n).  s holds 8 more bytes, zeros: the block goes on past the
 * name, so the daemon always has the 8 bytes Detect needs.
 */
static bool
magic_at_component(const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((i == 0 || s[i - 1] == '/') && pol_upload_is_compressed(s + i, n - i + 8))
			return true;
	return false;
}

/*
 * tarsum writes the first file's header out again, and Untar runs that copy
 * through compression.Detect a second time.  The block then starts with the
 * name, a part of it after a '/' (a ustar prefix split, or path.Join in the
 * PAX header's name), and tar.Writer's toASCII drops non-ASCII bytes.  A
 * name that could begin that block with a compression magic would have the
 * daemon decompress, and maybe extract, something this walker never read.
 */
static int
first_name_is_magic(const char *name, size_t n, bool *magic)
{
	unsigned char *copy;
	size_t i, m = 0;

	if ((copy = calloc(1, n + 8)) == NULL)
		return -1;
	memcpy(copy, name, n);
	*magic = magic_at_component(copy, n);
	if (!*magic) {
		memset(copy, 0, n + 8);
		for (i = 0; i < n; i++)
			if ((unsigned char)name[i] < 0x80)
				copy[m++] = (unsigned char)name[i];
		*magic = magic_at_component(copy, m);
	}
	free(copy);
	return 0;
}

/* ---- paths as Unpack sees them ------------------------------------------------------ */

/*
 * path.Clean(strings.TrimLeft(name, "/")) with "." as "": empty and "."
 * components dropped, ".." removing the one before.  In place (the result
 * is never longer).  Returns -1 when a ".." climbs above the root (Unpack's
 * filepath.IsLocal refusal; older daemons cleaned "/../x" to "x" instead,
 * so refusing covers both), or when dotdot_refused and there is any "..".
 */
static int
clean_path(char *s, size_t len, size_t *out, bool dotdot_refused)
{
	size_t i = 0, o = 0, start, clen;

	while (i < len) {
		start = i;
		while (i < len && s[i] != '/')
			i++;
		clen = i - start;
		if (i < len)
			i++; /* the '/' */
		if (clen == 0 || (clen == 1 && s[start] == '.'))
			continue;
		if (clen == 2 && s[start] == '.' && s[start + 1] == '.') {
			if (o == 0 || dotdot_refused)
				return -1;
			while (o > 0 && s[o - 1] != '/')
				o--;
			if (o > 0)
				o--; /* the '/' before the removed component */
			continue;
		}
		if (o > 0)
			s[o++] = '/';
		memmove(s + o, s + start, clen);
		o += clen;
	}
	*out = o;
	return 0;
}

/* a is a proper ancestor directory of b. */
static bool
is_ancestor(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen < blen && memcmp(a, b, alen) == 0 && b[alen] == '/';
}

/* ---- the set of link paths ---------------------------------------------------------- */

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint64_t
link_key(uint64_t fnv)
{
	uint64_t k = mix64(fnv);

	return k != 0 ? k : 1;
}

static bool
links_has(const struct pol_build_tar *t, uint64_t key)
{
	size_t i, mask = t->links_cap - 1;

	if (t->links_cap == 0)
		return false;
	for (i = (size_t)key & mask; t->links[i] != 0; i = (i + 1) & mask)
		if (t->links[i] == key)
			return true;
	return false;
}

static void
links_put(uint64_t *tab, size_t cap, uint64_t key)
{
	size_t i, mask = cap - 1;

	for (i = (size_t)key & mask; tab[i] != 0; i = (i + 1) & mask)
		if (tab[i] == key)
			return;
	tab[i] = key;
}

static int
links_add(struct pol_build_tar *t, uint64_t key)
{
	uint64_t *tab;
	size_t cap, i;

	if (links_has(t, key))
		return 0;
	if ((t->nlinks + 1) * 2 > t->links_cap) {
		cap = t->links_cap != 0 ? t->links_cap * 2 : 64;
		if ((tab = calloc(cap, sizeof(*tab))) == NULL)
			return -1;
		for (i = 0; i < t->links_cap; i++)
			if (t->links[i] != 0)
				links_put(tab, cap, t->links[i]);
		free(t->links);
		t->links = tab;
		t->links_cap = cap;
	}
	links_put(t->links, t->links_cap, key);
	t->nlinks++;
	return 0;
}

/*
 * Whether a proper ancestor of path is a link entry seen earlier (Unpack
 * would write through it), and the key of path itself.  The hash is seeded
 * per walker, so a client cannot line its paths up in one probe chain; a
 * collision can only refuse, never let a path through.
 */
static bool
through_link(const struct pol_build_tar *t, const char *path, size_t len, uint64_t *key)
{
	uint64_t h = t->seed;
	bool hit = false;
	size_t i;

	for (i = 0; i < len; i++) {
		if (path[i] == '/' && links_has(t, link_key(h)))
			hit = true;
		h ^= (unsigned char)path[i];
		h *= 0x100000001b3ULL;
	}
	*key = link_key(h);
	return hit;
}

/* ---- entries ------------------------------------------------------------------------ */

static void
start_data(struct pol_build_tar *t, uint64_t size, enum tar_sink sink)
{
	t->data_left = size;
	t->pad_left = (TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK;
	t->sink = sink;
	if (t->data_left > 0)
		t->state = ST_DATA;
	else if (t->pad_left > 0)
		t->state = ST_PAD;
	else
		t->state = ST_HEADER;
}

/* An entry at or around a Dockerfile candidate: what the daemon would then open. */
static void
check_dockerfile(struct pol_build_tar *t, struct tar_dockerfile *d, char type, uint64_t size,
    const char *path, size_t len)
{
	if (len == d->path_len && memcmp(path, d->path, len) == 0) {
		if (type == '2')
			bad(t, "a symbolic link at the Dockerfile");
		else if (type == '1')
			bad(t, "a hard link at the Dockerfile");
		else if (type != '0')
			bad(t, "an entry at the Dockerfile that is not a regular file");
		else if (size > POL_BUILD_DOCKERFILE_MAX)
			bad(t, "the Dockerfile is larger than 1 MiB");
		else if (buf_reserve(&d->data, (size_t)size + 1) == -1)
			bad(t, "out of memory");
		else {
			/* Unpack removes the old file first: the last entry's bytes win. */
			d->data.len = 0;
			d->present = true;
			t->sink_df = d;
		}
	} else if (is_ancestor(d->path, d->path_len, path, len)) {
		/* Writing below the Dockerfile needs it to be a directory. */
		bad(t, "an entry below the Dockerfile");
	} else if (is_ancestor(path, len, d->path, d->path_len)) {
		if (type == '2')
			bad(t, "a symbolic link at an ancestor of the Dockerfile");
		else if (type == '1')
			bad(t, "a hard link at an ancestor of the Dockerfile");
		else if (type != '5')
			bad(t, "a file that is not a directory at an ancestor of the Dockerfile");
	}
}

/*
 * The effective name of a file entry, in Go's order (reader.go next()): the
 * header's name (with the ustar prefix), replaced by a non-empty PAX
 * "path", replaced by a non-empty GNU long name.
 */
static int
entry_name(struct pol_build_tar *t, enum tar_format fmt)
{
	const unsigned char *b = t->block;
	size_t nlen = field_len(b + H_NAME, 100), plen = 0;

	if (t->long_name.len > 0)
		return buf_set(&t->name, t->long_name.p, t->long_name.len);
	if (t->pax_path_set)
		return buf_set(&t->name, t->pax_path.p, t->pax_path.len);
	if (fmt == FMT_USTAR)
		plen = field_len(b + H_PREFIX, 155);
	if (buf_reserve(&t->name, plen + 1 + nlen + 1) == -1)
		return -1;
	t->name.len = 0;
	if (plen > 0) {
		memcpy(t->name.p, b + H_PREFIX, plen);
		t->name.p[plen] = '/';
		t->name.len = plen + 1;
	}
	memcpy(t->name.p + t->name.len, b + H_NAME, nlen);
	t->name.len += nlen;
	t->name.p[t->name.len] = '\0';
	return 0;
}

/*
 * A file entry's type as Unpack handles it: Go turns an old-style '\0'
 * into '0' or, named with a '/', into '5' (refused here).  Returns -1 (BAD)
 * for a type not followed here.
 */
static int
file_type(struct pol_build_tar *t, char *type)
{
	switch (*type) {
	case '\0':
		if (t->name.len > 0 && t->name.p[t->name.len - 1] == '/') {
			bad(t, "an old-style file entry named as a directory");
			return -1;
		}
		*type = '0';
		return 0;
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
		return 0;
	case 'S':
		bad(t, "GNU sparse files are not checked");
		return -1;
	case '7':
		/* Unpack has no case for it and fails ("unhandled tar header type"). */
		bad(t, "a contiguous file entry is not checked");
		return -1;
	default:
		bad(t, "an entry of an unknown type");
		return -1;
	}
}

static void
file_entry(struct pol_build_tar *t, enum tar_format fmt, char type, uint64_t hsize)
{
	uint64_t size = t->pax_size == PAX_SIZE_SET ? t->pax_size_value : hsize, key;
	size_t len, i;
	bool magic;

	if (entry_name(t, fmt) == -1) {
		bad(t, "out of memory");
		return;
	}
	/* The 'x' and 'L' entries before this one applied to it alone. */
	t->pax_path_set = false;
	t->pax_size = PAX_SIZE_NONE;
	t->long_name.len = 0;

	if (file_type(t, &type) == -1)
		return;
	if (!t->seen_entry) {
		t->seen_entry = true;
		if (first_name_is_magic(t->name.p, t->name.len, &magic) == -1) {
			bad(t, "out of memory");
			return;
		}
		if (magic) {
			bad(t, "a first file name the daemon would take for compressed data");
			return;
		}
	}
	/* Go's isHeaderOnlyType: no data, whatever the size says. */
	if (type != '0')
		size = 0;

	if (clean_path(t->name.p, t->name.len, &len, false) == -1) {
		bad(t, "a path climbs above the context");
		return;
	}
	t->name.len = len;
	t->sink_df = NULL;
	if (len > 0) {
		/* Unpack skips the root itself ("."); anything else is written. */
		if (through_link(t, t->name.p, len, &key)) {
			bad(t, "a path goes through a link");
			return;
		}
		for (i = 0; i < t->ndf && t->status == POL_TAR_MORE; i++)
			check_dockerfile(t, &t->df[i], type, size, t->name.p, len);
		if (t->status != POL_TAR_MORE)
			return;
		/*
		 * A hard link to a symbolic link is one too (link(2) does not
		 * follow), so both kinds are remembered.
		 */
		if (type == '1' || type == '2') {
			if (t->nlinks >= TAR_LINKS_MAX) {
				bad(t, "too many links to check");
				return;
			}
			if (links_add(t, key) == -1) {
				bad(t, "out of memory");
				return;
			}
		}
	}
	start_data(t, size, t->sink_df != NULL ? SINK_DOCKERFILE : SINK_SKIP);
}

static void data_done(struct pol_build_tar *t);

/* A meta entry ('x', 'L', 'K'): its own size, read whole (Go's readSpecialFile). */
static void
meta_entry(struct pol_build_tar *t, enum tar_sink sink, uint64_t size)
{
	if (size > TAR_META_MAX) {
		bad(t, "an extended header is too large");
		return;
	}
	if (sink != SINK_SKIP && buf_reserve(&t->meta, (size_t)size + 1) == -1) {
		bad(t, "out of memory");
		return;
	}
	t->meta.len = 0;
	start_data(t, size, sink);
	/* An empty one still replaces what came before (Go parses it too). */
	if (size == 0)
		data_done(t);
}

static void
header_block(struct pol_build_tar *t)
{
	const unsigned char *b = t->block;
	uint64_t chk, size;
	int64_t ssum = 0;
	uint64_t usum = 0;
	enum tar_format fmt;
	size_t i;

	/* compression.DecompressStream looks at the body's first bytes. */
	if (t->offset == TAR_BLOCK && pol_upload_is_compressed(b, TAR_BLOCK)) {
		bad(t, compressed_body);
		return;
	}
	if (all_zero(b)) {
		/* Go's reader stops here: nothing after it is ever extracted. */
		t->status = POL_TAR_END;
		return;
	}
	/* Go's GetFormat: the field as octal, against the unsigned or the signed sum. */
	for (i = 0; i < TAR_BLOCK; i++) {
		unsigned char c = (i >= H_CHKSUM && i < H_CHKSUM + 8) ? ' ' : b[i];

		usum += c;
		ssum += (signed char)c;
	}
	if (parse_octal(b + H_CHKSUM, 8, &chk) == -1 ||
	    (chk != usum && (ssum < 0 || chk != (uint64_t)ssum))) {
		bad(t, "a header checksum does not match");
		return;
	}
	if (memcmp(b + H_MAGIC, "ustar\0", 6) == 0) {
		if (memcmp(b + H_TRAILER, "tar\0", 4) == 0) {
			bad(t, "a STAR header is not checked");
			return;
		}
		fmt = FMT_USTAR;
	} else if (memcmp(b + H_MAGIC, "ustar ", 6) == 0 && memcmp(b + H_VERSION, " \0", 2) == 0) {
		fmt = FMT_GNU;
	} else {
		fmt = FMT_V7;
	}
	if (b[H_SIZE] & 0x80) {
		bad(t, "a size in base-256 is not checked");
		return;
	}
	/* Any number Go cannot parse fails its readHeader. */
	if (parse_octal(b + H_SIZE, 12, &size) == -1 || numeric_ok(b + H_MODE, 8) == -1 ||
	    numeric_ok(b + H_UID, 8) == -1 || numeric_ok(b + H_GID, 8) == -1 ||
	    numeric_ok(b + H_MTIME, 12) == -1 ||
	    (fmt != FMT_V7 &&
	        (numeric_ok(b + H_DEVMAJOR, 8) == -1 || numeric_ok(b + H_DEVMINOR, 8) == -1))) {
		bad(t, "a header number does not parse");
		return;
	}
	/*
	 * When a GNU header's times do not parse, Go takes the bytes there
	 * for a ustar prefix (pre-Go 1.8 files): refused rather than followed.
	 */
	if (fmt == FMT_GNU && ((b[H_ATIME] != 0 && numeric_ok(b + H_ATIME, 12) == -1) ||
	                          (b[H_CTIME] != 0 && numeric_ok(b + H_CTIME, 12) == -1))) {
		bad(t, "a GNU header's times do not parse");
		return;
	}
	switch (b[H_TYPE]) {
	case 'x':
		meta_entry(t, SINK_PAX, size);
		break;
	case 'L':
		meta_entry(t, SINK_LONGNAME, size);
		break;
	case 'K':
		meta_entry(t, SINK_SKIP, size); /* link targets are never followed here */
		break;
	case 'g':
		bad(t, "a global PAX header is not checked");
		break;
	default:
		file_entry(t, fmt, (char)b[H_TYPE], size);
		break;
	}
}

/*
 * Go's parsePAX and parsePAXRecord: "%d key=value\n" records filling the
 * data exactly; the length counts the whole record.  The last record of a
 * key wins; an empty value leaves the header's field (mergePAX).  Stricter
 * than Go only in the numbers: digits alone (Go's ParseInt takes a sign).
 */
static void
parse_pax(struct pol_build_tar *t)
{
	const char *s = t->meta.p, *rec, *eq, *val;
	size_t left = t->meta.len, sp, n, i, vlen;
	struct sw_str key;
	uint64_t v;

	t->pax_path_set = false;
	t->pax_size = PAX_SIZE_NONE;
	while (left > 0) {
		for (sp = 0; sp < left && s[sp] != ' '; sp++)
			;
		if (sp == 0 || sp == left)
			goto malformed;
		for (n = 0, i = 0; i < sp; i++) {
			if (s[i] < '0' || s[i] > '9')
				goto malformed;
			n = n * 10 + (size_t)(s[i] - '0');
			if (n > left)
				goto malformed;
		}
		if (n < 5 || n <= sp + 1 || s[n - 1] != '\n')
			goto malformed;
		rec = s + sp + 1;
		if ((eq = memchr(rec, '=', n - sp - 2)) == NULL || eq == rec)
			goto malformed;
		key = sw_str_make(rec, (size_t)(eq - rec));
		val = eq + 1;
		vlen = (size_t)(s + n - 1 - val);
		if (sw_str_eq_lit(&key, "path") || sw_str_eq_lit(&key, "linkpath") ||
		    sw_str_eq_lit(&key, "uname") || sw_str_eq_lit(&key, "gname")) {
			if (memchr(val, '\0', vlen) != NULL)
				goto malformed;
		} else if (memchr(key.p, '\0', key.len) != NULL) {
			goto malformed;
		}
		if (sw_str_has_prefix_lit(&key, "GNU.sparse.")) {
			bad(t, "GNU sparse files are not checked");
			return;
		}
		if (sw_str_eq_lit(&key, "path")) {
			if (buf_set(&t->pax_path, val, vlen) == -1) {
				bad(t, "out of memory");
				return;
			}
			t->pax_path_set = vlen > 0;
		} else if (sw_str_eq_lit(&key, "size")) {
			t->pax_size = vlen > 0 ? PAX_SIZE_SET : PAX_SIZE_NONE;
			for (v = 0, i = 0; i < vlen; i++) {
				if (val[i] < '0' || val[i] > '9' || v > (uint64_t)INT64_MAX / 10) {
					t->pax_size = PAX_SIZE_BAD;
					break;
				}
				v = v * 10 + (uint64_t)(val[i] - '0');
			}
			if (v > (uint64_t)INT64_MAX)
				t->pax_size = PAX_SIZE_BAD;
			t->pax_size_value = v;
		}
		s += n;
		left -= n;
	}
	if (t->pax_size == PAX_SIZE_BAD)
		bad(t, "an extended header's size does not parse");
	return;

malformed:
	bad(t, "an extended header is malformed");
}

static void
data_done(struct pol_build_tar *t)
{
	if (t->sink == SINK_PAX) {
		parse_pax(t);
	} else if (t->sink == SINK_LONGNAME) {
		/* Go's parseString; an empty one leaves the name alone. */
		if (buf_set(&t->long_name, t->meta.p,
		        field_len((unsigned char *)t->meta.p, t->meta.len)) == -1)
			bad(t, "out of memory");
	}
	t->sink = SINK_SKIP;
	t->sink_df = NULL;
	t->state = t->pad_left > 0 ? ST_PAD : ST_HEADER;
}

static void
sink_bytes(struct pol_build_tar *t, const unsigned char *p, size_t n)
{
	struct tar_buf *b;

	switch (t->sink) {
	case SINK_PAX:
	case SINK_LONGNAME:
		b = &t->meta;
		break;
	case SINK_DOCKERFILE:
		b = &t->sink_df->data;
		break;
	default:
		return;
	}
	/* Reserved for the whole size when the entry began. */
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* ---- the interface ------------------------------------------------------------------ */

static int
dockerfile_init(struct tar_dockerfile *d, const char *path, size_t len)
{
	if ((d->path = malloc(len + 1)) == NULL)
		return -1;
	memcpy(d->path, path, len);
	d->path[len] = '\0';
	d->path_len = len;
	return 0;
}

/*
 * dockerfile: the query's value, borrowed.  The daemon opens it below the
 * context root (filepath.Join cleans it) and, only when it is exactly
 * "Dockerfile" (the default for ""), falls back to "dockerfile" when that
 * does not exist (remotecontext.withDockerfileFromContext).  A value that
 * is absolute, has a ".." component, names the root or is longer than
 * TAR_ARG_MAX is refused with EINVAL: the CLI sends a path inside the
 * context, and such a path could resolve in ways not followed here.
 */
struct pol_build_tar *
pol_build_tar_new(const char *dockerfile)
{
	struct pol_build_tar *t;
	char path[TAR_ARG_MAX + 1];
	size_t len;
	bool fallback;

	if (dockerfile == NULL)
		dockerfile = "";
	len = strnlen(dockerfile, TAR_ARG_MAX + 1);
	if (len > TAR_ARG_MAX || dockerfile[0] == '/') {
		errno = EINVAL;
		return NULL;
	}
	fallback = len == 0 || strcmp(dockerfile, "Dockerfile") == 0;
	if (len == 0)
		dockerfile = "Dockerfile";
	len = strlen(dockerfile);
	memcpy(path, dockerfile, len);
	if (clean_path(path, len, &len, true) == -1 || len == 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->seed = mix64((uint64_t)(uintptr_t)t ^ 0x9e3779b97f4a7c15ULL);
	if (dockerfile_init(&t->df[0], path, len) == -1 ||
	    (fallback && dockerfile_init(&t->df[1], "dockerfile", 10) == -1)) {
		pol_build_tar_free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->ndf = fallback ? 2 : 1;
	return t;
}

enum pol_tar_status
pol_build_tar_feed(struct pol_build_tar *t, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t take;

	while (n > 0 && t->status == POL_TAR_MORE) {
		switch (t->state) {
		case ST_HEADER:
			take = TAR_BLOCK - t->block_len;
			take = take < n ? take : n;
			memcpy(t->block + t->block_len, p, take);
			t->block_len += take;
			t->offset += take;
			if (t->block_len == TAR_BLOCK) {
				t->block_len = 0;
				header_block(t);
				if (t->status == POL_TAR_MORE)
					t->safe = t->offset;
			}
			break;
		case ST_DATA:
			take = t->data_left < n ? (size_t)t->data_left : n;
			sink_bytes(t, p, take);
			t->data_left -= take;
			t->offset += take;
			t->safe = t->offset;
			if (t->data_left == 0)
				data_done(t);
			break;
		case ST_PAD:
		default:
			take = t->pad_left < n ? (size_t)t->pad_left : n;
			t->pad_left -= take;
			t->offset += take;
			t->safe = t->offset;
			if (t->pad_left == 0)
				t->state = ST_HEADER;
			break;
		}
		p += take;
		n -= take;
	}
	return t->status;
}

uint64_t
pol_build_tar_safe(const struct pol_build_tar *t)
{
	return t->safe;
}

/*
 * Go also ends cleanly on a body cut inside an entry's padding; that is
 * refused here, as the contract asks for a header boundary.
 */
enum pol_tar_status
pol_build_tar_finish(struct pol_build_tar *t)
{
	if (t->status != POL_TAR_MORE)
		return t->status;
	if (t->state == ST_HEADER && t->block_len == 0) {
		t->status = POL_TAR_END;
		t->safe = t->offset;
	} else if (t->state == ST_HEADER && t->offset == t->block_len &&
	           pol_upload_is_compressed(t->block, t->block_len)) {
		/* A compressed context shorter than a block: the daemon still inflates it. */
		bad(t, compressed_body);
	} else if (t->state == ST_HEADER) {
		bad(t, "the body ends inside a header block");
	} else {
		bad(t, "the body ends inside an entry");
	}
	return t->status;
}

/* A constant string; "" unless the status is BAD. */
const char *
pol_build_tar_error(const struct pol_build_tar *t)
{
	return t->status == POL_TAR_BAD && t->error != NULL ? t->error : "";
}

/*
 * The daemon opens the asked-for path when an entry made it, else (for the
 * default name only) "dockerfile": a view into the walker valid until
 * pol_build_tar_free().
 */
bool
pol_build_tar_dockerfile(const struct pol_build_tar *t, struct sw_str *out)
{
	size_t i;

	if (t->status != POL_TAR_END)
		return false;
	for (i = 0; i < t->ndf; i++) {
		if (!t->df[i].present)
			continue;
		*out = sw_str_make(t->df[i].data.len > 0 ? t->df[i].data.p : "", t->df[i].data.len);
		return true;
	}
	return false;
}

void
pol_build_tar_free(struct pol_build_tar *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < nitems(t->df); i++) {
		free(t->df[i].path);
		free(t->df[i].data.p);
	}
	free(t->meta.p);
	free(t->name.p);
	free(t->pax_path.p);
	free(t->long_name.p);
	free(t->links);
	free(t);
}

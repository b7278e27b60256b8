/*
 * What a classic build (POST /build, the daemon's own builder) reads from
 * its body, found out as the body streams past: the build context is a tar,
 * the Dockerfile one of its files, and the images the Dockerfile names are
 * what ownership must check before the daemon may resolve them.
 *
 * The daemon extracts the whole context before it reads the Dockerfile, and
 * its tar reader stops at the first all-zero header block or at the end of
 * the body.  So a proxy that holds back that block, and the body's last
 * byte, has seen every file while the daemon has not yet begun the build.
 */
#ifndef SW_BUILD_CHECK_H
#define SW_BUILD_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sockwarden/str.h"

/* The largest Dockerfile checked; a larger one is refused. */
#define POL_BUILD_DOCKERFILE_MAX (1024 * 1024)

/* ---- the context: a tar stream (build_tar.c) ---------------------------------------- */

struct pol_build_tar;

enum pol_tar_status {
	POL_TAR_MORE, /* feed on */
	POL_TAR_END,  /* the end-of-archive block began: every file has been seen */
	POL_TAR_BAD,  /* cannot be checked, or the daemon would refuse it: pol_build_tar_error() */
};

/*
 * dockerfile: the query's "dockerfile" value ("" for the default,
 * "Dockerfile").  NULL when out of memory or when the path cannot be
 * checked (absolute, or with "..", errno EINVAL).
 */
struct pol_build_tar *pol_build_tar_new(const char *dockerfile);

/* The next n bytes of the body, in order.  After END or BAD, bytes are ignored. */
enum pol_tar_status pol_build_tar_feed(struct pol_build_tar *t, const void *data, size_t n);

/*
 * How many bytes from the start of the body may reach the daemon now: those
 * before the header block still being read (it may be the end-of-archive
 * block), or before the end-of-archive block.  Never decreases.
 */
uint64_t pol_build_tar_safe(const struct pol_build_tar *t);

/* The body ended: END when it ended on a header boundary, else BAD. */
enum pol_tar_status pol_build_tar_finish(struct pol_build_tar *t);

/* Why BAD, for the client ("build context: ..."). */
const char *pol_build_tar_error(const struct pol_build_tar *t);

/*
 * After END: the Dockerfile the daemon will read (the asked-for path, or
 * "dockerfile" when the default name was asked for and only that exists),
 * a view into the walker's memory.  False when there is none: the daemon
 * fails the build itself.
 */
bool pol_build_tar_dockerfile(const struct pol_build_tar *t, struct sw_str *out);

void pol_build_tar_free(struct pol_build_tar *t);

/* ---- the Dockerfile: the images it names (build_dockerfile.c) -------------------------- */

struct pol_build_refs {
	char **ref; /* NUL-terminated image references, each once */
	size_t n;
	/*
	 * A FROM carries a flag (--platform): an image found locally for another
	 * platform counts as missing, and the daemon pulls the name again.
	 */
	bool from_platform;
};

/*
 * Every image reference the daemon's classic builder may resolve while
 * running this Dockerfile: each FROM that is not a stage or scratch, and
 * each COPY/ADD --from that is not a stage, after ARG expansion with the
 * query's buildargs (the JSON text of "buildargs", "" when absent).  When a
 * value could expand more than one way, every way is listed.  Returns 0, or
 * -1 with why set when the Dockerfile cannot be checked (a construct this
 * reading does not follow exactly as the daemon does).
 */
int pol_build_dockerfile_refs(const char *text, size_t len, const char *buildargs,
    struct pol_build_refs *out, char *why, size_t whysz);

void pol_build_refs_free(struct pol_build_refs *r);

#endif

/*
 * Container ids in /proc/<pid>/cgroup.  Each line is
 * "hierarchy-id:controllers:path"; "0::path" is the cgroup v2 (unified)
 * hierarchy, the others are cgroup v1 hierarchies (hybrid hosts have both).
 *
 * Within one path, the OUTERMOST container-looking component wins: it is
 * the one the daemon created.  A process inside a container may be allowed
 * to create cgroups below its own (delegated v2, privileged containers) and
 * move into "/docker/<A>/docker-<B>.scope"; it is still A.
 *
 * A container component counts only when no component above it is a
 * delegation boundary: a systemd service or scope (user@1000.service is
 * handed to an unprivileged user, machine-x.scope to an nspawn container,
 * and any unit with Delegate=yes to its User=), or an LXC payload.  Below a
 * boundary, someone other than the daemon picks the names, and could call a
 * cgroup "docker-<B>.scope".  Docker's own layouts put containers under
 * slices or plain directories (/docker, /system.slice, /kubepods...), so
 * they are not affected; rootless daemons (under user@.service) are, on
 * purpose: their owner could forge any id.
 *
 * Components that only partly look like an id (63 or 65 digits, upper case,
 * other prefixes or suffixes) are not ids.  A path with "." or ".." (a
 * cgroup outside our cgroup namespace: its outer components are hidden, so
 * the outermost one cannot be known) makes the whole text unusable.
 *
 * Hierarchies: the v2 line decides when it names a container, and then no
 * v1 line may name a different one; otherwise all v1 lines that name a
 * container must name the same one (lines that name none, like "rdma:/",
 * are fine).  Disagreement means something moved a process behind the
 * daemon's back, so the text is unusable rather than guessed at.  Any
 * malformed line makes it unusable too: the kernel prints cgroup names
 * unescaped, and only its refusal of names with a newline (Linux 6.18
 * here) keeps a cgroup name from forging a line, so nothing that does not
 * parse is guessed at.  Unusable is never "no container": a host process
 * may match uid entries that a container must not get.
 */
#include "sockwarden/compat.h"

#include <stdbool.h>
#include <string.h>

#include "cgroup.h"

#define ID_LEN 64

enum comp_kind {
	COMP_OTHER = 0,
	COMP_CONTAINER,
	COMP_BOUNDARY,
};

/* "<prefix><id>.scope": systemd cgroup driver of docker, containerd (CRI), CRI-O, podman. */
static const char *const scope_prefixes[] = { "docker-", "cri-containerd-", "crio-", "libpod-" };

static bool
is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool
cgroup_is_id(const char *p, size_t len)
{
	size_t i;

	if (len != ID_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!is_lower_hex(p[i]))
			return false;
	return true;
}

static bool
has_prefix(const char *p, size_t n, const char *prefix)
{
	size_t pl = strlen(prefix);

	return n >= pl && memcmp(p, prefix, pl) == 0;
}

static bool
has_suffix(const char *p, size_t n, const char *suffix)
{
	size_t sl = strlen(suffix);

	return n >= sl && memcmp(p + n - sl, suffix, sl) == 0;
}

static enum comp_kind
classify(const char *p, size_t n, const char **id)
{
	size_t i;

	if (cgroup_is_id(p, n)) {
		*id = p;
		return COMP_CONTAINER;
	}
	for (i = 0; i < nitems(scope_prefixes); i++) {
		size_t pl = strlen(scope_prefixes[i]);

		if (n == pl + ID_LEN + 6 && has_prefix(p, n, scope_prefixes[i]) &&
		    has_suffix(p, n, ".scope") && cgroup_is_id(p + pl, ID_LEN)) {
			*id = p + pl;
			return COMP_CONTAINER;
		}
	}
	if (has_suffix(p, n, ".service") || has_suffix(p, n, ".scope") ||
	    has_prefix(p, n, "lxc.payload.") || (n == 3 && memcmp(p, "lxc", 3) == 0))
		return COMP_BOUNDARY;
	return COMP_OTHER;
}

/*
 * The container named by one cgroup path: 0 with *id set (or NULL: none),
 * -1 when the path is malformed or leaves our cgroup namespace.
 */
static int
path_container(const char *p, size_t n, const char **id)
{
	const char *end = p + n, *c, *slash;
	bool below_boundary = false;

	*id = NULL;
	if (n == 0 || p[0] != '/')
		return -1;
	if (n == 1)
		return 0; /* the root */
	for (c = p + 1;; c = slash + 1) {
		const char *found = NULL;
		size_t cn;

		slash = memchr(c, '/', (size_t)(end - c));
		if (slash == NULL)
			slash = end;
		cn = (size_t)(slash - c);
		if (cn == 0)
			return -1; /* "//" or a trailing '/': not what the kernel prints */
		if ((cn == 1 && c[0] == '.') || (cn == 2 && c[0] == '.' && c[1] == '.'))
			return -1;
		switch (classify(c, cn, &found)) {
		case COMP_CONTAINER:
			if (*id == NULL && !below_boundary)
				*id = found;
			break;
		case COMP_BOUNDARY:
			below_boundary = true;
			break;
		case COMP_OTHER:
			break;
		}
		if (slash == end)
			return 0;
	}
}

/* What the lines said so far. */
struct cg_scan {
	bool v2_seen;
	const char *v2; /* container of the v2 line, NULL: none */
	const char *v1; /* container of the v1 lines, NULL: none */
	bool v1_conflict;
};

/* One line, without its newline.  Returns 0, or -1 when malformed. */
static int
scan_line(const char *l, size_t n, struct cg_scan *s)
{
	const char *end = l + n, *c1, *c2, *id;
	bool zero, no_ctrl;

	c1 = memchr(l, ':', n);
	if (c1 == NULL || c1 == l)
		return -1;
	for (id = l; id < c1; id++)
		if (*id < '0' || *id > '9')
			return -1;
	if (c1 - l > 1 && l[0] == '0')
		return -1;
	c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	if (c2 == NULL)
		return -1;
	zero = c1 - l == 1 && l[0] == '0';
	no_ctrl = c2 == c1 + 1;
	if (zero != no_ctrl)
		return -1; /* only the v2 line has hierarchy 0, and only it has no controllers */
	if (path_container(c2 + 1, (size_t)(end - c2 - 1), &id) == -1)
		return -1;
	if (zero) {
		if (s->v2_seen)
			return -1;
		s->v2_seen = true;
		s->v2 = id;
		return 0;
	}
	if (id == NULL)
		return 0;
	if (s->v1 == NULL)
		s->v1 = id;
	else if (memcmp(s->v1, id, ID_LEN) != 0)
		s->v1_conflict = true;
	return 0;
}

enum cgroup_ctr
cgroup_container_id(const char *text, size_t len, char id[65])
{
	const char *p = text, *end = text + len, *nl;
	struct cg_scan s = { 0 };
	const char *found;

	if (len == 0 || memchr(text, '\0', len) != NULL)
		return CGROUP_UNUSABLE;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end; /* a last line without its newline */
		if (scan_line(p, (size_t)(nl - p), &s) == -1)
			return CGROUP_UNUSABLE; /* also an empty line: the kernel prints none */
		if (nl == end)
			break;
		p = nl + 1;
	}
	if (s.v1_conflict)
		return CGROUP_UNUSABLE;
	if (s.v2 != NULL && s.v1 != NULL && memcmp(s.v2, s.v1, ID_LEN) != 0)
		return CGROUP_UNUSABLE;
	found = s.v2 != NULL ? s.v2 : s.v1;
	if (found == NULL)
		return CGROUP_NONE;
	memcpy(id, found, ID_LEN);
	id[ID_LEN] = '\0';
	return CGROUP_FOUND;
}

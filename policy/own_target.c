/*
 * Paths for ownership: where the daemon inspects an object, and the request
 * target rewritten to the object's full id once the owner is checked, so
 * that a rename or a new tag between the check and the request cannot swap
 * the object.
 *
 * Both paths go to the daemon, which decodes the path once and routes the
 * decoded bytes (gorilla/mux without UseEncodedPath) after a cleanPath()
 * redirect check.  So: bytes outside the request-target's path characters
 * are percent-encoded ('/' stays: "{name:.*}" takes it, as image names and
 * link aliases need), a path that cleanPath() would change is refused (the
 * daemon would answer 301 and run nothing), and the result is routed again
 * with pol_ep_match() to prove it reaches the intended endpoint with the
 * intended reference.
 */
#include "sockwarden/compat.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sockwarden/owner.h"
#include "sockwarden/policy.h"
#include "sockwarden/req.h"

#include "endpoints.h"
#include "own_int.h"

/* Appends s[0..n) percent-encoded at buf[*o]; false when it does not fit. */
static bool
put_encoded(char *buf, size_t bufsz, size_t *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '/' || pol_path_byte_plain(c)) {
			if (*o + 1 >= bufsz)
				return false;
			buf[(*o)++] = (char)c;
		} else {
			if (*o + 3 >= bufsz)
				return false;
			buf[(*o)++] = '%';
			buf[(*o)++] = hex[c >> 4];
			buf[(*o)++] = hex[c & 15];
		}
	}
	buf[*o] = '\0';
	return true;
}

static bool
put_raw(char *buf, size_t bufsz, size_t *o, const char *s, size_t n)
{
	if (*o + n >= bufsz)
		return false;
	memcpy(buf + *o, s, n);
	*o += n;
	buf[*o] = '\0';
	return true;
}

/*
 * Would gorilla/mux's cleanPath() leave this decoded path alone?  No empty,
 * "." or ".." segment; a trailing '/' is kept by cleanPath, but no object
 * route ends in one, so it is refused too.  NUL and newline cannot be
 * routed ("{name:.*}" is a Go regexp '.', which stops at '\n').
 */
static bool
clean_path(const char *p, size_t n)
{
	size_t i, seg = 1, len;

	if (n == 0 || p[0] != '/' || p[n - 1] == '/')
		return false;
	for (i = 1; i <= n; i++) {
		if (i < n && (p[i] == '\0' || p[i] == '\n'))
			return false;
		if (i < n && p[i] != '/')
			continue;
		len = i - seg;
		if (len == 0 || (len == 1 && p[seg] == '.') ||
		    (len == 2 && p[seg] == '.' && p[seg + 1] == '.'))
			return false;
		seg = i + 1;
	}
	return true;
}

/* Does "path" route (method, path) to "ep" with its first variable equal to "ref"? */
static bool
routes_to(const char *method, const char *path, size_t n, int ep, const char *ref, size_t reflen)
{
	struct sw_str m = sw_str_cstr(method), p = sw_str_make(path, n), var;

	if (!clean_path(path, n))
		return false;
	return pol_ep_match(&m, &p, &var) == ep && var.len == reflen &&
	       memcmp(var.p, ref, reflen) == 0;
}

int
pol_own_inspect_path(enum pol_own_type type, const char *ref, char *buf, size_t bufsz)
{
	static const struct {
		enum pol_own_type type;
		const char *head, *tail;
		int ep;
	} shapes[] = {
		{ POL_OBJ_CONTAINER, "/containers/", "/json", POL_EP_ContainerInspect },
		{ POL_OBJ_IMAGE, "/images/", "/json", POL_EP_ImageInspect },
		{ POL_OBJ_VOLUME, "/volumes/", "", POL_EP_VolumeInspect },
		{ POL_OBJ_NETWORK, "/networks/", "", POL_EP_NetworkInspect },
		{ POL_OBJ_EXEC, "/exec/", "/json", POL_EP_ExecInspect },
	};
	char decoded[SW_PATH_MAX];
	size_t i, o = 0, d = 0, len;

	if (ref == NULL || buf == NULL || bufsz == 0 || (len = strlen(ref)) == 0)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < nitems(shapes); i++)
		if (shapes[i].type == type)
			break;
	if (i == nitems(shapes))
		return -1;
	if (!put_raw(decoded, sizeof(decoded), &d, shapes[i].head, strlen(shapes[i].head)) ||
	    !put_raw(decoded, sizeof(decoded), &d, ref, len) ||
	    !put_raw(decoded, sizeof(decoded), &d, shapes[i].tail, strlen(shapes[i].tail)))
		return -1;
	if (!routes_to("GET", decoded, d, shapes[i].ep, ref, len))
		return -1;
	if (!put_encoded(buf, bufsz, &o, decoded, d)) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

/*
 * An id from the daemon: printable ASCII without '/' (full ids are hex,
 * "sha256:<hex>" for images, volume names [a-zA-Z0-9][a-zA-Z0-9_.-]*).
 */
static bool
id_ok(const char *id)
{
	const char *c;

	if (id == NULL || id[0] == '\0' || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return false;
	for (c = id; *c != '\0'; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f || *c == '/')
			return false;
	return true;
}

/*
 * Endpoints whose meaning depends on the name used, not only on the image
 * it resolves to: a push needs the repository name, deleting by name only
 * untags (by id it deletes the image under every tag), and a save by name
 * records the tag in the archive.  Their target keeps the name; the
 * proxy's check of the owner stands, with the window between check and
 * request that a tag move could use.
 */
static bool
keeps_name(int ep)
{
	return ep == POL_EP_ImagePush || ep == POL_EP_ImageDelete || ep == POL_EP_ImageGet;
}

int
pol_own_rewrite_target(const struct sw_req *req, const char *id, char *buf, size_t bufsz)
{
	char decoded[SW_PATH_MAX];
	const char *path, *end, *at;
	size_t off, d = 0, o = 0;

	if (req == NULL || buf == NULL || bufsz == 0 || req->ref.len == 0 || req->path.len == 0)
		return -1;
	buf[0] = '\0';
	path = req->path.p;
	end = path + req->path.len;
	/* The reference as routed is a view into the path: replace exactly it. */
	if (req->ref.p >= path && req->ref.p + req->ref.len <= end)
		at = req->ref.p;
	else if ((at = memmem(path, req->path.len, req->ref.p, req->ref.len)) == NULL)
		return -1;
	off = (size_t)(at - path);
	if (keeps_name(req->endpoint))
		id = NULL;
	else if (!id_ok(id))
		return -1;
	if (!put_raw(decoded, sizeof(decoded), &d, path, off) ||
	    !put_raw(decoded, sizeof(decoded), &d, id != NULL ? id : at,
	        id != NULL ? strlen(id) : req->ref.len) ||
	    !put_raw(decoded, sizeof(decoded), &d, at + req->ref.len,
	        req->path.len - off - req->ref.len))
		return -1;
	if (!routes_to(pol_ep_method(req->endpoint), decoded, d, req->endpoint,
	        id != NULL ? id : at, id != NULL ? strlen(id) : req->ref.len))
		return -1;
	if (!put_encoded(buf, bufsz, &o, decoded, d))
		goto toolong;
	if (req->query.len > 0 && (!put_raw(buf, bufsz, &o, "?", 1) ||
	                              !put_raw(buf, bufsz, &o, req->query.p, req->query.len)))
		goto toolong;
	return (int)o;
toolong:
	buf[0] = '\0';
	return -1;
}

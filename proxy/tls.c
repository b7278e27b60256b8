/*
 * The program's side of the TLS module (tls_module.h): finding, checking and
 * loading sockwarden-tls.so when a configuration first asks for TLS, and the
 * tls.h functions, which pass straight through to it.  A module is never
 * unloaded: connections may run on its contexts until they close.
 */
#include "sockwarden/compat.h"

#include <sys/stat.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sockwarden/file.h"

#include "tls.h"

#ifndef SW_TLS_MODULE_NAME
#error "SW_TLS_MODULE_NAME (the module's file name) comes from CMakeLists.txt"
#endif
#ifndef SW_TLS_MODULE_PATH
#error "SW_TLS_MODULE_PATH (where the module is installed) comes from CMakeLists.txt"
#endif

static const struct tls_host host = {
	.file_read = sw_file_read,
	.file_release = sw_file_release,
};

static const struct tls_ops *ops;

int
tls_module_use(tls_module_init_fn *init)
{
	const struct tls_ops *o = init(SW_TLS_MODULE_ABI, sizeof(*o), &host);

	if (o == NULL)
		return -1;
	ops = o;
	return 0;
}

/* What opening "path" found: a module to load, none there, or one refused. */
enum module_file { MODULE_OPEN, MODULE_ABSENT, MODULE_REFUSED };

/*
 * Open "path" and check the file it opened (not the path, which may change
 * under us) as tls_module_load() says; the caller loads that very file
 * through /proc/self/fd.
 */
static enum module_file
module_open(const char *path, uid_t exe_owner, int *fdp, char *err, size_t errsz)
{
	struct stat st;
	const char *why = NULL;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		if (errno == ENOENT)
			return MODULE_ABSENT;
		snprintf(err, errsz, "TLS module %s: cannot open: %s", path, strerror(errno));
		return MODULE_REFUSED;
	}
	if (fstat(fd, &st) == -1)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (st.st_uid != 0 && st.st_uid != geteuid() && st.st_uid != exe_owner)
		why = "owned by someone other than root, us or the program's owner";
	else if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		why = "writable by its group or by others: run chmod go-w on it";
	if (why != NULL) {
		snprintf(err, errsz, "TLS module %s: %s", path, why);
		close(fd);
		return MODULE_REFUSED;
	}
	*fdp = fd;
	return MODULE_OPEN;
}

/* Map the checked file open on fd and take its table. */
static int
module_map(int fd, const char *path, char *err, size_t errsz)
{
	char fdpath[64];
	tls_module_init_fn *init;
	void *handle, *sym;

	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	handle = dlopen(fdpath, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL) {
		snprintf(err, errsz, "TLS module %s: %s", path, dlerror());
		return -1;
	}
	if ((sym = dlsym(handle, SW_TLS_MODULE_INIT)) == NULL) {
		snprintf(err, errsz, "TLS module %s: no %s: not a sockwarden TLS module", path,
		    SW_TLS_MODULE_INIT);
		dlclose(handle);
		return -1;
	}
	memcpy(&init, &sym, sizeof(init)); /* ISO C has no object-to-function pointer cast */
	if (tls_module_use(init) == -1) {
		snprintf(err, errsz, "TLS module %s was built from other sockwarden sources", path);
		dlclose(handle);
		return -1;
	}
	return 0;
}

int
tls_module_load_from(const char *const *paths, size_t npaths, char *err, size_t errsz)
{
	struct stat st;
	uid_t exe_owner = 0;
	size_t i;
	int fd, rc;

	if (ops != NULL)
		return 0;
	if (stat("/proc/self/exe", &st) == 0)
		exe_owner = st.st_uid;
	for (i = 0; i < npaths; i++) {
		switch (module_open(paths[i], exe_owner, &fd, err, errsz)) {
		case MODULE_ABSENT:
			continue;
		case MODULE_REFUSED:
			return -1; /* said loudly, not passed over for the next */
		case MODULE_OPEN:
			break;
		}
		rc = module_map(fd, paths[i], err, errsz);
		close(fd);
		return rc;
	}
	snprintf(err, errsz, "TLS needs the module %s, which is not installed (looked for %s%s%s)",
	    SW_TLS_MODULE_NAME, npaths > 0 ? paths[0] : "nothing", npaths > 1 ? " and " : "",
	    npaths > 1 ? paths[1] : "");
	return -1;
}

int
tls_module_load(char *err, size_t errsz)
{
	char exe[PATH_MAX], beside[PATH_MAX + sizeof(SW_TLS_MODULE_NAME)];
	const char *paths[2];
	size_t npaths = 0;
	ssize_t n;
	char *slash;

	if (ops != NULL)
		return 0;
	/* A build tree's program finds its own module, not an older installed one. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			snprintf(beside, sizeof(beside), "%s/%s", exe, SW_TLS_MODULE_NAME);
			paths[npaths++] = beside;
		}
	}
	paths[npaths++] = SW_TLS_MODULE_PATH;
	return tls_module_load_from(paths, npaths, err, errsz);
}

struct tls_ctx *
tls_server_ctx_new(const struct sw_tls_cfg *cfg, char *err, size_t errsz)
{
	return tls_module_load(err, errsz) == 0 ? ops->server_ctx_new(cfg, err, errsz) : NULL;
}

struct tls_ctx *
tls_client_ctx_new(const struct sw_tls_cfg *cfg, const char *host_name, char *err, size_t errsz)
{
	return tls_module_load(err, errsz) == 0 ? ops->client_ctx_new(cfg, host_name, err, errsz) :
	                                          NULL;
}

/* Nothing below runs before a context exists, and so before the module is loaded. */

void
tls_ctx_free(struct tls_ctx *ctx)
{
	if (ctx != NULL)
		ops->ctx_free(ctx);
}

struct tls_conn *
tls_conn_new(struct tls_ctx *ctx)
{
	return ops->conn_new(ctx);
}

int
tls_conn_attach(struct tls_conn *tc, int fd)
{
	return ops->conn_attach(tc, fd);
}

bool
tls_conn_is_server(const struct tls_conn *tc)
{
	return ops->conn_is_server(tc);
}

enum tls_io
tls_conn_handshake(struct tls_conn *tc)
{
	return ops->conn_handshake(tc);
}

enum tls_io
tls_conn_read(struct tls_conn *tc, void *buf, size_t len, size_t *n)
{
	return ops->conn_read(tc, buf, len, n);
}

bool
tls_conn_pending(const struct tls_conn *tc)
{
	return ops->conn_pending(tc);
}

enum tls_io
tls_conn_write(struct tls_conn *tc, const void *buf, size_t len, size_t *n)
{
	return ops->conn_write(tc, buf, len, n);
}

enum tls_io
tls_conn_shutdown(struct tls_conn *tc)
{
	return ops->conn_shutdown(tc);
}

const char *
tls_conn_error(const struct tls_conn *tc)
{
	return ops->conn_error(tc);
}

const char *
tls_conn_version(const struct tls_conn *tc)
{
	return ops->conn_version(tc);
}

int
tls_conn_peer_ident(const struct tls_conn *tc, struct sw_cert_ident **out)
{
	return ops->conn_peer_ident(tc, out);
}

void
tls_conn_free(struct tls_conn *tc)
{
	if (tc != NULL)
		ops->conn_free(tc);
}

void
tls_cert_ident_free(struct sw_cert_ident *ci)
{
	if (ci != NULL)
		ops->cert_ident_free(ci);
}

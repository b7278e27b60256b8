/*
 * Values of the body rules: list items (host path globs, capabilities, image
 * references, ...), sizes, counts, CPUs and port ranges.  Each check takes a
 * NUL-terminated scalar and either writes its normalised form or returns -1
 * with a static phrase in *why that completes "<key> item <why>".
 *
 * Items are normalised the way the daemon normalises what a client sends,
 * so that an inspector compares like with like: capabilities upper-case
 * without "CAP_", image references with their registry, repository path
 * and tag spelled out (alpine -> docker.io/library/alpine:latest), host IPs
 * in their canonical text form.
 */
#include "sockwarden/compat.h"

#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "image_ref.h"
#include "insp_check.h"
#include "load_rules.h"

#define KIB (UINT64_C(1024))

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool
is_alnum(char c)
{
	return is_lower(c) || (c >= 'A' && c <= 'Z') || is_digit(c);
}

/* Every byte is one of "extra" or a letter or digit. */
static bool
only_chars(const char *s, const char *extra)
{
	for (; *s != '\0'; s++)
		if (!is_alnum(*s) && strchr(extra, *s) == NULL)
			return false;
	return true;
}

static int
copy_norm(const char *s, char *norm, size_t normsz, const char **why)
{
	size_t n = strlen(s);

	if (n >= normsz) {
		*why = "is too long";
		return -1;
	}
	memcpy(norm, s, n + 1);
	return 0;
}

/* One of a fixed set of names. */
static int
check_name_in(const char *s, const char *const *names, const char *hint, char *norm, size_t normsz,
    const char **why)
{
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(s, names[i]) == 0)
			return copy_norm(s, norm, normsz, why);
	*why = hint;
	return -1;
}

/* ---- host paths -------------------------------------------------------------- */

/*
 * An absolute, clean path glob: no empty, "." or ".." component, no
 * trailing '/', "**" only as a whole component.  The inspectors compare it
 * with sources cleaned like Go's path.Clean, component by component.
 */
static int
check_host_glob(const char *s, char *norm, size_t normsz, const char **why)
{
	const char *c, *end;
	size_t n;

	if (s[0] != '/') {
		*why = "must be an absolute path or glob, e.g. \"/srv/ci/**\"";
		return -1;
	}
	for (c = s; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == '\\') {
			*why = "must not contain control characters or backslashes";
			return -1;
		}
	}
	if (s[1] == '\0')
		return copy_norm(s, norm, normsz, why);
	for (c = s + 1;; c = end + 1) {
		end = strchr(c, '/');
		if (end == NULL)
			end = c + strlen(c);
		n = (size_t)(end - c);
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) {
			*why =
			    "must be a clean path (no \"//\", \".\" or \"..\" and no trailing '/')";
			return -1;
		}
		if (n > 2 && memmem(c, n, "**", 2) != NULL) {
			*why = "may use \"**\" only as a whole path component";
			return -1;
		}
		if (*end == '\0')
			break;
	}
	return copy_norm(s, norm, normsz, why);
}

/* ---- capabilities ------------------------------------------------------------ */

/* The kernel's capabilities (linux/capability.h), without "CAP_". */
static const char *const capabilities[] = { "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER",
	"FSETID", "KILL", "SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE",
	"NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO",
	"SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
	"SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE",
	"AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
	"BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE", "ALL", NULL };

/*
 * Normalised by the inspectors' normaliser (insp_check.c, the daemon's
 * reading) and stored as the inspectors compare it: "ALL", or the name
 * without "CAP_".  "CAP_ALL" names no capability (the daemon refuses it).
 * Only ASCII is accepted: Go's Unicode upper-casing turns 'ı' into 'I',
 * which is a surprise a configuration should not rely on.
 */
static int
check_capability(const char *s, char *norm, size_t normsz, const char **why)
{
	char daemon_form[64 + 4]; /* room for the "CAP_" prefix */
	const char *name;
	size_t i, n = strlen(s);

	if (n == 0 || n >= 64) {
		*why = "must be a capability name such as NET_BIND_SERVICE";
		return -1;
	}
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] >= 0x80) {
			*why = "must be an ASCII capability name";
			return -1;
		}
	}
	if (pol_chk_cap_normalise(s, daemon_form, sizeof(daemon_form)) == -1 ||
	    (name = pol_chk_cap_list_name(daemon_form)) == NULL)
		name = "";
	return check_name_in(name, capabilities,
	    "is not a Linux capability (e.g. NET_BIND_SERVICE, CAP_CHOWN, ALL)", norm, normsz, why);
}

/* ---- image references -------------------------------------------------------- */

/*
 * An image reference or a glob over references.  It is normalised by the
 * same code that normalises the references clients send (image_ref.c), so a
 * policy's "alpine:*" and a client's "alpine:3.20" meet as
 * docker.io/library/alpine:* and docker.io/library/alpine:3.20.
 */
static int
check_image(const char *s, char *norm, size_t normsz, const char **why)
{
	const char *c;

	if (s[0] == '\0' || !only_chars(s, "._-/:@*?+")) {
		*why = "must be an image reference or glob, e.g. \"registry.example.org/**\"";
		return -1;
	}
	if (s[0] == '/' || s[strlen(s) - 1] == '/' || strstr(s, "//") != NULL) {
		*why = "must not start or end with '/' or contain \"//\"";
		return -1;
	}
	/* Repositories are lower case; registry names and tags need not be. */
	c = strchr(s, '/');
	if (c == NULL ||
	    (memchr(s, '.', (size_t)(c - s)) == NULL && memchr(s, ':', (size_t)(c - s)) == NULL &&
	        strncmp(s, "localhost/", 10) != 0))
		c = s;
	else
		c++;
	for (; *c != '\0' && *c != ':' && *c != '@'; c++) {
		if (*c >= 'A' && *c <= 'Z') {
			*why =
			    "must spell the repository in lower case (only tags may use upper case)";
			return -1;
		}
	}
	if (pol_image_pattern_normalize(s, norm, normsz) == -1) {
		*why = "is too long";
		return -1;
	}
	return 0;
}

/* ---- names ------------------------------------------------------------------- */

static const char *const ulimits[] = { "core", "cpu", "data", "fsize", "locks", "memlock",
	"msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack",
	NULL };
static const char *const namespaces[] = { "network", "pid", "ipc", "uts", "userns", "cgroupns",
	NULL };
static const char *const plugin_privileges[] = { "network", "mount", "device", "allow-all-devices",
	"capabilities", "host pid namespace", "host ipc namespace", NULL };
static const char *const resources[] = { "memory", "cpu", "pids_limit", NULL };

/* Letters, digits and "extra", 1 to "max" bytes; "" too when "empty_ok". */
static int
check_word(const char *s, const char *extra, size_t max, bool empty_ok, const char *hint,
    char *norm, size_t normsz, const char **why)
{
	size_t n = strlen(s);

	if ((n == 0 && !empty_ok) || n > max || !only_chars(s, extra)) {
		*why = hint;
		return -1;
	}
	return copy_norm(s, norm, normsz, why);
}

/*
 * "" (every interface, as is 0.0.0.0 or ::, which the inspector reads as
 * ""), "*" (any address), or an address in its canonical text form.
 */
static int
check_host_ip(const char *s, char *norm, size_t normsz, const char **why)
{
	static const unsigned char zero[16];
	unsigned char addr[16];
	char text[INET6_ADDRSTRLEN];

	if (s[0] == '\0' || strcmp(s, "*") == 0)
		return copy_norm(s, norm, normsz, why);
	if (inet_pton(AF_INET, s, addr) == 1)
		return copy_norm(memcmp(addr, zero, 4) == 0 ? "" : s, norm, normsz, why);
	if (inet_pton(AF_INET6, s, addr) == 1 &&
	    inet_ntop(AF_INET6, addr, text, sizeof(text)) != NULL)
		return copy_norm(memcmp(addr, zero, 16) == 0 ? "" : text, norm, normsz, why);
	*why = "must be an IP address, \"\" (all interfaces) or \"*\" (any)";
	return -1;
}

static int
check_command(const char *s, char *norm, size_t normsz, const char **why)
{
	const char *c;

	if (s[0] == '\0') {
		*why = "must not be empty";
		return -1;
	}
	for (c = s; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			*why = "must not contain control characters";
			return -1;
		}
	}
	return copy_norm(s, norm, normsz, why);
}

/*
 * "*" (every privilege, which is what a plugin installed from a tar gets),
 * "<name>" (that privilege with any value) or "<name>=<glob>" (values
 * matching the glob; for mount and device, a host path glob).
 */
static int
check_plugin_priv(const char *s, char *norm, size_t normsz, const char **why)
{
	const char *eq = strchr(s, '=');
	char name[64];
	size_t n = eq != NULL ? (size_t)(eq - s) : strlen(s);

	if (strcmp(s, "*") == 0)
		return copy_norm(s, norm, normsz, why);
	*why = "must be a plugin privilege (network, mount, device, allow-all-devices, "
	       "capabilities, host pid namespace, host ipc namespace), optionally with "
	       "=<glob>, or \"*\"";
	if (n >= sizeof(name))
		return -1;
	memcpy(name, s, n);
	name[n] = '\0';
	if (check_name_in(name, plugin_privileges, *why, norm, normsz, why) == -1)
		return -1;
	if (eq == NULL)
		return 0;
	if (strcmp(name, "mount") == 0 || strcmp(name, "device") == 0) {
		if (check_host_glob(eq + 1, norm, normsz, why) == -1)
			return -1;
	} else if (check_command(eq + 1, norm, normsz, why) == -1) {
		return -1;
	}
	return copy_norm(s, norm, normsz, why);
}

int
ld_item_check(enum ld_item kind, const char *s, char *norm, size_t normsz, const char **why)
{
	switch (kind) {
	case LDI_HOST_PATH_GLOB:
		return check_host_glob(s, norm, normsz, why);
	case LDI_CAPABILITY:
		return check_capability(s, norm, normsz, why);
	case LDI_SYSCTL:
		return check_word(s, "._-*?", 128, false,
		    "must be a sysctl name or glob such as net.ipv4.ping_group_range", norm, normsz,
		    why);
	case LDI_RUNTIME:
		return check_word(s, "._-", 128, true,
		    "must be a runtime name (letters, digits, '.', '_', '-') or \"\" for the default",
		    norm, normsz, why);
	case LDI_ULIMIT:
		return check_name_in(s, ulimits,
		    "must be a ulimit name: core, cpu, data, fsize, locks, memlock, msgqueue, nice, "
		    "nofile, nproc, rss, rtprio, rttime, sigpending or stack",
		    norm, normsz, why);
	case LDI_HOST_IP:
		return check_host_ip(s, norm, normsz, why);
	case LDI_IMAGE:
		return check_image(s, norm, normsz, why);
	case LDI_LABEL_KEY:
		return check_word(s, "._-/", 128, false,
		    "must be a label key (letters, digits, '.', '_', '-', '/')", norm, normsz, why);
	case LDI_LOG_DRIVER:
		return check_word(s, "._-/:", 128, true,
		    "must be a log driver name or \"\" for the daemon's default", norm, normsz,
		    why);
	case LDI_NAMESPACE:
		return check_name_in(s, namespaces,
		    "must be one of network, pid, ipc, uts, userns, cgroupns", norm, normsz, why);
	case LDI_COMMAND:
		return check_command(s, norm, normsz, why);
	case LDI_DRIVER:
		return check_word(s, "._-/:", 128, false,
		    "must be a driver name such as local or bridge", norm, normsz, why);
	case LDI_INTERFACE:
		return check_word(s, "._-@:*?", 15, false,
		    "must be a network interface name or glob (at most 15 characters)", norm,
		    normsz, why);
	case LDI_PLUGIN_PRIV:
		return check_plugin_priv(s, norm, normsz, why);
	case LDI_RESOURCE:
		return check_name_in(
		    s, resources, "must be memory, cpu or pids_limit", norm, normsz, why);
	}
	*why = "is not valid";
	return -1;
}

const char *
ld_item_example(enum ld_item kind)
{
	switch (kind) {
	case LDI_HOST_PATH_GLOB:
		return "[\"/srv/data/**\"]";
	case LDI_CAPABILITY:
		return "[NET_BIND_SERVICE]";
	case LDI_SYSCTL:
		return "[net.ipv4.ping_group_range]";
	case LDI_RUNTIME:
		return "[\"\", runc]";
	case LDI_ULIMIT:
		return "[nofile, nproc]";
	case LDI_HOST_IP:
		return "[127.0.0.1, \"::1\"]";
	case LDI_IMAGE:
		return "[\"registry.example.org/**\"]";
	case LDI_LABEL_KEY:
		return "[com.example.team]";
	case LDI_LOG_DRIVER:
		return "[\"\", json-file, local]";
	case LDI_NAMESPACE:
		return "[network]";
	case LDI_COMMAND:
		return "[\"sh -c *\"]";
	case LDI_DRIVER:
		return "[local]";
	case LDI_INTERFACE:
		return "[eth1]";
	case LDI_PLUGIN_PRIV:
		return "[network]";
	case LDI_RESOURCE:
		return "[memory, pids_limit]";
	}
	return "[...]";
}

/* ---- numbers ----------------------------------------------------------------- */

/* "1073741824", "512MiB", "4GiB", "1TiB"; at least 1 byte. */
int
ld_parse_rule_size(const char *s, int64_t *out, const char **why)
{
	static const struct ld_unit units[] = { { "", 1 }, { "KiB", KIB }, { "MiB", KIB * KIB },
		{ "GiB", KIB * KIB * KIB }, { "TiB", KIB * KIB * KIB * KIB } };
	uint64_t v;

	if (ld_parse_with_unit(s, units, nitems(units), INT64_MAX,
	        "must be a size in bytes or with KiB, MiB, GiB or TiB, e.g. 512MiB", &v, why) == -1)
		return -1;
	if (v == 0) {
		*why = "must be at least 1 byte";
		return -1;
	}
	*out = (int64_t)v;
	return 0;
}

/* A positive count no larger than the kernel's largest pid_max. */
int
ld_parse_rule_count(const char *s, int64_t *out, const char **why)
{
	uint64_t v;
	size_t n = ld_leading_number(s, &v, why);

	if (n == 0 || s[n] != '\0') {
		if (n != 0 || !is_digit(s[0]))
			*why = "must be a whole number";
		return -1;
	}
	if (v < 1 || v > 4194304) {
		*why = "must be between 1 and 4194304";
		return -1;
	}
	*out = (int64_t)v;
	return 0;
}

/* "4", "0.5", "1.25": CPUs, as the daemon's NanoCpus (CPUs x 10^9); more than 0. */
int
ld_parse_cpus(const char *s, int64_t *nano, const char **why)
{
	uint64_t whole;
	int64_t frac = 0, scale = 100000000;
	size_t n = ld_leading_number(s, &whole, why), i;

	if (n == 0 || whole > 1000000) {
		*why = "must be a number of CPUs such as 2 or 0.5 (at most 1000000)";
		return -1;
	}
	if (s[n] == '.') {
		for (i = n + 1; is_digit(s[i]); i++) {
			if (scale == 0) {
				*why = "has more than 9 decimal places";
				return -1;
			}
			frac += (s[i] - '0') * scale;
			scale /= 10;
		}
		if (i == n + 1 || s[i] != '\0') {
			*why = "must be a number of CPUs such as 2 or 0.5";
			return -1;
		}
	} else if (s[n] != '\0') {
		*why = "must be a number of CPUs such as 2 or 0.5";
		return -1;
	}
	*nano = (int64_t)whole * 1000000000 + frac;
	if (*nano == 0) {
		*why = "must be more than 0";
		return -1;
	}
	return 0;
}

static int
parse_port(const char *s, size_t len, uint16_t *out)
{
	uint32_t v = 0;
	size_t i;

	if (len == 0 || len > 5 || (s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/* "8080" or "8000-8999"; ports 1 to 65535, low end first. */
int
ld_parse_port_range(const char *s, struct pol_port_range *out, const char **why)
{
	const char *dash = strchr(s, '-');
	size_t n = strlen(s);

	*why = "must be a port (1-65535) or a range such as \"8000-8999\"";
	if (dash == NULL) {
		if (parse_port(s, n, &out->lo) == -1)
			return -1;
		out->hi = out->lo;
		return 0;
	}
	if (parse_port(s, (size_t)(dash - s), &out->lo) == -1 ||
	    parse_port(dash + 1, n - (size_t)(dash - s) - 1, &out->hi) == -1)
		return -1;
	if (out->lo > out->hi) {
		*why = "must give the lower port first";
		return -1;
	}
	return 0;
}

/* "1000", "1000:1000", "app", "app:app": what Config.User takes, without spaces. */
int
ld_check_user(const char *s, const char **why)
{
	const char *colon = strchr(s, ':');
	size_t n = strlen(s);

	if (n == 0 || n > 64 || !only_chars(s, "._-:") || s[0] == ':' || s[n - 1] == ':' ||
	    (colon != NULL && strchr(colon + 1, ':') != NULL)) {
		*why =
		    "must be a user, or user:group, as names or numeric ids (e.g. \"1000:1000\")";
		return -1;
	}
	return 0;
}

int
ld_check_label_value(const char *s, const char **why)
{
	const char *c;

	if (strlen(s) > 256) {
		*why = "is longer than 256 bytes";
		return -1;
	}
	for (c = s; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			*why = "must not contain control characters";
			return -1;
		}
	}
	return 0;
}

/*
 * Scalar values of the configuration file: numbers, sizes, durations, modes,
 * names and addresses.  Each parser takes a NUL-terminated scalar (the loader
 * has already refused embedded NULs) and either fills *out or returns -1 with
 * a static phrase in *why that completes "<key> <why>".
 *
 * Numbers are plain decimal: no sign, no leading zeros (YAML 1.1 would read
 * "010" as octal, YAML 1.2 as ten; we accept neither spelling), no spaces.
 */
#include "sockwarden/compat.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sockwarden/log.h"

#include "load_int.h"

#define KIB (UINT64_C(1024))
#define MIB (UINT64_C(1024) * 1024)

/* Longest Unix socket path: sizeof(sockaddr_un.sun_path) - 1 on Linux. */
#define UNIX_PATH_MAX 107

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Reads the leading decimal digits of "s" (no sign, no leading zeros) into
 * *out; returns how many, 0 on error with the reason in *why.
 */
size_t
ld_leading_number(const char *s, uint64_t *out, const char **why)
{
	uint64_t v = 0;
	size_t n = 0;

	if (!is_digit(s[0])) {
		*why = "must be a decimal number";
		return 0;
	}
	if (s[0] == '0' && is_digit(s[1])) {
		*why = "must not have leading zeros";
		return 0;
	}
	for (; is_digit(s[n]); n++) {
		if (v > (UINT64_MAX - 9) / 10) {
			*why = "is too large";
			return 0;
		}
		v = v * 10 + (uint64_t)(s[n] - '0');
	}
	*out = v;
	return n;
}

int
pol_parse_count(const char *s, uint64_t *out, const char **why)
{
	size_t n = ld_leading_number(s, out, why);

	if (n == 0)
		return -1;
	if (s[n] != '\0') {
		*why = "must be a decimal number";
		return -1;
	}
	return 0;
}

/* A uid or gid: below (uid_t)-1, which the kernel reserves for "none". */
int
pol_parse_id(const char *s, uint32_t *out, const char **why)
{
	uint64_t v;

	if (pol_parse_count(s, &v, why) == -1 || v > UINT32_MAX - 1) {
		*why = "must be a numeric id below 4294967295";
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

int
ld_parse_with_unit(const char *s, const struct ld_unit *units, size_t n_units, uint64_t max,
    const char *form, uint64_t *out, const char **why)
{
	uint64_t v;
	size_t i, n = ld_leading_number(s, &v, why);

	if (n == 0) {
		if (!is_digit(s[0]))
			*why = form;
		return -1;
	}
	for (i = 0; i < n_units; i++) {
		if (strcmp(s + n, units[i].suffix) != 0)
			continue;
		if (v > max / units[i].mult) {
			*why = "is too large";
			return -1;
		}
		*out = v * units[i].mult;
		return 0;
	}
	*why = form;
	return -1;
}

/* "v" with the largest of the units (listed smallest first) that divides it exactly. */
static void
format_with_unit(uint64_t v, const struct ld_unit *units, size_t n_units, char *buf, size_t bufsz)
{
	size_t i = n_units - 1;

	while (i > 0 && (v == 0 || v % units[i].mult != 0))
		i--;
	snprintf(buf, bufsz, "%llu%s", (unsigned long long)(v / units[i].mult), units[i].suffix);
}

static const struct ld_unit size_units[] = { { "", 1 }, { "KiB", KIB }, { "MiB", MIB } };

/* The unit is required: a bare number could be read as seconds or as milliseconds. */
static const struct ld_unit duration_units[] = { { "ms", 1 }, { "s", 1000 }, { "m", 60 * 1000 },
	{ "h", 3600 * 1000 } };

/* "65536", "64KiB", "1MiB". */
int
pol_parse_size(const char *s, uint64_t *out, const char **why)
{
	return ld_parse_with_unit(s, size_units, nitems(size_units), UINT64_MAX,
	    "must be a size in bytes, e.g. 65536, 64KiB or 1MiB", out, why);
}

/* "500ms", "10s", "2m", "1h". */
int
pol_parse_duration_ms(const char *s, uint64_t *out, const char **why)
{
	return ld_parse_with_unit(s, duration_units, nitems(duration_units), UINT64_MAX,
	    "must be a duration with a unit, e.g. 500ms, 10s, 2m or 1h", out, why);
}

/* Permission bits as octal digits ("0660", "600"); nothing above 0777. */
int
pol_parse_mode(const char *s, unsigned *out, const char **why)
{
	unsigned v = 0;
	size_t n;

	for (n = 0; s[n] != '\0'; n++) {
		if (s[n] < '0' || s[n] > '7' || n >= 4) {
			*why = "must be an octal mode such as \"0660\"";
			return -1;
		}
		v = v * 8 + (unsigned)(s[n] - '0');
	}
	if (n == 0) {
		*why = "must be an octal mode such as \"0660\"";
		return -1;
	}
	if (v > 0777) {
		*why = "must not exceed 0777 (no setuid, setgid or sticky bits)";
		return -1;
	}
	*out = v;
	return 0;
}

/* Only the two spellings YAML 1.1 and 1.2 agree on; "yes"/"on" are refused. */
int
pol_parse_bool(const char *s, bool *out, const char **why)
{
	if (strcmp(s, "true") == 0)
		*out = true;
	else if (strcmp(s, "false") == 0)
		*out = false;
	else {
		*why = "must be true or false";
		return -1;
	}
	return 0;
}

int
pol_parse_log_level(const char *s, int *out, const char **why)
{
	static const char *const names[] = {
		[LOG_LEVEL_ERROR] = "error",
		[LOG_LEVEL_WARN] = "warn",
		[LOG_LEVEL_INFO] = "info",
		[LOG_LEVEL_DEBUG] = "debug",
	};
	size_t i;

	for (i = 0; i < nitems(names); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	*why = "must be one of error, warn, info, debug";
	return -1;
}

static bool
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
	       c == '.' || c == '-';
}

/*
 * Listener and policy names: [A-Za-z0-9_.-]{1,63}.  They appear in audit
 * records and in messages sent to clients, so they never need escaping.
 */
int
pol_check_name(const char *s, const char **why)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++) {
		if (!is_name_char(s[n])) {
			*why = "may contain only letters, digits, '_', '.' and '-'";
			return -1;
		}
	}
	if (n == 0 || n >= SW_NAME_MAX) {
		*why = "must be 1 to 63 characters long";
		return -1;
	}
	return 0;
}

/* A user or group: a name as useradd accepts it, or a numeric id. */
int
pol_check_account(const char *s, const char **why)
{
	uint64_t id;
	size_t n;

	if (is_digit(s[0])) {
		if (pol_parse_count(s, &id, why) == -1 || id > UINT32_MAX - 1) {
			*why = "must be a name or a numeric id below 4294967295";
			return -1;
		}
		return 0;
	}
	for (n = 0; s[n] != '\0'; n++) {
		if (!is_name_char(s[n]) && !(s[n] == '$' && s[n + 1] == '\0')) {
			*why = "must be a user or group name, or a numeric id";
			return -1;
		}
	}
	if (n == 0 || n >= SW_NAME_MAX || s[0] == '-') {
		*why = "must be a user or group name of 1 to 63 characters, or a numeric id";
		return -1;
	}
	return 0;
}

/*
 * An API version: dot-separated decimal components ("1.24", "1.41.0").  At
 * most nine digits per component, so that no component overflows in the
 * daemon's comparison (which would silently turn it into 0).
 */
int
pol_check_version(const char *s, size_t max, const char **why)
{
	size_t i, digits = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (is_digit(s[i])) {
			if (++digits > 9)
				break;
		} else if (s[i] == '.' && digits > 0 && s[i + 1] != '\0') {
			digits = 0;
		} else {
			break;
		}
	}
	if (i == 0 || s[i] != '\0') {
		*why = "must be an API version such as \"1.24\"";
		return -1;
	}
	if (i >= max) {
		*why = "is too long";
		return -1;
	}
	return 0;
}

/* Bytes a path may hold: not control characters, not DEL. */
static bool
path_chars_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* An absolute path with no empty, "." or ".." components and no trailing '/'. */
static int
check_abs_path(const char *path, size_t max, const char **why)
{
	const char *c, *end;
	size_t len = strlen(path);

	if (path[0] != '/' || len < 2) {
		*why = "must be an absolute path";
		return -1;
	}
	if (len > max) {
		*why = "is too long";
		return -1;
	}
	if (!path_chars_ok(path)) {
		*why = "must not contain control characters";
		return -1;
	}
	for (c = path + 1;; c = end + 1) {
		end = strchr(c, '/');
		if (end == NULL)
			end = c + strlen(c);
		if (end == c || (end - c == 1 && c[0] == '.') ||
		    (end - c == 2 && c[0] == '.' && c[1] == '.')) {
			*why =
			    "must be a clean absolute path (no \"//\", \".\" or \"..\" and no trailing '/')";
			return -1;
		}
		if (*end == '\0')
			break;
	}
	return 0;
}

/* "unix:///run/sockwarden/x.sock" */
int
pol_check_unix_url(const char *s, const char **why)
{
	if (strncmp(s, "unix://", 7) != 0) {
		*why = "must be a unix:///absolute/path URL";
		return -1;
	}
	return check_abs_path(s + 7, UNIX_PATH_MAX, why);
}

static bool
is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned
hex_value(char c)
{
	if (is_digit(c))
		return (unsigned)(c - '0');
	return (unsigned)((c | 0x20) - 'a' + 10);
}

/* Dotted-quad IPv4, each part 0..255 without leading zeros (which some parsers read as octal). */
static bool
parse_ipv4(const char *s, size_t n, unsigned char out[4])
{
	size_t i = 0, d;
	unsigned v;
	int part;

	for (part = 0; part < 4; part++) {
		if (part > 0 && (i >= n || s[i++] != '.'))
			return false;
		for (v = 0, d = 0; i < n && is_digit(s[i]) && d < 4; i++, d++)
			v = v * 10 + (unsigned)(s[i] - '0');
		if (d == 0 || d > 3 || v > 255 || (d > 1 && s[i - d] == '0'))
			return false;
		out[part] = (unsigned char)v;
	}
	return i == n;
}

/*
 * RFC 4291 text form: eight groups, or fewer around one "::"; a dotted quad
 * may end it.  No zone index ("%eth0"): a listener or upstream needs none.
 */
static bool
parse_ipv6(const char *s, size_t n, unsigned char out[16])
{
	unsigned words[8] = { 0 }, v;
	unsigned char quad[4];
	size_t i = 0, start, d, w;
	int nw = 0, gap = -1;

	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	} else if (n == 0 || s[0] == ':') {
		return false;
	}
	while (i < n) {
		for (start = i, d = 0, v = 0; i < n && is_hex(s[i]) && d < 5; i++, d++)
			v = v * 16 + hex_value(s[i]);
		if (i < n && s[i] == '.') {
			if (nw > 6 || !parse_ipv4(s + start, n - start, quad))
				return false;
			words[nw++] = (unsigned)quad[0] << 8 | quad[1];
			words[nw++] = (unsigned)quad[2] << 8 | quad[3];
			break;
		}
		if (d == 0 || d > 4 || nw == 8)
			return false;
		words[nw++] = v;
		if (i == n)
			break;
		if (s[i++] != ':' || i == n)
			return false;
		if (s[i] == ':') {
			if (gap >= 0)
				return false;
			gap = nw;
			i++;
		}
	}
	if (gap >= 0 ? nw > 7 : nw != 8)
		return false;
	memset(out, 0, 16);
	for (w = 0; w < (size_t)nw; w++) {
		/* Groups after the gap are right-aligned. */
		size_t at = gap >= 0 && (int)w >= gap ? w + 8 - (size_t)nw : w;

		out[2 * at] = (unsigned char)(words[w] >> 8);
		out[2 * at + 1] = (unsigned char)(words[w] & 0xff);
	}
	return true;
}

/* ::ffff:0:0/96, where an IPv4 address is kept among the IPv6 ones. */
static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* "tcp://127.0.0.1:2375" or "tcp://[::1]:2375": literal addresses only, no DNS. */
int
ld_parse_tcp_url(const char *s, struct ld_tcp_addr *out, const char **why)
{
	const char *hp, *colon, *he;
	uint64_t port;
	bool ok;

	if (strncmp(s, "tcp://", 6) != 0)
		goto bad;
	hp = s + 6;
	memset(out, 0, sizeof(*out));
	if (*hp == '[') {
		he = strchr(++hp, ']');
		if (he == NULL || he[1] != ':')
			goto bad;
		colon = he + 1;
		ok = parse_ipv6(hp, (size_t)(he - hp), out->addr);
	} else {
		colon = strrchr(hp, ':');
		if (colon == NULL)
			goto bad;
		he = colon;
		memcpy(out->addr, v4_mapped, sizeof(v4_mapped));
		ok = parse_ipv4(hp, (size_t)(he - hp), out->addr + 12);
	}
	if (!ok || pol_parse_count(colon + 1, &port, why) == -1 || port == 0 || port > 65535)
		goto bad;
	out->port = (unsigned)port;
	return 0;
bad:
	*why =
	    "must be tcp://<IPv4 address>:<port> or tcp://[<IPv6 address>]:<port> (no host names)";
	return -1;
}

static bool
is_v4(const struct ld_tcp_addr *a)
{
	return memcmp(a->addr, v4_mapped, sizeof(v4_mapped)) == 0;
}

/* 0.0.0.0 takes the port on every IPv4 address; :: on every address of both families. */
static bool
covers(const struct ld_tcp_addr *wide, const struct ld_tcp_addr *other)
{
	static const unsigned char zero[16];

	if (memcmp(wide->addr, zero, 16) == 0)
		return true; /* the proxy does not set IPV6_V6ONLY: [::] is dual-stack on Linux */
	return is_v4(wide) && memcmp(wide->addr + 12, zero, 4) == 0 && is_v4(other);
}

bool
ld_tcp_addr_overlap(const struct ld_tcp_addr *a, const struct ld_tcp_addr *b)
{
	if (a->port != b->port)
		return false;
	return memcmp(a->addr, b->addr, 16) == 0 || covers(a, b) || covers(b, a);
}

/* 127.0.0.0/8 or ::1: addresses that are this host whatever its interfaces. */
static bool
is_loopback(const struct ld_tcp_addr *a)
{
	static const unsigned char v6_loopback[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		1 };

	return (is_v4(a) && a->addr[12] == 127) || memcmp(a->addr, v6_loopback, 16) == 0;
}

/*
 * Would a listener on "lsn" receive what is sent to "ups"?  Certainly when
 * the addresses are the same, or when the listener's wildcard covers a
 * loopback upstream; any other address may or may not be this host's, which
 * only the proxy could tell.
 */
bool
ld_tcp_addr_loops(const struct ld_tcp_addr *lsn, const struct ld_tcp_addr *ups)
{
	if (lsn->port != ups->port)
		return false;
	return memcmp(lsn->addr, ups->addr, 16) == 0 || (covers(lsn, ups) && is_loopback(ups));
}

static int
check_tcp_url(const char *s, const char **why)
{
	struct ld_tcp_addr a;

	return ld_parse_tcp_url(s, &a, why);
}

int
pol_check_upstream(const char *s, const char **why)
{
	if (strncmp(s, "unix://", 7) == 0)
		return pol_check_unix_url(s, why);
	if (strncmp(s, "tcp://", 6) == 0)
		return check_tcp_url(s, why);
	*why = "must be a unix:///path or tcp://address:port URL";
	return -1;
}

/* "stderr", "off", or an absolute file path. */
int
pol_check_audit(const char *s, const char **why)
{
	if (strcmp(s, "stderr") == 0 || strcmp(s, "off") == 0)
		return 0;
	if (s[0] != '/') {
		*why = "must be stderr, off or an absolute file path";
		return -1;
	}
	return check_abs_path(s, SW_URL_MAX - 1, why);
}

/* An allow/deny entry: an operation id, or a glob over them with '*' and '?'. */
int
pol_check_pattern(const char *s, const char **why)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++) {
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
		        is_digit(s[n]) || s[n] == '*' || s[n] == '?')) {
			*why =
			    "must be an operation id or a pattern of letters, digits, '*' and '?'";
			return -1;
		}
	}
	if (n == 0 || n >= POL_PATTERN_MAX) {
		*why = "must be 1 to 127 characters long";
		return -1;
	}
	return 0;
}

/* The shortest exact spelling of a byte count: "1MiB", "64KiB", "1000". */
void
pol_format_size(uint64_t bytes, char *buf, size_t bufsz)
{
	format_with_unit(bytes, size_units, nitems(size_units), buf, bufsz);
}

void
pol_format_duration(uint64_t ms, char *buf, size_t bufsz)
{
	format_with_unit(ms, duration_units, nitems(duration_units), buf, bufsz);
}

/* ---- TLS files and names, client match values ---------------------------------- */

/* A certificate, key, CA or CRL file: opened by the proxy, so only the spelling here. */
int
ld_check_file_path(const char *s, const char **why)
{
	return check_abs_path(s, SW_FILE_MAX - 1, why);
}

static bool
is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The name the daemon's certificate must carry: a DNS name, or an IPv4 or IPv6 address. */
int
ld_check_host_name(const char *s, const char **why)
{
	unsigned char addr[16];
	size_t n = strlen(s), i, label = 0;

	if (parse_ipv4(s, n, addr) || parse_ipv6(s, n, addr))
		return 0;
	for (i = 0; i <= n; i++) {
		if (i < n && (is_alnum(s[i]) || (s[i] == '-' && label > 0 && s[i + 1] != '.' &&
		                                    s[i + 1] != '\0'))) {
			if (++label > 63)
				break;
			continue;
		}
		if ((i < n && s[i] != '.') || label == 0)
			break;
		label = 0;
	}
	if (i <= n || n > 253) {
		*why =
		    "must be a DNS name (labels of letters, digits and inner '-', joined by '.') or "
		    "an IP address";
		return -1;
	}
	return 0;
}

int
ld_check_glob(const char *s, const char *extra, const char *charset, const char **why)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++) {
		unsigned char c = (unsigned char)s[n];

		if (c < 0x20 || c == 0x7f) {
			*why = "must not contain control characters";
			return -1;
		}
		if (c == '[' || c == ']' || c == '\\') {
			*why =
			    "may use only '*' (any run of characters) and '?' (one character) as "
			    "wildcards: '[', ']' and '\\' are not pattern syntax here, write '?' "
			    "in their place";
			return -1;
		}
		if (extra != NULL && !is_alnum(s[n]) && s[n] != '*' && s[n] != '?' &&
		    strchr(extra, s[n]) == NULL) {
			*why = charset;
			return -1;
		}
	}
	if (n == 0 || n >= SW_PATTERN_MAX) {
		*why = "must be 1 to 255 characters long";
		return -1;
	}
	return 0;
}

/*
 * "key" or "key=value-glob".  Keys as Docker recommends them, loosely:
 * letters, digits, '.', '-', '_' and '/', starting and ending with a letter
 * or digit; never a glob (the key is compared exactly).
 */
int
ld_check_label_match(const char *s, const char **why)
{
	const char *eq = strchr(s, '=');
	size_t klen = eq != NULL ? (size_t)(eq - s) : strlen(s), i;

	for (i = 0; i < klen; i++) {
		if (!is_alnum(s[i]) && strchr("._-/", s[i]) == NULL) {
			*why = "must be \"key\" or \"key=value-glob\": a label key holds only "
			       "letters, digits, '.', '-', '_' and '/' (no wildcards: keys are "
			       "compared exactly)";
			return -1;
		}
	}
	if (klen == 0 || !is_alnum(s[0]) || !is_alnum(s[klen - 1])) {
		*why = "must be \"key\" or \"key=value-glob\" with a key that starts and ends with "
		       "a letter or digit";
		return -1;
	}
	if (strlen(s) >= SW_PATTERN_MAX) {
		*why = "must be 1 to 255 characters long";
		return -1;
	}
	/* "key=" matches an empty value; otherwise the value is a glob. */
	if (eq != NULL && eq[1] != '\0')
		return ld_check_glob(eq + 1, NULL, NULL, why);
	return 0;
}

/* An owner identity: it becomes a label value and appears in audit lines. */
int
ld_check_owner(const char *s, const char **why)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++) {
		if (!is_alnum(s[n]) && strchr("_.:@-", s[n]) == NULL) {
			*why = "may contain only letters, digits, '_', '.', ':', '@' and '-'";
			return -1;
		}
	}
	if (n == 0 || n >= SW_NAME_MAX) {
		*why = "must be 1 to 63 characters long";
		return -1;
	}
	return 0;
}

/*
 * "ab12..." (64 digits) or "AB:12:..." (32 pairs, a ':' after every pair
 * but the last); case does not matter.
 */
int
pol_parse_fingerprint(const char *s, char out[65], const char **why)
{
	size_t i, n = 0;
	bool pairs = strchr(s, ':') != NULL;

	for (i = 0; s[i] != '\0'; i++) {
		if (pairs && i % 3 == 2) {
			if (s[i] != ':')
				goto bad;
			continue;
		}
		if (!is_hex(s[i]) || n == 64)
			goto bad;
		out[n++] = (char)(s[i] | (is_digit(s[i]) ? 0 : 0x20));
	}
	/* Pairs end on a digit: "AB:CD:" has a dangling separator. */
	if (n != 64 || (pairs && i % 3 != 2))
		goto bad;
	out[64] = '\0';
	return 0;
bad:
	*why = "must be a SHA-256 fingerprint: 64 hex digits, bare or as 32 ':'-separated pairs "
	       "(openssl x509 -noout -fingerprint -sha256)";
	return -1;
}

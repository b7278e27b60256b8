#!/bin/sh
# Source rules a compiler does not check (STYLE.md 3.11).  A line may carry an
# exception with its reason: /* lint: allow <name>: <why> */
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
status=0

report() {
	echo "checksrc: $1"
	status=1
}

# grep for a call of any listed function, skipping lines with a lint exception.
banned_calls() {
	files=$1
	shift
	for fn in "$@"; do
		# shellcheck disable=SC2086
		hits=$(grep -nE "(^|[^A-Za-z0-9_])$fn\\(" $files 2>/dev/null |
		    grep -v "lint: allow $fn")
		[ -n "$hits" ] && report "banned $fn:
$hits"
	done
}

c_files=$(git ls-files 'proxy/*.[ch]' 'policy/*.[ch]' 'include/*.h' 'tests/*.[ch]' 2>/dev/null)
[ -n "$c_files" ] || c_files=$(find proxy policy include tests -name '*.[ch]')

banned_calls "$c_files" sprintf vsprintf strcpy strcat strncpy strncat gets strtok atoi atol \
    atof alloca system popen tmpnam mktemp localtime gmtime asctime ctime rand

# Inspectors decide on JSON: only the strict lookups that match like Go may be used.
insp=$(ls policy/insp_*.c 2>/dev/null)
[ -n "$insp" ] && banned_calls "$insp" cJSON_GetObjectItem cJSON_GetObjectItemCaseSensitive

# The evaluator and canonicaliser are pure: no allocation, I/O, clock, environment.
for f in policy/eval.c policy/canon.c; do
	[ -f "$f" ] || continue
	banned_calls "$f" malloc calloc realloc free printf fprintf time clock_gettime getenv \
	    log_warn log_warnx log_info log_debug fopen open
	grep -nE '(^|[^A-Za-z_])errno[^A-Za-z_;,.]*(=|\)|;)' "$f" | grep -v '^[0-9]*: *\*' >/dev/null && report "$f uses errno"
done

# policy/ must not reach sockets, libevent or OpenSSL (also enforced by the link line).
hits=$(grep -nE '#include <(event2/|openssl/|sys/socket\.h|llhttp\.h)' policy/*.c policy/*.h 2>/dev/null)
[ -n "$hits" ] && report "policy/ includes I/O headers:
$hits"

# OpenSSL only in the TLS module, which is loaded when a configuration asks for TLS
# (proxy/tls_module.h); the program itself must not link it.
hits=$(grep -nE '#include <openssl/' proxy/*.c proxy/*.h 2>/dev/null)
[ -n "$hits" ] && report "OpenSSL outside proxy/tls/:
$hits"

# llhttp's lenient modes exist to accept what smuggling needs.
hits=$(grep -n 'llhttp_set_lenient' proxy/*.c 2>/dev/null)
[ -n "$hits" ] && report "lenient llhttp parsing:
$hits"

# Formatting: the repository's .clang-format, when clang-format is installed.
if command -v clang-format >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	if ! clang-format --dry-run -Werror $c_files >/dev/null 2>&1; then
		report "clang-format differences (run: clang-format -i on the files below)"
		# shellcheck disable=SC2086
		clang-format --dry-run $c_files 2>&1 | grep -E '^[^ ].*: warning' | cut -d: -f1 |
		    sort -u
	fi
fi

[ $status -eq 0 ] && echo "checksrc: ok"
exit $status

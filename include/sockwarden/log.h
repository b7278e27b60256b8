/*
 * Operational log (OpenBSD log.h API).  log_warn/fatal append strerror(errno)
 * and preserve errno; the "x" forms do not.  Untrusted bytes are never a format
 * string: pass them as "%s" arguments after log_escape().
 */
#ifndef SW_LOG_H
#define SW_LOG_H

#include <stdarg.h>
#include <stddef.h>

#include "sockwarden/compat.h"

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

void log_init(enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_warn(const char *fmt, ...) SW_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) SW_PRINTF(1, 2);
void log_info(const char *fmt, ...) SW_PRINTF(1, 2);
void log_debug(const char *fmt, ...) SW_PRINTF(1, 2);
SW_NORETURN void fatal(const char *fmt, ...) SW_PRINTF(1, 2);
SW_NORETURN void fatalx(const char *fmt, ...) SW_PRINTF(1, 2);

/*
 * Copy at most "len" untrusted bytes into "out" (size "outsz", always
 * NUL-terminated), escaping non-printable bytes as \xNN and truncating with
 * "..." when they do not fit.  Returns "out".
 */
const char *log_escape(const char *in, size_t len, char *out, size_t outsz);

#endif

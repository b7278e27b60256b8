/*
 * Operational log on stderr, OpenBSD style: one line per message, a level
 * prefix, errno text appended by the non-"x" forms.
 */
#include "sockwarden/compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sockwarden/log.h"

static enum log_level log_level = LOG_LEVEL_INFO;

void
log_init(enum log_level level)
{
	log_level = level;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

static void vlog(const char *prefix, int errnum, const char *fmt, va_list ap) SW_PRINTF(3, 0);

static void
vlog(const char *prefix, int errnum, const char *fmt, va_list ap)
{
	char msg[1024];
	struct timespec ts;
	struct tm tm;
	char when[32];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (errnum != 0)
		fprintf(stderr, "%s sockwarden %s: %s: %s\n", when, prefix, msg, strerror(errnum));
	else
		fprintf(stderr, "%s sockwarden %s: %s\n", when, prefix, msg);
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (log_level >= LOG_LEVEL_WARN) {
		va_start(ap, fmt);
		vlog("warning", saved, fmt, ap);
		va_end(ap);
	}
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (log_level >= LOG_LEVEL_WARN) {
		va_start(ap, fmt);
		vlog("warning", 0, fmt, ap);
		va_end(ap);
	}
	errno = saved;
}

void
log_info(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (log_level >= LOG_LEVEL_INFO) {
		va_start(ap, fmt);
		vlog("info", 0, fmt, ap);
		va_end(ap);
	}
	errno = saved;
}

void
log_debug(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (log_level >= LOG_LEVEL_DEBUG) {
		va_start(ap, fmt);
		vlog("debug", 0, fmt, ap);
		va_end(ap);
	}
	errno = saved;
}

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal", saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal", 0, fmt, ap);
	va_end(ap);
	exit(1);
}

const char *
log_escape(const char *in, size_t len, char *out, size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (outsz == 0)
		return out;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)in[i];
		size_t need = (ch >= 0x20 && ch < 0x7f && ch != '\\') ? 1 : 4;

		if (o + need + 4 > outsz) {
			if (o + 4 <= outsz) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (need == 1) {
			out[o++] = (char)ch;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 0xf];
		}
	}
	out[o] = '\0';
	return out;
}

/*
 * Included first by every .c file: feature macros and the few attributes and
 * helpers every module uses.
 */
#ifndef SW_COMPAT_H
#define SW_COMPAT_H

/* struct ucred and SO_PEERCRED, accept4, pipe2, splice. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <stddef.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

#define SW_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define SW_NORETURN          __attribute__((noreturn))
#define SW_UNUSED            __attribute__((unused))

#endif

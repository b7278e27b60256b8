/*
 * The audit log: exactly one JSON object per line per request decision.
 * Field names are an interface: add fields, never rename them.
 */
#ifndef SW_AUDIT_H
#define SW_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sockwarden/ident.h"
#include "sockwarden/str.h"

struct event_base;

struct audit_rec {
	struct timespec start; /* wall clock, for "time" */
	uint64_t start_ns;     /* monotonic, for "duration_ms" */
	const char *listener;
	uint64_t conn;
	const struct sw_ident *ident;
	struct sw_str method; /* untrusted bytes: escaped when written */
	struct sw_str target;
	struct sw_str path;
	struct sw_str api;
	const char *endpoint;
	const char *verdict; /* "allow", "deny" or "error" */
	char rule[96];
	const char *policy;
	const char *client_rule; /* "clients[N]" or "default": what chose the policy */
	const char *owner;       /* owner identity under ownership isolation, or "" */
	const char *note;        /* why an error happened, "hijacked", ... */
	const char *findings;    /* body inspection findings, "rule:mode field; ..." */
	int status;              /* status sent to the client; 0 when none */
	uint64_t bytes_in;       /* request body bytes */
	uint64_t bytes_out;      /* response bytes relayed or written */
	bool active;             /* a request is being recorded */
};

/* "stderr", "off" or an absolute path (opened for append). */
int audit_open(struct event_base *base, const char *dest);
void audit_close(void);
/* SIGUSR1: reopen the file (log rotation). */
int audit_reopen(void);
/* Audit lines are written somewhere (the destination is not "off"). */
bool audit_enabled(void);
/* More audit data is queued than allowed: requests are refused until it drains. */
bool audit_backlogged(void);

/*
 * The longest line: every field has a byte budget (audit.c) and is cut to
 * it, with "truncated":true, so any request's line fits in this many bytes.
 */
#define AUDIT_LINE_MAX 8192

/*
 * Format one line (with '\n') into buf; returns its length.  With bufsz of
 * at least AUDIT_LINE_MAX it always fits; a smaller buffer it would overrun
 * gets no line at all (0), never a cut one.
 */
size_t audit_format(const struct audit_rec *r, uint64_t now_ns, char *buf, size_t bufsz);
/* Queue one line; the write happens once per event-loop pass. */
void audit_emit(const struct audit_rec *r, uint64_t now_ns);

#endif

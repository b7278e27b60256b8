/*
 * The parsed, canonical request handed from proxy/ to policy/.  Every view
 * points into a buffer owned by the connection that parsed the request and
 * lives until that request's decision has been made and audited.
 */
#ifndef SW_REQ_H
#define SW_REQ_H

#include "sockwarden/str.h"

/* Longest canonical path we keep; longer request-targets are refused (414). */
#define SW_PATH_MAX 4096

struct sw_req {
	struct sw_str method;  /* as received; the daemon compares it case-sensitively */
	struct sw_str target;  /* raw request-target bytes, for the audit log only */
	struct sw_str path;    /* percent-decoded once, version prefix stripped */
	struct sw_str query;   /* raw bytes after the first '?', without it; validated */
	struct sw_str version; /* "1.41" from a /v1.41 prefix; empty: the daemon's maximum */
	struct sw_str ref;     /* first route variable ({name}, {id}); empty when none */
	int endpoint;          /* POL_EP_UNKNOWN (0) until routed */
	unsigned http_minor;   /* HTTP/1.x */
};

#endif

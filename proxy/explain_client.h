/*
 * The caller that `sockwarden explain --client KEY=VALUE ...` describes: the
 * identity the proxy would have taken from the kernel, the TLS handshake or
 * the daemon, built from the command line so a client entry can be tried.
 */
#ifndef SW_EXPLAIN_CLIENT_H
#define SW_EXPLAIN_CLIENT_H

#include <stdio.h>

#include "sockwarden/ident.h"

#define XPC_MAX_SANS   16
#define XPC_MAX_LABELS 16
#define XPC_MAX_GROUPS 64

struct xp_client {
	struct sw_ident who;
	struct sw_cert_ident cert;
	struct sw_san sans[XPC_MAX_SANS];
	struct sw_ctr_ident ctr;
	const char *label_keys[XPC_MAX_LABELS];
	const char *label_values[XPC_MAX_LABELS];
	char label_buf[XPC_MAX_LABELS][256];
	gid_t groups[XPC_MAX_GROUPS]; /* gid= after the first: supplementary groups */
	bool has_gid;                 /* the first gid= (the primary gid) was given */
	bool given;                   /* at least one --client */
};

/*
 * Add one KEY=VALUE: uid, gid (the first is the primary gid, each further one
 * a supplementary group), cert_cn, cert_dns, cert_email, cert_uri
 * (repeatable), cert_fingerprint, container_name, container_image,
 * container_label (KEY=VALUE, repeatable): what client entries match on.
 * Values are borrowed from argv.
 * Returns 0, or -1 with a message on err.
 */
int xp_client_add(struct xp_client *c, const char *spec, FILE *err);

#endif

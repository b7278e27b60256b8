/*
 * Who is calling.  Filled by proxy/identity.c from the kernel (SO_PEERCRED)
 * or the TLS handshake, never from anything the client sends.
 */
#ifndef SW_IDENT_H
#define SW_IDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Subject alternative names of a client certificate, by type. */
enum sw_san_type {
	SW_SAN_DNS = 0,
	SW_SAN_EMAIL,
	SW_SAN_URI,
};

struct sw_san {
	enum sw_san_type type;
	const char *value; /* NUL-terminated; SANs with embedded NULs are dropped */
};

/* What a verified client certificate says (proxy/tls/tls_ident.c). */
struct sw_cert_ident {
	const char *cn;       /* last subject CN, NULL when absent */
	char fingerprint[65]; /* SHA-256 of the DER certificate, lowercase hex */
	size_t n_sans;
	const struct sw_san *sans;
};

/* The container a caller runs in, as the daemon describes it (proxy/ctr_cache.c). */
struct sw_ctr_ident {
	const char *id;    /* 64 hex digits */
	const char *name;  /* without the leading '/' */
	const char *image; /* Config.Image as created */
	size_t n_labels;
	const char *const *label_keys;
	const char *const *label_values;
};

struct sw_ident {
	bool has_peercred; /* uid/gid/pid below are valid */
	uid_t uid;
	gid_t gid;
	pid_t pid;
	const struct sw_cert_ident *cert; /* verified client certificate; NULL: none */
	const struct sw_ctr_ident *ctr;   /* caller's container; NULL: none or unknown */
	/*
	 * Supplementary groups from SO_PEERGROUPS, as the kernel recorded them
	 * at connect(), all of them; valid with has_groups.  Owned by whoever
	 * filled the identity (ident_release() in proxy/identity.c).
	 */
	bool has_groups;
	size_t n_groups;
	const gid_t *groups;
	/*
	 * Why a caller that must be identified could not be (a container the
	 * daemon could not describe, groups the kernel would not give): no
	 * client entry is chosen and every request on the connection is
	 * refused with this text.  "": identified.
	 */
	char unidentified[160];
};

#endif

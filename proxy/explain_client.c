#include "sockwarden/compat.h"

#include <stdint.h>
#include <string.h>

#include "sockwarden/policy.h"

#include "explain_client.h"

static int
add_san(struct xp_client *c, enum sw_san_type type, const char *v, FILE *err)
{
	if (c->cert.n_sans >= XPC_MAX_SANS) {
		fprintf(err, "explain: more than %d certificate names\n", XPC_MAX_SANS);
		return -1;
	}
	c->sans[c->cert.n_sans].type = type;
	c->sans[c->cert.n_sans].value = v;
	c->cert.n_sans++;
	c->cert.sans = c->sans;
	c->who.cert = &c->cert;
	return 0;
}

static int
add_label(struct xp_client *c, const char *v, FILE *err)
{
	const char *eq = strchr(v, '=');
	size_t n = c->ctr.n_labels, klen;

	if (n >= XPC_MAX_LABELS || eq == NULL || eq == v ||
	    (klen = (size_t)(eq - v)) >= sizeof(c->label_buf[n])) {
		fprintf(err, "explain: container_label wants KEY=VALUE (at most %d): %s\n",
		    XPC_MAX_LABELS, v);
		return -1;
	}
	memcpy(c->label_buf[n], v, klen);
	c->label_buf[n][klen] = '\0';
	c->label_keys[n] = c->label_buf[n];
	c->label_values[n] = eq + 1;
	c->ctr.n_labels = n + 1;
	c->ctr.label_keys = c->label_keys;
	c->ctr.label_values = c->label_values;
	return 0;
}

/* The first gid= is the primary gid; each further one a supplementary group. */
static int
add_gid(struct xp_client *c, gid_t gid, FILE *err)
{
	if (!c->has_gid) {
		c->has_gid = true;
		c->who.gid = gid;
		return 0;
	}
	if (c->who.n_groups >= XPC_MAX_GROUPS) {
		fprintf(err, "explain: more than %d supplementary groups (gid=)\n", XPC_MAX_GROUPS);
		return -1;
	}
	c->groups[c->who.n_groups++] = gid;
	return 0;
}

/* A container is known once it has a name, an image or a label; the rest stays empty. */
static void
use_container(struct xp_client *c)
{
	if (c->ctr.id == NULL)
		c->ctr.id = "";
	if (c->ctr.name == NULL)
		c->ctr.name = "";
	if (c->ctr.image == NULL)
		c->ctr.image = "";
	c->who.ctr = &c->ctr;
}

int
xp_client_add(struct xp_client *c, const char *spec, FILE *err)
{
	const char *eq = strchr(spec, '='), *v, *why;
	size_t klen;
	uint32_t id;

	if (eq == NULL) {
		fprintf(err, "explain: --client wants KEY=VALUE, not \"%s\"\n", spec);
		return -1;
	}
	klen = (size_t)(eq - spec);
	v = eq + 1;
	c->given = true;
#define KEY(s) (klen == sizeof(s) - 1 && strncmp(spec, s, klen) == 0)
	if (KEY("uid") || KEY("gid")) {
		/* As the loader reads a uid or gid in a match. */
		if (pol_parse_id(v, &id, &why) == -1) {
			fprintf(err, "explain: %.*s %s: \"%s\"\n", (int)klen, spec, why, v);
			return -1;
		}
		/* The caller's groups are the ones given: none unless gid= is repeated. */
		c->who.has_peercred = true;
		c->who.has_groups = true;
		c->who.groups = c->groups;
		if (KEY("gid"))
			return add_gid(c, (gid_t)id, err);
		c->who.uid = (uid_t)id;
		return 0;
	}
	if (KEY("cert_cn")) {
		c->cert.cn = v;
		c->who.cert = &c->cert;
		return 0;
	}
	if (KEY("cert_fingerprint")) {
		/* As the loader reads it, so the two compare equal when they should. */
		if (pol_parse_fingerprint(v, c->cert.fingerprint, &why) == -1) {
			fprintf(err, "explain: cert_fingerprint %s: \"%s\"\n", why, v);
			return -1;
		}
		c->who.cert = &c->cert;
		return 0;
	}
	if (KEY("cert_dns"))
		return add_san(c, SW_SAN_DNS, v, err);
	if (KEY("cert_email"))
		return add_san(c, SW_SAN_EMAIL, v, err);
	if (KEY("cert_uri"))
		return add_san(c, SW_SAN_URI, v, err);
	if (KEY("container_name") || KEY("container_image")) {
		if (KEY("container_name"))
			c->ctr.name = v[0] == '/' ? v + 1 : v;
		else
			c->ctr.image = v;
		use_container(c);
		return 0;
	}
	if (KEY("container_label")) {
		if (add_label(c, v, err) == -1)
			return -1;
		use_container(c);
		return 0;
	}
#undef KEY
	fprintf(err,
	    "explain: unknown --client key \"%.*s\" (uid, gid, cert_cn, cert_dns, "
	    "cert_email, cert_uri, cert_fingerprint, container_name, container_image, "
	    "container_label)\n",
	    (int)klen, spec);
	return -1;
}

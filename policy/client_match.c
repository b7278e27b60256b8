/*
 * Which client entry a caller satisfies, and who owns what it creates
 * (include/sockwarden/policy.h).  Called once per connection and again
 * after a reload, never per request: plain loops over the entry's keys and
 * the caller's few SANs and labels, no allocation.
 *
 * Every key an entry sets must hold.  A key whose source is missing (no
 * SO_PEERCRED, no verified certificate, no known container) fails, so an
 * entry never matches a caller it cannot identify.
 */
#include "sockwarden/compat.h"

#include <stdio.h>
#include <string.h>

#include "sockwarden/policy.h"

#include "policy_int.h"

static bool
is_set(const char *pattern)
{
	return pattern[0] != '\0';
}

/* A glob against a value that may be absent (NULL): absent never matches. */
static bool
glob_holds(const char *pattern, const char *value)
{
	return value != NULL && pol_glob_match(pattern, value);
}

/* cert_dns, cert_email, cert_uri: does any SAN of that type match? */
static bool
san_holds(const struct sw_cert_ident *cert, enum sw_san_type type, const char *pattern)
{
	size_t i;

	for (i = 0; cert != NULL && i < cert->n_sans; i++)
		if (cert->sans[i].type == type && glob_holds(pattern, cert->sans[i].value))
			return true;
	return false;
}

/*
 * Each key below fails on its own when its source is missing (no
 * certificate, no container), rather than behind a "does the entry use
 * certificates" test: a key added here but forgotten in
 * pol_client_wants_cert() then still never matches a caller without a
 * certificate.
 */
static bool
cert_holds(const struct sw_client_cfg *cl, const struct sw_cert_ident *cert)
{
	if (is_set(cl->cert_cn) && !glob_holds(cl->cert_cn, cert != NULL ? cert->cn : NULL))
		return false;
	if (is_set(cl->cert_dns) && !san_holds(cert, SW_SAN_DNS, cl->cert_dns))
		return false;
	if (is_set(cl->cert_email) && !san_holds(cert, SW_SAN_EMAIL, cl->cert_email))
		return false;
	if (is_set(cl->cert_uri) && !san_holds(cert, SW_SAN_URI, cl->cert_uri))
		return false;
	/* Both sides are 64 lowercase hex digits: the loader normalised ours. */
	if (is_set(cl->cert_fingerprint) &&
	    (cert == NULL || strcmp(cl->cert_fingerprint, cert->fingerprint) != 0))
		return false;
	return true;
}

/* "key" (the label is present) or "key=value-glob"; the key is compared exactly. */
static bool
label_holds(const char *match, const struct sw_ctr_ident *ctr)
{
	const char *eq = strchr(match, '=');
	size_t klen = eq != NULL ? (size_t)(eq - match) : strlen(match), i;
	const char *key;

	for (i = 0; ctr != NULL && i < ctr->n_labels; i++) {
		key = ctr->label_keys[i];
		if (key == NULL || strncmp(key, match, klen) != 0 || key[klen] != '\0')
			continue;
		if (eq == NULL || glob_holds(eq + 1, ctr->label_values[i]))
			return true;
	}
	return false;
}

static bool
ctr_holds(const struct sw_client_cfg *cl, const struct sw_ctr_ident *ctr)
{
	if (is_set(cl->container_name) &&
	    !glob_holds(cl->container_name, ctr != NULL ? ctr->name : NULL))
		return false;
	if (is_set(cl->container_image) &&
	    !glob_holds(cl->container_image, ctr != NULL ? ctr->image : NULL))
		return false;
	if (is_set(cl->container_label) && !label_holds(cl->container_label, ctr))
		return false;
	return true;
}

/*
 * gid, group: the primary gid or any supplementary group.  Without the
 * groups only the primary gid can match; the proxy refuses such callers on
 * listeners with gid entries (conn_ident.c), since a group it missed could
 * let a later, broader entry match instead.
 */
static bool
in_group(const struct sw_ident *who, gid_t gid)
{
	size_t i;

	if (who->gid == gid)
		return true;
	if (!who->has_groups)
		return false;
	for (i = 0; i < who->n_groups; i++)
		if (who->groups[i] == gid)
			return true;
	return false;
}

/* uid, gid: from SO_PEERCRED, so nothing holds without it. */
static bool
kernel_holds(const struct sw_client_cfg *cl, const struct sw_ident *who)
{
	bool cred = who != NULL && who->has_peercred;

	if (cl->has_uid && !(cred && cl->uid == who->uid))
		return false;
	if (cl->has_gid && !(cred && in_group(who, cl->gid)))
		return false;
	return true;
}

bool
pol_client_wants_kernel(const struct sw_client_cfg *cl)
{
	return cl->has_uid || cl->has_gid;
}

bool
pol_client_wants_cert(const struct sw_client_cfg *cl)
{
	return is_set(cl->cert_cn) || is_set(cl->cert_dns) || is_set(cl->cert_email) ||
	       is_set(cl->cert_uri) || is_set(cl->cert_fingerprint);
}

bool
pol_client_wants_ctr(const struct sw_client_cfg *cl)
{
	return is_set(cl->container_name) || is_set(cl->container_image) ||
	       is_set(cl->container_label);
}

bool
pol_client_matches(const struct sw_client_cfg *cl, const struct sw_ident *who)
{
	return kernel_holds(cl, who) && cert_holds(cl, who != NULL ? who->cert : NULL) &&
	       ctr_holds(cl, who != NULL ? who->ctr : NULL);
}

int
pol_client_choose(const struct sw_config *cfg, size_t listener, const struct sw_ident *who,
    const struct sw_client_cfg **entry, char *rule, size_t rulesz)
{
	const struct sw_listener_cfg *lc;
	size_t i;

	*entry = NULL;
	if (rulesz > 0)
		rule[0] = '\0';
	if (cfg == NULL || listener >= cfg->n_listeners)
		return -1;
	lc = &cfg->listeners[listener];
	/* Not identified: no entry applies, not even the default; the proxy refuses it. */
	if (who != NULL && who->unidentified[0] != '\0') {
		snprintf(rule, rulesz, "unidentified");
		return lc->policy;
	}
	for (i = 0; i < lc->n_clients; i++) {
		const struct sw_client_cfg *cl = &cfg->clients[lc->first_client + i];

		if (pol_client_matches(cl, who)) {
			*entry = cl;
			snprintf(rule, rulesz, "clients[%zu]", i);
			return cl->policy;
		}
	}
	snprintf(rule, rulesz, "default");
	return lc->policy;
}

typedef bool client_pred_fn(const struct sw_client_cfg *cl);

/* Whether "pred" holds for some client entry of listener number "listener". */
static bool
some_client(const struct sw_config *cfg, size_t listener, client_pred_fn *pred)
{
	const struct sw_listener_cfg *lc;
	size_t i;

	if (cfg == NULL || listener >= cfg->n_listeners)
		return false;
	lc = &cfg->listeners[listener];
	for (i = 0; i < lc->n_clients; i++)
		if (pred(&cfg->clients[lc->first_client + i]))
			return true;
	return false;
}

/* gid and group: the only keys that read the supplementary groups (in_group()). */
static bool
client_wants_groups(const struct sw_client_cfg *cl)
{
	return cl->has_gid;
}

bool
pol_listener_wants_container(const struct sw_config *cfg, size_t listener)
{
	return some_client(cfg, listener, pol_client_wants_ctr);
}

bool
pol_listener_wants_groups(const struct sw_config *cfg, size_t listener)
{
	return some_client(cfg, listener, client_wants_groups);
}

/*
 * The identity is the only thing that keeps one caller's objects from
 * another's, so it is never cut short: one that does not fit gives "", as
 * if there were none, rather than a prefix another caller might share.
 */
size_t
pol_owner_of(const struct sw_client_cfg *cl, const struct sw_ident *who, char *buf, size_t bufsz)
{
	int n = -1;

	if (bufsz == 0)
		return 0;
	/* Unidentified: no identity to derive from, and no entry chosen to name one. */
	if (who != NULL && who->unidentified[0] != '\0')
		n = -1;
	else if (cl != NULL && is_set(cl->owner))
		n = snprintf(buf, bufsz, "%s", cl->owner);
	else if (who != NULL && who->ctr != NULL && who->ctr->name != NULL &&
	         who->ctr->name[0] != '\0')
		n = snprintf(buf, bufsz, "container:%s", who->ctr->name);
	else if (who != NULL && who->cert != NULL && who->cert->cn != NULL &&
	         who->cert->cn[0] != '\0')
		n = snprintf(buf, bufsz, "cn:%s", who->cert->cn);
	else if (who != NULL && who->cert != NULL && who->cert->fingerprint[0] != '\0')
		n = snprintf(buf, bufsz, "sha256:%s", who->cert->fingerprint);
	else if (who != NULL && who->has_peercred)
		n = snprintf(buf, bufsz, "uid:%u", (unsigned)who->uid);
	if (n < 0 || (size_t)n >= bufsz) {
		buf[0] = '\0';
		return 0;
	}
	return (size_t)n;
}

/*
 * ImageBuild (POST /build): every option is in the query (the body is the
 * build context, streamed, never buffered; form bodies, whose fields /build
 * would also read, are refused for every endpoint before inspection).  The
 * daemon reads the query with r.FormValue (first value) and r.Form[...]
 * (all values), and the classic builder turns it into the HostConfig of
 * each build container:
 *
 *   networkmode    "host" (classic: the container's network; BuildKit: the
 *                  network.host entitlement, granted by default) and
 *                  "container:<ref>" (classic: another container's
 *                  namespace, which may be the host's): refused unless
 *                  build.allow_host_network
 *   extrahosts     refused unless build.allow_extra_hosts
 *   remote         the daemon fetches a URL or clones a repository
 *                  (SSRF): refused unless build.allow_remote;
 *                  "client-session" (BuildKit reads the context from the
 *                  client) is not remote
 *   cgroupparent   rule cgroup_parent when on, else build
 *   ulimits        JSON []Ulimit: names against rule ulimits when on, else
 *                  any ulimit is refused under build
 *   securityopt    any (Linux daemons refuse it with 400): rule
 *                  security_opt when on, else build
 *   t              each tag names the image the build writes: rule images
 *
 * shmsize, isolation, memory and cpu limits, platform, outputs, buildargs,
 * labels, cachefrom and version (1 classic, 2 BuildKit) change nothing
 * outside the build.
 */
#include "sockwarden/compat.h"

#include <stdio.h>
#include <string.h>

#include "insp_check.h"
#include "insp_endpoints.h"
#include "query.h"
#include "schema_container.h"

static const struct pol_jfield ulimits_field = { "ulimits", PJ_ARRAY, PJ_STRUCT,
	&pol_schema_ulimit };

static void
check_network(struct pol_insp_ctx *ctx, const char *mode)
{
	if (!pol_rule_on(ctx, POL_RULE_BUILD) || ctx->rules->build_allow_host_network)
		return;
	if (strcmp(mode, "host") == 0)
		pol_finding_add(
		    ctx, POL_RULE_BUILD, "networkmode", mode, "runs the build in the host network");
	else if (strncmp(mode, "container:", 10) == 0)
		pol_finding_add(ctx, POL_RULE_BUILD, "networkmode", mode,
		    "runs the build in another container's network namespace");
}

static int
check_ulimits(struct pol_insp_ctx *ctx, const char *json)
{
	struct sw_str body = sw_str_cstr(json);
	struct pol_jdoc doc = { NULL };
	const cJSON *it;
	const char *name;
	char field[32];
	int i = 0;

	if (pol_json_parse(&body, &doc, ctx->err) == -1 ||
	    pol_json_check_value(doc.root, &ulimits_field, "ulimits", ctx->err) == -1) {
		pol_json_free(&doc);
		return -1;
	}
	cJSON_ArrayForEach (it, doc.root) {
		snprintf(field, sizeof(field), "ulimits[%d]", i++);
		if (!cJSON_IsObject(it))
			continue;
		name = pol_json_string(it, "Name");
		if (name == NULL)
			name = "";
		if (!(pol_rule_on(ctx, POL_RULE_ULIMITS) &&
		        pol_strlist_match(&ctx->rules->ulimits, name)))
			pol_chk_deny(ctx, POL_RULE_ULIMITS, POL_RULE_BUILD, field, name,
			    "sets a ulimit the policy does not allow");
	}
	pol_json_free(&doc);
	return 0;
}

static void
check_tags(struct pol_insp_ctx *ctx, const struct pol_query *q)
{
	const char *t;
	char field[32];
	size_t i;

	for (i = 0; (t = pol_query_nth(q, "t", i)) != NULL; i++) {
		snprintf(field, sizeof(field), "t[%zu]", i);
		pol_chk_image(ctx, field, t, true);
	}
}

static int
check_build_query(struct pol_insp_ctx *ctx, const struct pol_query *q)
{
	const struct pol_rules *r = ctx->rules;
	const char *v, *remote = pol_query_value(q, "remote");
	size_t i;

	check_network(ctx, pol_query_value(q, "networkmode"));
	if (pol_rule_on(ctx, POL_RULE_BUILD) && !r->build_allow_extra_hosts)
		for (i = 0; (v = pol_query_nth(q, "extrahosts", i)) != NULL; i++)
			if (v[0] != '\0')
				pol_finding_add(ctx, POL_RULE_BUILD, "extrahosts", v,
				    "adds host entries to the build");
	if (pol_rule_on(ctx, POL_RULE_BUILD) && !r->build_allow_remote && remote[0] != '\0' &&
	    strcmp(remote, "client-session") != 0)
		pol_finding_add(ctx, POL_RULE_BUILD, "remote", remote,
		    "makes the daemon fetch the build context from a URL");
	v = pol_query_value(q, "cgroupparent");
	if (v[0] != '\0' && !(pol_rule_on(ctx, POL_RULE_CGROUP_PARENT) && r->allow_cgroup_parent))
		pol_chk_deny(ctx, POL_RULE_CGROUP_PARENT, POL_RULE_BUILD, "cgroupparent", v,
		    "places the build containers in another cgroup");
	if (pol_query_has(q, "securityopt"))
		pol_chk_deny(ctx, POL_RULE_SECURITY_OPT, POL_RULE_BUILD, "securityopt",
		    pol_query_value(q, "securityopt"),
		    "sets security options on the build containers");
	check_tags(ctx, q);
	v = pol_query_value(q, "ulimits");
	if (v[0] != '\0')
		return check_ulimits(ctx, v);
	return 0;
}

int
pol_insp_build(struct pol_insp_ctx *ctx)
{
	struct pol_query q;
	int rc;

	if (pol_chk_query(ctx, &q) == -1)
		return -1;
	rc = check_build_query(ctx, &q);
	pol_query_free(&q);
	return rc;
}

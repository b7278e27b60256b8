/*
 * Tests for policy/profiles.c: every built-in profile loads through the
 * same loader as a file; the hardening profiles hold their key settings;
 * each application profile allows exactly the endpoints its application
 * calls; the lint is quiet about every profile but portainer's (an admin
 * UI: root by design); docs/profiles.md shows every profile's text as it is.
 */
#include "sockwarden/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "sockwarden/lint.h"
#include "sockwarden/policy.h"

#include "inspect.h"
#include "policy_int.h"
#include "profiles.h"

#define DOCS SW_TEST_DATA_DIR "/../../docs/profiles.md"

/* A configuration with one policy "p" using "profile", plus "extra" policy keys. */
static struct pol_set *
load_profile(const char *profile, const char *extra)
{
	char text[1024];
	struct pol_set *ps = NULL;
	struct pol_err err;

	snprintf(text, sizeof(text),
	    "listeners:\n"
	    "  - { name: a, listen: \"unix:///run/a.sock\", policy: p }\n"
	    "policies:\n"
	    "  p:\n"
	    "    profile: %s\n"
	    "%s",
	    profile, extra);
	if (pol_load_buffer("profile.yaml", text, strlen(text), &ps, &err) != 0)
		fail_msg("profile %s: %d:%d: %s", profile, err.line, err.col, err.msg);
	return ps;
}

static bool
has(const struct pol_strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

/* Would a bind of "path" pass one of the globs of "l"? */
static bool
path_allowed(const struct pol_strlist *l, const char *path)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (pol_path_glob_match(l->v[i], path))
			return true;
	return false;
}

static bool
mutations_none(const struct pol_mutations *m)
{
	return !m->cap_drop_all && !m->no_new_privileges && !m->read_only_rootfs &&
	       !m->has_pids_limit && !m->has_memory && m->user == NULL && m->labels.n == 0;
}

/* ---- every profile loads ----------------------------------------------------------- */

static void
test_profiles_each_loads(void **state)
{
	struct pol_set *ps;
	size_t i;

	(void)state;
	assert_int_equal(pol_profile_count(), 11);
	for (i = 0; i < pol_profile_count(); i++) {
		ps = load_profile(pol_profile_name((int)i), "");
		if (!ps->policies[0].rules.enabled)
			fail_msg("profile %s: rules not enabled", pol_profile_name((int)i));
		assert_string_equal(ps->policies[0].rules.profile, pol_profile_name((int)i));
		assert_int_equal(pol_profile_find(pol_profile_name((int)i)), (int)i);
		assert_non_null(pol_profile_summary((int)i));
		/* A profile's text is a policy body: it never names another profile. */
		if (strstr(pol_profile_text((int)i), "profile:") != NULL)
			fail_msg("profile %s names a profile", pol_profile_name((int)i));
		pol_set_unref(ps);
	}
	assert_null(pol_profile_name(-1));
	assert_null(pol_profile_text((int)pol_profile_count()));
	assert_null(pol_profile_summary(99));
	assert_int_equal(pol_profile_find("Baseline"), -1);
}

/* ---- application profiles allow exactly their list ------------------------------------- */

struct app_case {
	const char *profile;
	const char *allowed[48]; /* NULL-terminated */
};

static struct app_case app_cases[] = {
	{ "traefik", { "SystemPing", "SystemPingHead", "SystemVersion", "SystemEvents",
	                 "ContainerList", "ContainerInspect" } },
	{ "traefik-swarm", { "SystemPing", "SystemPingHead", "SystemVersion", "ServiceList",
	                       "TaskList", "NetworkList", "NodeInspect" } },
	{ "homepage", { "SystemPing", "SystemPingHead", "SystemVersion", "ContainerList",
	                  "ContainerInspect", "ContainerStats" } },
	{ "dozzle", { "SystemPing", "SystemPingHead", "SystemVersion", "SystemInfo", "SystemEvents",
	                "ContainerList", "ContainerInspect", "ContainerLogs", "ContainerStats" } },
	{ "diun",
	    { "SystemPing", "SystemPingHead", "SystemVersion", "ContainerList", "ImageInspect" } },
	{ "watchtower", { "SystemPing", "SystemPingHead", "SystemVersion", "ContainerList",
	                    "ContainerInspect", "ImageInspect", "ImageCreate", "ImageDelete",
	                    "ContainerCreate", "ContainerStart", "ContainerKill", "ContainerDelete",
	                    "ContainerRename", "NetworkConnect", "NetworkDisconnect" } },
	{ "ci-runner",
	    { "SystemPing", "SystemPingHead", "SystemVersion", "SystemInfo", "SystemEvents",
	        "ContainerList", "ContainerInspect", "ContainerCreate", "ContainerStart",
	        "ContainerWait", "ContainerAttach", "ContainerLogs", "ContainerResize",
	        "ContainerKill", "ContainerStop", "ContainerDelete", "ContainerArchive",
	        "ContainerArchiveInfo", "PutContainerArchive", "ContainerExec", "ExecStart",
	        "ExecInspect", "ExecResize", "ImageList", "ImageInspect", "ImageCreate", "ImageTag",
	        "ImagePush", "ImageDelete", "ImageBuild", "Session", "BuildPrune", "VolumeList",
	        "VolumeInspect", "VolumeCreate", "VolumeDelete", "NetworkList", "NetworkInspect",
	        "NetworkCreate", "NetworkConnect", "NetworkDisconnect", "NetworkDelete" } },
	/* the hardening profiles grant no endpoint: the policy's allow list does */
	{ "baseline", { NULL } },
	{ "restricted", { NULL } },
	{ "cis", { NULL } },
};

static bool
listed(const struct app_case *c, const char *name)
{
	size_t i;

	for (i = 0; i < nitems(c->allowed) && c->allowed[i] != NULL; i++)
		if (strcmp(c->allowed[i], name) == 0)
			return true;
	return false;
}

static void
test_profiles_app_allows_exactly(void **state)
{
	const struct app_case *c = *state;
	struct pol_set *ps = load_profile(c->profile, "");
	struct sw_req req;
	struct pol_decision d;
	size_t ep, n = 0;
	bool allowed;

	memset(&req, 0, sizeof(req));
	for (ep = 1; ep < pol_ep_count(); ep++) {
		req.endpoint = (int)ep;
		allowed = pol_eval(ps, 0, &req, &d) != POL_DENY;
		if (allowed != listed(c, pol_ep_name((int)ep)))
			fail_msg("profile %s: %s is %s", c->profile, pol_ep_name((int)ep),
			    allowed ? "allowed but not listed" : "listed but not allowed");
		n += allowed;
	}
	for (ep = 0; ep < nitems(c->allowed) && c->allowed[ep] != NULL; ep++)
		if (pol_ep_lookup(c->allowed[ep]) == POL_EP_UNKNOWN)
			fail_msg("profile %s: %s is not an endpoint", c->profile, c->allowed[ep]);
	assert_int_equal(n, ep);
	pol_set_unref(ps);
}

/* Portainer: everything but debug, checkpoints, BuildKit's gRPC and tar plugin installs. */
static void
test_profiles_portainer(void **state)
{
	struct pol_set *ps = load_profile("portainer", "");
	const struct pol_rules *r = &ps->policies[0].rules;
	struct sw_req req;
	struct pol_decision d;
	const char *name;
	bool want;
	size_t ep, i;

	(void)state;
	memset(&req, 0, sizeof(req));
	for (ep = 1; ep < pol_ep_count(); ep++) {
		name = pol_ep_name((int)ep);
		req.endpoint = (int)ep;
		want = strncmp(name, "Debug", 5) != 0 && strncmp(name, "Checkpoint", 10) != 0 &&
		       strcmp(name, "Grpc") != 0 && strcmp(name, "PluginCreate") != 0 &&
		       strcmp(name, "PluginSet") != 0;
		if ((pol_eval(ps, 0, &req, &d) != POL_DENY) != want)
			fail_msg("portainer: %s is %sallowed", name, want ? "not " : "");
	}
	/* Every rule warns, but those always enforced (rules.h). */
	for (i = 0; i < POL_RULE__COUNT; i++)
		if (r->configured[i] &&
		    r->mode[i] != (pol_rule_always_enforced((enum pol_rule_id)i) ?
		                          POL_MODE_ENFORCE :
		                          POL_MODE_WARN))
			fail_msg("portainer: rule %s is not in %s mode",
			    pol_rule_name((enum pol_rule_id)i),
			    pol_rule_always_enforced((enum pol_rule_id)i) ? "enforce" : "warn");
	assert_true(r->configured[POL_RULE_LEGACY]);
	assert_true(r->configured[POL_RULE_PRIVILEGED]);
	assert_true(r->configured[POL_RULE_BIND_MOUNTS]);
	assert_int_equal(r->default_mode, POL_MODE_WARN);
	pol_set_unref(ps);
}

/* ---- hardening profiles: their key settings ------------------------------------------ */

static const char *const pss_caps[] = { "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID",
	"KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID",
	"SYS_CHROOT" };

static const char *const pss_sysctls[] = { "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
	"net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
	"net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem" };

/* What baseline and restricted share: PSS baseline mapped to Docker, on every endpoint. */
static void
check_pss_walls(const char *profile, const struct pol_rules *r)
{
	static const enum pol_rule_id on[] = { POL_RULE_PRIVILEGED, POL_RULE_BIND_MOUNTS,
		POL_RULE_VOLUMES, POL_RULE_VOLUMES_FROM, POL_RULE_DEVICES, POL_RULE_CAPABILITIES,
		POL_RULE_SECURITY_OPT, POL_RULE_SYSTEM_PATHS, POL_RULE_NAMESPACES, POL_RULE_SYSCTLS,
		POL_RULE_CGROUP_PARENT, POL_RULE_PORTS, POL_RULE_EXEC, POL_RULE_VOLUME_CREATE,
		POL_RULE_NETWORK_CREATE, POL_RULE_SERVICES, POL_RULE_PLUGINS, POL_RULE_BUILD,
		POL_RULE_IMAGE_CREATE, POL_RULE_SWARM, POL_RULE_ARCHIVE, POL_RULE_LEGACY };
	size_t i;

	for (i = 0; i < nitems(on); i++)
		if (!r->configured[on[i]] || r->mode[on[i]] != POL_MODE_ENFORCE)
			fail_msg("%s: rule %s is not enforced", profile, pol_rule_name(on[i]));
	if (r->allow_privileged || r->bind_rw.n || r->bind_ro.n || r->allow_volumes_from ||
	    r->devices.n || r->allow_device_requests || r->allow_device_cgroup_rules ||
	    r->allow_unconfined || r->allow_system_paths || r->host_namespaces.n ||
	    r->allow_container_namespaces || r->allow_cgroup_parent || r->n_ports ||
	    r->allow_publish_all || r->exec_allow_privileged || r->allow_volume_driver_opts ||
	    r->volume_create_allow_host_opts || r->plugin_privileges.n ||
	    r->build_allow_host_network || r->build_allow_remote ||
	    r->image_create_allow_from_src || r->allow_swarm_init || r->allow_swarm_join ||
	    r->archive_allow_compressed)
		fail_msg("%s: a baseline wall is open", profile);
	if (r->sysctls.n != nitems(pss_sysctls))
		fail_msg("%s: %zu sysctls, want the %zu PSS safe ones", profile, r->sysctls.n,
		    nitems(pss_sysctls));
	for (i = 0; i < nitems(pss_sysctls); i++)
		if (!has(&r->sysctls, pss_sysctls[i]))
			fail_msg("%s: sysctl %s missing", profile, pss_sysctls[i]);
	if (r->volume_drivers.n != 1 || !has(&r->volume_drivers, "local") ||
	    !r->allow_named_volumes)
		fail_msg("%s: volumes are not named local volumes", profile);
	if (has(&r->network_drivers, "macvlan") || has(&r->network_drivers, "ipvlan") ||
	    r->network_parents.n)
		fail_msg("%s: networks may reach the host's interfaces", profile);
}

static void
test_profiles_baseline(void **state)
{
	struct pol_set *ps = load_profile("baseline", "");
	const struct pol_rules *r = &ps->policies[0].rules;
	size_t i;

	(void)state;
	check_pss_walls("baseline", r);
	assert_int_equal(r->cap_add.n, nitems(pss_caps));
	for (i = 0; i < nitems(pss_caps); i++)
		if (!has(&r->cap_add, pss_caps[i]))
			fail_msg("baseline: capability %s missing", pss_caps[i]);
	assert_false(r->require_drop_all);
	/* baseline leaves the restricted-only requirements off */
	assert_false(r->configured[POL_RULE_USER]);
	assert_false(r->configured[POL_RULE_NO_NEW_PRIVILEGES]);
	assert_false(r->exec_require_non_root);
	assert_true(mutations_none(&r->set) && mutations_none(&r->dflt));
	pol_set_unref(ps);
}

static void
test_profiles_restricted(void **state)
{
	struct pol_set *ps = load_profile("restricted", "");
	const struct pol_rules *r = &ps->policies[0].rules;

	(void)state;
	check_pss_walls("restricted", r);
	assert_int_equal(r->cap_add.n, 1);
	assert_true(has(&r->cap_add, "NET_BIND_SERVICE"));
	assert_true(r->require_drop_all);
	assert_true(r->configured[POL_RULE_USER] && r->require_non_root);
	assert_true(r->configured[POL_RULE_NO_NEW_PRIVILEGES] && r->require_no_new_privileges);
	assert_true(r->exec_require_non_root);
	pol_set_unref(ps);
}

static void
test_profiles_cis(void **state)
{
	struct pol_set *ps = load_profile("cis", "");
	const struct pol_rules *r = &ps->policies[0].rules;

	(void)state;
	assert_true(r->configured[POL_RULE_PRIVILEGED] && !r->allow_privileged); /* 5.5 */
	assert_true(path_allowed(&r->bind_rw, "/srv/app/data"));                 /* 5.6 */
	assert_false(path_allowed(&r->bind_rw, "/etc"));
	assert_false(path_allowed(&r->bind_rw, "/"));
	assert_false(path_allowed(&r->bind_rw, "/var/run/docker.sock"));            /* 5.32 */
	assert_false(r->allow_bind_propagation);                                    /* 5.20 */
	assert_true(has(&r->cap_add, "NET_RAW") && !has(&r->cap_add, "SYS_ADMIN")); /* 5.4 */
	assert_true(r->require_memory && r->require_cpu && r->require_pids_limit);  /* 5.11/12/29 */
	assert_true(r->require_read_only_rootfs);                                   /* 5.13 */
	assert_int_equal(r->n_ports, 1);                                            /* 5.8 */
	assert_int_equal(r->ports[0].lo, 1024);
	assert_false(has(&r->port_host_ips, ""));                                      /* 5.14 */
	assert_true(r->require_no_new_privileges);                                     /* 5.26 */
	assert_true(!r->exec_allow_privileged && r->exec_require_non_root);            /* 5.23/24 */
	assert_true(r->configured[POL_RULE_SWARM] && !r->allow_swarm_init);            /* 5.1 */
	assert_true(r->configured[POL_RULE_CGROUP_PARENT] && !r->allow_cgroup_parent); /* 5.25 */
	assert_true(r->configured[POL_RULE_ULIMITS]);                                  /* 5.19 */
	assert_int_equal(r->devices.n, 0);                                             /* 5.18 */
	assert_int_equal(r->host_namespaces.n, 0); /* 5.10/16/17/21/31 */
	pol_set_unref(ps);
}

static void
test_profiles_watchtower(void **state)
{
	struct pol_set *ps = load_profile("watchtower", "");
	const struct pol_rules *r = &ps->policies[0].rules;

	(void)state;
	/* it recreates containers as they were: ports open, walls of baseline kept */
	assert_true(r->allow_publish_all);
	assert_int_equal(r->n_ports, 1);
	assert_int_equal(r->ports[0].lo, 1);
	assert_int_equal(r->ports[0].hi, 65535);
	assert_true(has(&r->port_host_ips, "*"));
	assert_true(r->configured[POL_RULE_PRIVILEGED] && !r->allow_privileged);
	assert_true(r->configured[POL_RULE_BIND_MOUNTS] && r->bind_rw.n == 0);
	assert_true(r->configured[POL_RULE_NAMESPACES] && r->host_namespaces.n == 0);
	/* any image may be pulled, but not imported from a URL */
	assert_false(r->configured[POL_RULE_IMAGES]);
	assert_true(r->configured[POL_RULE_IMAGE_CREATE] && !r->image_create_allow_from_src);
	pol_set_unref(ps);
}

static void
test_profiles_ci_runner(void **state)
{
	struct pol_set *ps = load_profile("ci-runner", "");
	const struct pol_rules *r = &ps->policies[0].rules;

	(void)state;
	assert_int_equal(r->cap_add.n, 0);
	assert_true(r->set.no_new_privileges);
	assert_true(r->dflt.has_pids_limit);
	assert_int_equal(r->dflt.pids_limit, 4096);
	assert_true(r->require_pids_limit && !r->require_memory);
	assert_false(r->configured[POL_RULE_USER]); /* CI jobs run as root in their images */
	assert_true(r->configured[POL_RULE_BUILD] && !r->build_allow_host_network);
	pol_set_unref(ps);
}

/* A policy key replaces the profile's rule; entries add to the profile's. */
static void
test_profiles_override(void **state)
{
	struct pol_set *ps = load_profile("watchtower", "    containers:\n"
	                                                "      bind_mounts: { rw: [\"/srv/**\"] }\n"
	                                                "    allow: [ContainerStop]\n"
	                                                "    deny: [ImageDelete]\n");
	struct sw_req req;
	struct pol_decision d;

	(void)state;
	assert_true(has(&ps->policies[0].rules.bind_rw, "/srv/**"));
	assert_true(ps->policies[0].rules.allow_publish_all); /* the profile's ports stay */
	memset(&req, 0, sizeof(req));
	req.endpoint = pol_ep_lookup("ContainerStop");
	assert_int_equal(pol_eval(ps, 0, &req, &d), POL_ALLOW);
	req.endpoint = pol_ep_lookup("ImageDelete");
	assert_int_equal(pol_eval(ps, 0, &req, &d), POL_DENY);
	req.endpoint = pol_ep_lookup("ContainerCreate");
	assert_int_equal(pol_eval(ps, 0, &req, &d), POL_NEED_BODY);
	pol_set_unref(ps);
}

/* Every profile but portainer's passes the lint on its own. */
static void
test_profiles_lint(void **state)
{
	struct pol_set *ps;
	char out[4096];
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < pol_profile_count(); i++) {
		ps = load_profile(pol_profile_name((int)i), "");
		n = pol_set_lint(ps, out, sizeof(out));
		if (strcmp(pol_profile_name((int)i), "portainer") == 0) {
			/* SwarmUpdate, NodeUpdate, and rules in warn mode: documented */
			if (n != 3)
				fail_msg("portainer: %d warnings:\n%s", n, out);
		} else if (n != 0) {
			fail_msg("profile %s: %d warnings:\n%s", pol_profile_name((int)i), n, out);
		}
		pol_set_unref(ps);
	}
}

/*
 * docs/profiles.md opens each profile's section with its summary, and shows
 * its text exactly, in a yaml block under its heading.
 */
static void
test_profiles_documented(void **state)
{
	char *doc, block[8192], heading[64], opening[256];
	FILE *f = fopen(DOCS, "rb");
	long n;
	size_t i;

	(void)state;
	if (f == NULL)
		fail_msg("%s: cannot open", DOCS);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	doc = malloc((size_t)n + 1);
	assert_non_null(doc);
	assert_int_equal(fread(doc, 1, (size_t)n, f), (size_t)n);
	doc[n] = '\0';
	fclose(f);
	for (i = 0; i < pol_profile_count(); i++) {
		snprintf(heading, sizeof(heading), "\n### %s\n", pol_profile_name((int)i));
		snprintf(block, sizeof(block), "```yaml\n%s```\n", pol_profile_text((int)i));
		if (strstr(doc, heading) == NULL)
			fail_msg(
			    "docs/profiles.md has no heading \"### %s\"", pol_profile_name((int)i));
		snprintf(opening, sizeof(opening), "%s\n%s", heading, pol_profile_summary((int)i));
		if (strstr(doc, opening) == NULL)
			fail_msg(
			    "docs/profiles.md does not open profile %s with its summary \"%s\"",
			    pol_profile_name((int)i), pol_profile_summary((int)i));
		if (strstr(strstr(doc, heading), block) == NULL)
			fail_msg("docs/profiles.md does not show profile %s as it is:\n%s",
			    pol_profile_name((int)i), block);
	}
	free(doc);
}

int
main(void)
{
	struct CMUnitTest tests[nitems(app_cases) + 12];
	size_t i, n = 0;

	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_profiles_each_loads);
	for (i = 0; i < nitems(app_cases); i++)
		tests[n++] = (struct CMUnitTest){ app_cases[i].profile,
			test_profiles_app_allows_exactly, NULL, NULL, &app_cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_profiles_portainer);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_profiles_baseline);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_profiles_restricted);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_profiles_cis);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_profiles_watchtower);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_profiles_ci_runner);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_profiles_override);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_profiles_lint);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_profiles_documented);
	return _cmocka_run_group_tests("profiles", tests, n, NULL, NULL);
}

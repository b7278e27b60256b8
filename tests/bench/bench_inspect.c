/*
 * How long inspecting and deciding one ContainerCreate body takes: the real
 * body the docker CLI sent for a typical "docker run" (tests/data/bodies),
 * grown to about 4 KB with environment variables and labels as real
 * deployments have, under a policy with container rules (profile ci-runner
 * plus site rules).  Prints the median and p99 of many runs; it measures, it
 * never fails on slowness.
 *
 *   bench_inspect [BODY.json [N]]
 */
#include "sockwarden/compat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sockwarden/policy.h"

static const char config[] =
    "upstream: unix:///var/run/docker.sock\n"
    "listeners:\n"
    "  - { name: ci, listen: \"unix:///run/sw-bench.sock\", policy: ci }\n"
    "policies:\n"
    "  ci:\n"
    "    profile: ci-runner\n"
    "    containers:\n"
    "      bind_mounts: { rw: [\"/tmp/jq/srv/ci/**\"], ro: [\"/etc/ssl/certs/**\"] }\n"
    "      capabilities: { add: [NET_BIND_SERVICE] }\n"
    "      ports: { host_ports: [\"8000-8999\"], host_ips: [\"127.0.0.1\"] }\n"
    "      set: { no_new_privileges: true, labels: { owner: ci } }\n";

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The captured body with "Env" and "Labels" grown until it is about 4 KB. */
static char *
make_body(const char *path, size_t *len)
{
	char *raw, *out, *env;
	size_t rlen, o = 0;
	FILE *f = fopen(path, "rb");
	int i;

	if (f == NULL || (raw = malloc(65536)) == NULL)
		return NULL;
	rlen = fread(raw, 1, 65535, f);
	fclose(f);
	raw[rlen] = '\0';
	if ((out = malloc(rlen + 8192)) == NULL || (env = strstr(raw, "\"Env\":")) == NULL) {
		*len = rlen;
		return raw;
	}
	env += strlen("\"Env\":");
	o = (size_t)(env - raw);
	memcpy(out, raw, o);
	o += (size_t)snprintf(out + o, 8192, "[");
	for (i = 0; i < 40 && o < 3300; i++)
		o += (size_t)snprintf(out + o, 8192,
		    "%s\"APP_SETTING_%02d=value-%02d-abcdefghijklmnopqrstuvwxyz\"", i ? "," : "", i,
		    i);
	/* Drop the original Env value (an array or null) and keep the rest. */
	while (*env == ' ')
		env++;
	if (*env == '[')
		env = strchr(env, ']') + 1;
	else if (strncmp(env, "null", 4) == 0)
		env += 4;
	o += (size_t)snprintf(out + o, 8192, "]");
	memcpy(out + o, env, strlen(env) + 1);
	o += strlen(env);
	free(raw);
	*len = o;
	return out;
}

int
main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : SW_BENCH_BODY;
	int n = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 20000, i;
	struct sw_str ctype = SW_STR_LIT("application/json"), body;
	struct pol_daemon daemon = { "20.10.24", "1.41" };
	struct pol_set *ps = NULL;
	struct pol_err err;
	struct sw_req req;
	uint64_t *t;
	size_t len;
	char *raw;

	if (pol_load_buffer("bench", config, sizeof(config) - 1, &ps, &err) == -1) {
		fprintf(stderr, "config: %d:%d: %s\n", err.line, err.col, err.msg);
		return 1;
	}
	/* The site's rules admit the captured body, so the whole path is measured. */
	if ((raw = make_body(path, &len)) == NULL || n < 1 || (t = calloc((size_t)n, 8)) == NULL) {
		fprintf(stderr, "cannot read %s\n", path);
		return 1;
	}
	body = sw_str_make(raw, len);
	memset(&req, 0, sizeof(req));
	req.method = SW_STR_LIT("POST");
	req.path = SW_STR_LIT("/containers/create");
	req.version = SW_STR_LIT("1.41");
	req.endpoint = pol_ep_lookup("ContainerCreate");
	for (i = 0; i < n; i++) {
		struct pol_inspection out;
		uint64_t t0 = now_ns();

		memset(&out, 0, sizeof(out));
		pol_inspect(ps, 0, &req, &daemon, &ctype, &body, &out);
		t[i] = now_ns() - t0;
		if (i == 0)
			printf("body %zu bytes, verdict %s, forwarded %zu bytes\n", len,
			    out.decision.verdict == POL_ALLOW ? "allow" : "deny", out.body_len);
		pol_inspection_free(&out);
	}
	qsort(t, (size_t)n, sizeof(*t), cmp_u64);
	printf("inspect+decide ContainerCreate: median %.1f us, p99 %.1f us over %d runs\n",
	    (double)t[n / 2] / 1000.0, (double)t[n * 99 / 100] / 1000.0, n);
	free(t);
	free(raw);
	pol_set_unref(ps);
	return 0;
}

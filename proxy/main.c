/*
 * sockwarden: an access-control proxy for the Docker Engine API.
 *
 *   sockwarden [-d] [-f config.yaml]      run (embedded default config without -f)
 *   sockwarden -n [-f config.yaml]        check the configuration and exit
 *   sockwarden check [--strict] config.yaml   the same, with lint warnings
 *   sockwarden explain CONFIG ... REQUEST      the decision and its trace
 *   sockwarden print-default-config       show the embedded default configuration
 */
#include "sockwarden/compat.h"

#include <sys/resource.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "sockwarden/lint.h"
#include "sockwarden/log.h"
#include "sockwarden/policy.h"

#include "ev_mem.h"
#include "explain.h"
#include "server.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: sockwarden [-d] [-n] [-f config.yaml]\n"
	    "       sockwarden check [--strict] config.yaml\n"
	    "       sockwarden explain config.yaml ... (its own usage without arguments)\n"
	    "       sockwarden print-default-config\n"
	    "  -f FILE  configuration (default: the embedded one, see print-default-config)\n"
	    "  -n       check the configuration, print \"configuration OK\" and exit\n"
	    "  -d       debug logging\n");
}

static struct pol_set *
load_config(const char *path)
{
	struct pol_set *ps = NULL;
	struct pol_err err;
	const char *def;

	memset(&err, 0, sizeof(err));
	if (path != NULL) {
		if (pol_load_file(path, &ps, &err) == 0)
			return ps;
	} else {
		def = pol_default_config();
		if (pol_load_buffer("(embedded default)", def, strlen(def), &ps, &err) == 0)
			return ps;
	}
	if (err.line > 0)
		fprintf(stderr, "%s:%d:%d: %s\n", err.file, err.line, err.col, err.msg);
	else
		fprintf(stderr, "%s: %s\n", err.file[0] ? err.file : path, err.msg);
	return NULL;
}

/*
 * Load, then lint: warnings are printed and, with "strict", fail the check
 * (a configuration that opens root-equivalent endpoints without rules loads,
 * but should not go unnoticed).
 */
static int
check_config(const char *path, bool strict)
{
	struct pol_set *ps = load_config(path);
	char warnings[16384], tls_err[1024];
	int n;

	if (ps == NULL)
		return 1;
	/* Certificates, keys and CRLs are checked as a start would read them. */
	if (srv_check_tls(pol_set_config(ps), tls_err, sizeof(tls_err)) == -1) {
		fprintf(stderr, "%s: %s\n", path != NULL ? path : "(embedded default)", tls_err);
		pol_set_unref(ps);
		return 1;
	}
	n = pol_set_lint(ps, warnings, sizeof(warnings));
	pol_set_unref(ps);
	fputs(warnings, stderr);
	if (n > 0 && strict) {
		fprintf(stderr, "%d warning%s (--strict)\n", n, n == 1 ? "" : "s");
		return 1;
	}
	printf("configuration OK%s\n", n > 0 ? " (with warnings)" : "");
	return 0;
}

/* Thousands of idle clients need descriptors: take what the hard limit allows. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("setrlimit(RLIMIT_NOFILE)");
	}
}

int
main(int argc, char **argv)
{
	const char *path = NULL;
	bool check_only = false, debug = false;
	struct event_base *base;
	struct pol_set *ps;
	struct srv srv;
	int ch;

	if (argc >= 2 && strcmp(argv[1], "check") == 0) {
		bool strict = argc == 4 && strcmp(argv[2], "--strict") == 0;

		/* An option where the file goes ("check --strict") is a mistake, not a file. */
		if ((argc != 3 && !strict) || argv[argc - 1][0] == '-') {
			usage(stderr);
			return 2;
		}
		return check_config(argv[argc - 1], strict);
	}
	if (argc >= 2 && strcmp(argv[1], "explain") == 0)
		return explain_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "print-default-config") == 0) {
		fputs(pol_default_config(), stdout);
		return 0;
	}
	while ((ch = getopt(argc, argv, "df:hn")) != -1) {
		switch (ch) {
		case 'd':
			debug = true;
			break;
		case 'f':
			path = optarg;
			break;
		case 'n':
			check_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (check_only)
		return check_config(path, false);

	if ((ps = load_config(path)) == NULL)
		return 1;
	log_init(debug ? LOG_LEVEL_DEBUG : (enum log_level)pol_set_config(ps)->log.level);
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	ev_mem_init();
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new");
	srv_init(&srv, base, ps, path);
	event_base_dispatch(base);
	srv_free(&srv);
	event_base_free(base);
	log_info("stopped");
	return 0;
}

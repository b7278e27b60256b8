/*
 * Tests for the capability and upper-case helpers of policy/insp_check.c:
 * a CapAdd/CapDrop entry read as caps.NormalizeLegacyCapabilities reads it
 * (strings.ToUpper, "ALL" kept, "CAP_" added when missing, so "CAP_ALL" is
 * an unknown capability), the list spelling the loader stores, and the
 * comparison with a list that allows NET_BIND_SERVICE and ALL.
 */
#include "sockwarden/compat.h"

#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "insp_check.h"

struct cap_case {
	const char *name;
	const char *in;
	const char *norm; /* the daemon's spelling; NULL: refused (-1) */
	const char *list; /* pol_chk_cap_list_name; NULL: names no capability */
	bool allowed;     /* under cap_add [NET_BIND_SERVICE, ALL] */
	bool is_all;
};

static struct cap_case cap_cases[] = {
	{ "cap: upper case", "NET_BIND_SERVICE", "CAP_NET_BIND_SERVICE", "NET_BIND_SERVICE", true,
	    false },
	{ "cap: lower case", "net_bind_service", "CAP_NET_BIND_SERVICE", "NET_BIND_SERVICE", true,
	    false },
	{ "cap: mixed case", "Net_Bind_Service", "CAP_NET_BIND_SERVICE", "NET_BIND_SERVICE", true,
	    false },
	{ "cap: CAP_ prefix", "CAP_NET_BIND_SERVICE", "CAP_NET_BIND_SERVICE", "NET_BIND_SERVICE",
	    true, false },
	{ "cap: cap_ prefix in lower case", "cap_net_bind_service", "CAP_NET_BIND_SERVICE",
	    "NET_BIND_SERVICE", true, false },
	{ "cap: Cap_ prefix in mixed case", "Cap_Net_Bind_Service", "CAP_NET_BIND_SERVICE",
	    "NET_BIND_SERVICE", true, false },
	{ "cap: not in the list", "sys_admin", "CAP_SYS_ADMIN", "SYS_ADMIN", false, false },
	{ "cap: cap_ prefix not in the list", "cap_sys_admin", "CAP_SYS_ADMIN", "SYS_ADMIN", false,
	    false },
	{ "cap: ALL", "ALL", "ALL", "ALL", true, true },
	{ "cap: all in lower case", "all", "ALL", "ALL", true, true },
	{ "cap: All in mixed case", "All", "ALL", "ALL", true, true },
	{ "cap: CAP_ALL is an unknown capability", "CAP_ALL", "CAP_ALL", NULL, false, false },
	{ "cap: cap_all is an unknown capability", "cap_all", "CAP_ALL", NULL, false, false },
	{ "cap: Cap_All is an unknown capability", "Cap_All", "CAP_ALL", NULL, false, false },
	{ "cap: CAP_CAP_ALL keeps its prefix", "CAP_CAP_ALL", "CAP_CAP_ALL", "CAP_ALL", false,
	    false },
	{ "cap: empty is CAP_", "", "CAP_", "", false, false },
	{ "cap: dotless i upper-cases to I", "net_b\xc4\xb1nd_service", "CAP_NET_BIND_SERVICE",
	    "NET_BIND_SERVICE", true, false },
	{ "cap: long s upper-cases to S", "\xc5\xbfys_admin", "CAP_SYS_ADMIN", "SYS_ADMIN", false,
	    false },
	{ "cap: a lone dotless i is I", "\xc4\xb1", "CAP_I", "I", false, false },
	{ "cap: other non-ASCII refused", "n\xc3\xa9t_admin", NULL, NULL, false, false },
	{ "cap: lone lead byte refused", "net_admin\xc4", NULL, NULL, false, false },
	{ "cap: too long refused",
	    "a_capability_name_far_longer_than_any_the_kernel_has_ever_defined_xx", NULL, NULL,
	    false, false },
};

static void
test_cap_row(void **state)
{
	const struct cap_case *c = *state;
	static char net_bind_service[] = "NET_BIND_SERVICE", all[] = "ALL";
	static char *allow_v[] = { net_bind_service, all };
	struct pol_rules r;
	const char *list;
	char norm[64];
	int rc;

	memset(&r, 0, sizeof(r));
	r.cap_add.v = allow_v;
	r.cap_add.n = nitems(allow_v);
	rc = pol_chk_cap_normalise(c->in, norm, sizeof(norm));
	if (c->norm == NULL) {
		if (rc != -1)
			fail_msg("row \"%s\": normalised to \"%s\", want refused", c->name, norm);
	} else {
		if (rc != 0 || strcmp(norm, c->norm) != 0)
			fail_msg("row \"%s\": rc %d \"%s\", want \"%s\"", c->name, rc,
			    rc == 0 ? norm : "", c->norm);
		list = pol_chk_cap_list_name(norm);
		if ((list == NULL) != (c->list == NULL) ||
		    (list != NULL && strcmp(list, c->list) != 0))
			fail_msg("row \"%s\": list name \"%s\", want \"%s\"", c->name,
			    list != NULL ? list : "(none)", c->list != NULL ? c->list : "(none)");
		if (pol_chk_cap_allowed(&r, norm) != c->allowed)
			fail_msg(
			    "row \"%s\": allowed %d, want %d", c->name, !c->allowed, c->allowed);
	}
	if (pol_chk_cap_is_all(c->in) != c->is_all)
		fail_msg("row \"%s\": is_all %d, want %d", c->name, !c->is_all, c->is_all);
}

struct upper_case {
	const char *name;
	const char *in;
	size_t bufsz;
	int rc;
	const char *want;
};

static struct upper_case upper_cases[] = {
	{ "upper: ASCII", "bind", 32, 0, "BIND" },
	{ "upper: already upper, digits and signs", "R-SLAVE_2", 32, 0, "R-SLAVE_2" },
	{ "upper: dotless i", "b\xc4\xb1nd", 32, 0, "BIND" },
	{ "upper: long s", "\xc5\xbfhared", 32, 0, "SHARED" },
	{ "upper: other runes copied", "\xc3\xa9t\xc3\xa9", 32, 0, "\xc3\xa9T\xc3\xa9" },
	{ "upper: lone lead bytes copied", "a\xc4", 32, 0, "A\xc4" },
	{ "upper: empty", "", 1, 0, "" },
	{ "upper: exactly fits", "abc", 4, 0, "ABC" },
	{ "upper: cut to fit", "abcd", 4, -1, "ABC" },
	{ "upper: rune that does not fit", "ab\xc4\xb1", 3, -1, "AB" },
};

static void
test_upper_row(void **state)
{
	const struct upper_case *c = *state;
	char buf[32];
	int rc;

	rc = pol_chk_go_upper(c->in, buf, c->bufsz);
	if (rc != c->rc || strcmp(buf, c->want) != 0)
		fail_msg(
		    "row \"%s\": rc %d \"%s\", want %d \"%s\"", c->name, rc, buf, c->rc, c->want);
}

int
main(void)
{
	static struct CMUnitTest tests[nitems(cap_cases) + nitems(upper_cases)];
	size_t i, n = 0;

	for (i = 0; i < nitems(cap_cases); i++)
		tests[n++] = (struct CMUnitTest){ cap_cases[i].name, test_cap_row, NULL, NULL,
			&cap_cases[i] };
	for (i = 0; i < nitems(upper_cases); i++)
		tests[n++] = (struct CMUnitTest){ upper_cases[i].name, test_upper_row, NULL, NULL,
			&upper_cases[i] };
	return _cmocka_run_group_tests("insp_check", tests, n, NULL, NULL);
}

/*
 * ContainerExec (POST /containers/{name}/exec): the body is
 * container.ExecCreateRequest (types.ExecConfig up to v27), read with
 * ReadJSON.  What matters:
 *
 * - Privileged: the process gets every capability, whatever the container
 *   was created with.  Refused unless exec.allow_privileged.
 * - User: "" means the container's own user, which this request does not
 *   show (the create that made the container was checked, or not, on its
 *   own).  With exec.require_non_root, only a user known not to be root is
 *   accepted: "root", uid 0 ("0", "00", "+0", with any group) and "" are
 *   refused.  A name is resolved in the container's /etc/passwd, so a name
 *   other than root is taken as not root.
 * - Cmd: when exec.commands lists globs, the command line (Cmd joined with
 *   single spaces) must match one; '*' matches any run of characters,
 *   spaces included.  An empty Cmd is refused by the daemon (400).
 *
 * ConsoleSize is honoured from API 1.42 (reset below); Env, WorkingDir,
 * DetachKeys, Tty and the Attach flags act inside the container only.
 */
#include "sockwarden/compat.h"

#include <stdlib.h>
#include <string.h>

#include "insp_check.h"
#include "insp_endpoints.h"
#include "policy_int.h"

#define FIELD(n, k, e, s) { n, k, e, s },
#define BOOL(n)           FIELD(n, PJ_BOOL, PJ_ANY, NULL)
#define STR(n)            FIELD(n, PJ_STRING, PJ_ANY, NULL)
#define STRS(n)           FIELD(n, PJ_ARRAY, PJ_STRING, NULL)

/* container.ExecCreateRequest; "Detach" is still decoded by dockerd <= 27 (types.ExecConfig). */
static const struct pol_jfield exec_create_fields[] = { STR("User") BOOL("Privileged") BOOL("Tty")
	    FIELD("ConsoleSize", PJ_ARRAY, PJ_UINT, NULL) BOOL("AttachStdin") BOOL("AttachStderr")
	        BOOL("AttachStdout") BOOL("Detach") STR("DetachKeys") STRS("Env") STR("WorkingDir")
	            STRS("Cmd") };
const struct pol_jschema pol_schema_exec_create = { "ExecCreateRequest", exec_create_fields,
	nitems(exec_create_fields) };

/* An element of Cmd as Go decodes it into []string: null is "". */
static const char *
arg(const cJSON *it)
{
	return cJSON_IsString(it) ? it->valuestring : "";
}

/* Cmd joined with single spaces (malloc'd); NULL when out of memory. */
static char *
join_cmd(const cJSON *cmd)
{
	const cJSON *it;
	size_t len = 0, n;
	char *s;

	cJSON_ArrayForEach (it, cmd) {
		len += strlen(arg(it)) + 1;
	}
	if ((s = malloc(len + 1)) == NULL)
		return NULL;
	len = 0;
	cJSON_ArrayForEach (it, cmd) {
		if (it != cmd->child)
			s[len++] = ' ';
		n = strlen(arg(it));
		memcpy(s + len, arg(it), n);
		len += n;
	}
	s[len] = '\0';
	return s;
}

static bool
command_allowed(const struct pol_strlist *globs, const char *line)
{
	size_t i;

	for (i = 0; i < globs->n; i++)
		if (globs->v[i] != NULL && pol_glob_match(globs->v[i], line))
			return true;
	return false;
}

static int
check_cmd(struct pol_insp_ctx *ctx, const cJSON *cmd)
{
	const struct pol_rules *r = ctx->rules;
	char *line;

	if (r->exec_commands.n == 0)
		return 0;
	if ((line = join_cmd(cmd)) == NULL)
		return pol_chk_malformed(ctx, "out of memory");
	if (!command_allowed(&r->exec_commands, line))
		pol_finding_add(ctx, POL_RULE_EXEC, "Cmd", line,
		    "is not one of the commands the policy allows to exec");
	free(line);
	return 0;
}

static void
check_user(struct pol_insp_ctx *ctx, const char *user)
{
	if (!ctx->rules->exec_require_non_root)
		return;
	switch (pol_chk_user(user)) {
	case POL_USER_ROOT:
		pol_finding_add(ctx, POL_RULE_EXEC, "User", user, "runs the command as root");
		break;
	case POL_USER_DEFAULT:
		pol_finding_add(ctx, POL_RULE_EXEC, "User", user,
		    "leaves the user to the container, which may be root; name a non-root user");
		break;
	case POL_USER_OTHER:
		break;
	}
}

int
pol_insp_exec_create(struct pol_insp_ctx *ctx)
{
	const cJSON *root, *cmd;
	const char *user;

	if (pol_chk_root_struct(ctx, &pol_schema_exec_create) == -1)
		return -1;
	root = pol_chk_root(ctx);
	cmd = root != NULL ? pol_json_get(root, "Cmd") : NULL;
	/* The daemon answers 400 "No exec command specified"; say so before it. */
	if (cmd == NULL || cJSON_GetArraySize(cmd) == 0)
		return pol_chk_malformed(ctx, "Cmd: no exec command specified");
	if (!pol_rule_on(ctx, POL_RULE_EXEC))
		return 0;
	if (pol_json_bool(root, "Privileged", false) && !ctx->rules->exec_allow_privileged)
		pol_finding_add(ctx, POL_RULE_EXEC, "Privileged", "true",
		    "runs the command with every capability");
	user = pol_json_string(root, "User");
	check_user(ctx, user != NULL ? user : "");
	return check_cmd(ctx, cmd);
}

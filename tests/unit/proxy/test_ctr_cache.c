/*
 * The container cache: what it takes from the daemon's inspect answers and
 * events (pure functions, table-driven), then the cache itself against a
 * fake daemon on a temporary Unix socket, served from the same event loop:
 * shared lookups, hits only while the events stream is live, invalidation
 * by events, answers that raced an event asked again, and what a lookup
 * says when the daemon does not answer usefully (found, not found, or
 * cannot be told, with the reason).
 */
#include "sockwarden/compat.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include <cmocka.h>

#include "ctr_cache.h"
#include "mono_clock.h"

#define A  "e754ab7b2695fbb46bb5f1dd49a4079449dc9a8eb706a21eb02956f59c56d85a"
#define B  "fc2ca9d296f178d829de841c2117c32ad04a1af4034ca51e07c5f4cc60003017"
#define NX "13a8098850869492170bf75f287d56066ca0f31c50ca4b9c72bd607d6f1322f4"
#define C  "5f0c2d4b7e9a1836c4d2e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9"

/* ---- inspect answers ------------------------------------------------------ */

/* A real answer of dockerd 20.10 for "docker run -d --name c1 -l team=a bb ...", trimmed. */
#define REAL_INSPECT                                                                   \
	"{\"Id\":\"" A "\",\"Created\":\"2026-11-22T17:58:11.168046757Z\","            \
	"\"Path\":\"/bin/busybox\",\"Args\":[\"sleep\",\"600\"],\"State\":{"           \
	"\"Status\":\"running\",\"Running\":true,\"Pid\":10464},\"Image\":"            \
	"\"sha256:7881355e80fcf46478ce3e5689fabb02da7f562466a9e6d645eec8ce4031fa72\"," \
	"\"Name\":\"/c1\",\"RestartCount\":0,\"Driver\":\"vfs\",\"HostConfig\":{"      \
	"\"NetworkMode\":\"none\",\"CgroupnsMode\":\"host\"},\"Config\":{"             \
	"\"Hostname\":\"e754ab7b2695\",\"Env\":["                                      \
	"\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],"      \
	"\"Cmd\":[\"/bin/busybox\",\"sleep\",\"600\"],\"Image\":\"bb\","               \
	"\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,"   \
	"\"Labels\":{\"team\":\"a\"}},\"NetworkSettings\":{\"Networks\":{\"none\":{}}}}\n"

#define INSPECT(id, name, image, labels)                                        \
	"{\"Id\":\"" id "\",\"Name\":\"" name "\",\"Config\":{\"Image\":" image \
	",\"Labels\":" labels "}}"

struct insp_case {
	const char *name;
	const char *id;
	const char *json;
	bool ok;
	const char *ctr_name, *image;
	const char *labels; /* "k=v;k=v;" in order */
};

static const struct insp_case insp_cases[] = {
	{ "real answer", A, REAL_INSPECT, true, "c1", "bb", "team=a;" },
	{ "labels null", A, INSPECT(A, "/web", "\"nginx:1\"", "null"), true, "web", "nginx:1", "" },
	{ "labels empty", A, INSPECT(A, "/web", "\"nginx:1\"", "{}"), true, "web", "nginx:1", "" },
	{ "labels absent", A, "{\"Id\":\"" A "\",\"Name\":\"/web\",\"Config\":{\"Image\":\"x\"}}",
	    true, "web", "x", "" },
	{ "several labels, in order", A,
	    INSPECT(A, "/w", "\"x\"", "{\"a\":\"1\",\"com.example.b\":\"\",\"c\":\"3=4\"}"), true,
	    "w", "x", "a=1;com.example.b=;c=3=4;" },
	{ "image by digest", A, INSPECT(A, "/w", "\"x@sha256:0123\"", "null"), true, "w",
	    "x@sha256:0123", "" },
	{ "escaped backslash before u0000 is text", A,
	    INSPECT(A, "/w", "\"x\"", "{\"k\":\"a\\\\u0000b\"}"), true, "w", "x", "k=a\\u0000b;" },
	{ "white space after the value", A, INSPECT(A, "/w", "\"x\"", "null") " \r\n", true, "w",
	    "x", "" },
	/* who */
	{ "another container's id", A, INSPECT(B, "/w", "\"x\"", "null"), false, NULL, NULL, NULL },
	{ "id asked for is not an id", "E754AB", INSPECT("E754AB", "/w", "\"x\"", "null"), false,
	    NULL, NULL, NULL },
	{ "Id missing", A, "{\"Name\":\"/w\",\"Config\":{\"Image\":\"x\"}}", false, NULL, NULL,
	    NULL },
	{ "Id not a string", A, "{\"Id\":1,\"Name\":\"/w\",\"Config\":{\"Image\":\"x\"}}", false,
	    NULL, NULL, NULL },
	{ "Id twice", A,
	    "{\"Id\":\"" B "\",\"Id\":\"" A "\",\"Name\":\"/w\",\"Config\":{\"Image\":\"x\"}}",
	    false, NULL, NULL, NULL },
	{ "id in another case of key", A,
	    "{\"id\":\"" A "\",\"Name\":\"/w\",\"Config\":{\"Image\":\"x\"}}", false, NULL, NULL,
	    NULL },
	/* name */
	{ "Name missing", A, "{\"Id\":\"" A "\",\"Config\":{\"Image\":\"x\"}}", false, NULL, NULL,
	    NULL },
	{ "Name without '/'", A, INSPECT(A, "w", "\"x\"", "null"), false, NULL, NULL, NULL },
	{ "Name only '/'", A, INSPECT(A, "/", "\"x\"", "null"), false, NULL, NULL, NULL },
	{ "Name not a string", A, "{\"Id\":\"" A "\",\"Name\":[],\"Config\":{\"Image\":\"x\"}}",
	    false, NULL, NULL, NULL },
	{ "Name twice", A,
	    "{\"Id\":\"" A "\",\"Name\":\"/a\",\"Name\":\"/b\",\"Config\":{\"Image\":\"x\"}}",
	    false, NULL, NULL, NULL },
	{ "NUL escape in the name", A, INSPECT(A, "/w\\u0000x", "\"x\"", "null"), false, NULL, NULL,
	    NULL },
	/* config and image */
	{ "Config missing", A, "{\"Id\":\"" A "\",\"Name\":\"/w\"}", false, NULL, NULL, NULL },
	{ "Config null", A, "{\"Id\":\"" A "\",\"Name\":\"/w\",\"Config\":null}", false, NULL, NULL,
	    NULL },
	{ "Image missing", A, "{\"Id\":\"" A "\",\"Name\":\"/w\",\"Config\":{\"Labels\":null}}",
	    false, NULL, NULL, NULL },
	{ "Image a number", A, INSPECT(A, "/w", "7", "null"), false, NULL, NULL, NULL },
	{ "Config twice", A,
	    "{\"Id\":\"" A "\",\"Name\":\"/w\",\"Config\":{\"Image\":\"a\"},\"Config\":{\"Image\":"
	    "\"b\"}}",
	    false, NULL, NULL, NULL },
	{ "Image twice", A,
	    "{\"Id\":\"" A "\",\"Name\":\"/w\",\"Config\":{\"Image\":\"a\",\"Image\":\"b\"}}",
	    false, NULL, NULL, NULL },
	/* labels */
	{ "label value a number", A, INSPECT(A, "/w", "\"x\"", "{\"team\":1}"), false, NULL, NULL,
	    NULL },
	{ "label value null", A, INSPECT(A, "/w", "\"x\"", "{\"team\":null}"), false, NULL, NULL,
	    NULL },
	{ "label value an object", A, INSPECT(A, "/w", "\"x\"", "{\"team\":{\"a\":\"b\"}}"), false,
	    NULL, NULL, NULL },
	{ "label value true", A, INSPECT(A, "/w", "\"x\"", "{\"team\":true}"), false, NULL, NULL,
	    NULL },
	{ "labels an array", A, INSPECT(A, "/w", "\"x\"", "[\"team=a\"]"), false, NULL, NULL,
	    NULL },
	{ "labels a string", A, INSPECT(A, "/w", "\"x\"", "\"team=a\""), false, NULL, NULL, NULL },
	{ "label key twice", A, INSPECT(A, "/w", "\"x\"", "{\"team\":\"a\",\"team\":\"b\"}"), false,
	    NULL, NULL, NULL },
	{ "Labels twice", A,
	    "{\"Id\":\"" A
	    "\",\"Name\":\"/w\",\"Config\":{\"Image\":\"x\",\"Labels\":{},\"Labels\":"
	    "{\"team\":\"a\"}}}",
	    false, NULL, NULL, NULL },
	{ "NUL escape in a label value", A, INSPECT(A, "/w", "\"x\"", "{\"team\":\"a\\u0000b\"}"),
	    false, NULL, NULL, NULL },
	{ "NUL escape in a label key", A, INSPECT(A, "/w", "\"x\"", "{\"te\\u0000am\":\"a\"}"),
	    false, NULL, NULL, NULL },
	/* not JSON, or not the shape */
	{ "empty", A, "", false, NULL, NULL, NULL },
	{ "not JSON", A, "No such container", false, NULL, NULL, NULL },
	{ "an array", A, "[" INSPECT(A, "/w", "\"x\"", "null") "]", false, NULL, NULL, NULL },
	{ "trailing bytes", A, INSPECT(A, "/w", "\"x\"", "null") "{}", false, NULL, NULL, NULL },
	{ "cut short", A, "{\"Id\":\"" A "\",\"Name\":\"/w\",\"Config\":{\"Image\":\"x\"", false,
	    NULL, NULL, NULL },
};

static void
labels_text(const struct sw_ctr_ident *ci, char *buf, size_t bufsz)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < ci->n_labels; i++)
		used += (size_t)snprintf(
		    buf + used, bufsz - used, "%s=%s;", ci->label_keys[i], ci->label_values[i]);
}

static void
test_ctr_ident_parse(void **state)
{
	char labels[1024];
	size_t i;

	(void)state;
	for (i = 0; i < nitems(insp_cases); i++) {
		const struct insp_case *c = &insp_cases[i];
		const struct sw_ctr_ident *ci = ctr_ident_parse(c->id, c->json, strlen(c->json));

		if (!c->ok) {
			if (ci != NULL)
				fail_msg("%s: accepted", c->name);
			continue;
		}
		if (ci == NULL)
			fail_msg("%s: refused", c->name);
		labels_text(ci, labels, sizeof(labels));
		if (strcmp(ci->id, c->id) != 0 || strcmp(ci->name, c->ctr_name) != 0 ||
		    strcmp(ci->image, c->image) != 0 || strcmp(labels, c->labels) != 0)
			fail_msg("%s: got id %s name \"%s\" image \"%s\" labels \"%s\"", c->name,
			    ci->id, ci->name, ci->image, labels);
		ctr_ident_unref(ci);
	}
}

/* Sizes: the limits hold, and what fits is whole. */
static void
test_ctr_ident_parse_huge(void **state)
{
	static const struct {
		const char *name;
		size_t n_labels;
		size_t value_len;
		size_t image_len; /* 0: "x" */
		bool ok;
	} rows[] = {
		{ "1024 small labels", 1024, 8, 0, true },
		{ "1025 small labels", 1025, 8, 0, false },
		{ "labels just under 64 KiB", 4, 16000, 0, true },
		{ "labels over 64 KiB", 5, 16000, 0, false },
		{ "one label of 1 MiB", 1, 1024 * 1024, 0, false },
		{ "no labels, image just under 64 KiB", 0, 0, 65000, true },
		{ "no labels, image over 64 KiB", 0, 0, 66000, false },
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < nitems(rows); i++) {
		size_t cap = 256 + rows[i].image_len + rows[i].n_labels * (rows[i].value_len + 32);
		char *json = malloc(cap), *value = malloc(rows[i].value_len + 1);
		char *image = malloc(rows[i].image_len + 2);
		const struct sw_ctr_ident *ci;
		size_t len;

		assert_non_null(json);
		assert_non_null(value);
		assert_non_null(image);
		memset(value, 'v', rows[i].value_len);
		value[rows[i].value_len] = '\0';
		memset(image, 'i', rows[i].image_len);
		snprintf(image + rows[i].image_len, 2, "%s", rows[i].image_len == 0 ? "x" : "");
		len = (size_t)snprintf(json, cap,
		    "{\"Id\":\"%s\",\"Name\":\"/w\",\"Config\":{"
		    "\"Image\":\"%s\",\"Labels\":{",
		    A, image);
		for (j = 0; j < rows[i].n_labels; j++)
			len += (size_t)snprintf(
			    json + len, cap - len, "%s\"k%zu\":\"%s\"", j ? "," : "", j, value);
		len += (size_t)snprintf(json + len, cap - len, "}}}");
		assert_true(len < cap);
		ci = ctr_ident_parse(A, json, len);
		if (rows[i].ok &&
		    (ci == NULL || ci->n_labels != rows[i].n_labels ||
		        strcmp(ci->image, image) != 0 ||
		        (rows[i].n_labels > 0 &&
		            strlen(ci->label_values[rows[i].n_labels - 1]) != rows[i].value_len)))
			fail_msg("%s: refused or cut", rows[i].name);
		if (!rows[i].ok && ci != NULL)
			fail_msg("%s: accepted", rows[i].name);
		ctr_ident_unref(ci);
		free(json);
		free(value);
		free(image);
	}
}

/* Raw bytes the daemon cannot send: a NUL inside an answer or an event line. */
static void
test_raw_nul(void **state)
{
	static const char json[] =
	    "{\"Id\":\"" A "\",\"Name\":\"/w\0x\",\"Config\":{\"Image\":\"x\"}}";
	static const char line[] =
	    "{\"Type\":\"container\",\"Actor\":{\"ID\":\"" A "\",\"Attributes\":{\"x\":\"a\0b\"}}}";
	char id[65];

	(void)state;
	assert_null(ctr_ident_parse(A, json, sizeof(json) - 1));
	assert_int_equal(ctr_event_parse(line, sizeof(line) - 1, id), CTR_EVENT_UNREADABLE);
}

static void
test_ctr_ident_refs(void **state)
{
	const struct sw_ctr_ident *ci = ctr_ident_parse(A, REAL_INSPECT, strlen(REAL_INSPECT));

	(void)state;
	assert_non_null(ci);
	assert_ptr_equal(ctr_ident_ref(ci), ci);
	ctr_ident_unref(ci);
	assert_string_equal(ci->name, "c1"); /* still held once: ASan would object otherwise */
	ctr_ident_unref(ci);
	ctr_ident_unref(NULL);
	assert_null(ctr_ident_ref(NULL));
}

/* ---- event lines ---------------------------------------------------------------- */

struct event_case {
	const char *name;
	const char *line;
	enum ctr_event expect;
	const char *id;
};

static const struct event_case event_cases[] = {
	{ "real rename (dockerd 20.10)",
	    "{\"status\":\"rename\",\"id\":\"" A
	    "\",\"from\":\"bb\",\"Type\":\"container\",\"Action\":"
	    "\"rename\",\"Actor\":{\"ID\":\"" A
	    "\",\"Attributes\":{\"image\":\"bb\",\"name\":\"c1b\","
	    "\"oldName\":\"/c1\",\"team\":\"a\"}},\"scope\":\"local\",\"time\":1795370298,"
	    "\"timeNano\":1795370298888494753}",
	    CTR_EVENT_CONTAINER, A },
	{ "real destroy (dockerd 20.10)",
	    "{\"status\":\"destroy\",\"id\":\"" B
	    "\",\"from\":\"bb\",\"Type\":\"container\",\"Action\":"
	    "\"destroy\",\"Actor\":{\"ID\":\"" B
	    "\",\"Attributes\":{\"image\":\"bb\",\"name\":\"c2\"}},"
	    "\"scope\":\"local\",\"time\":1795370301,\"timeNano\":1795370301278151234}",
	    CTR_EVENT_CONTAINER, B },
	{ "modern, without the legacy fields",
	    "{\"Type\":\"container\",\"Action\":\"create\",\"Actor\":{\"ID\":\"" B "\","
	    "\"Attributes\":{}},\"scope\":\"local\",\"time\":1,\"timeNano\":1}",
	    CTR_EVENT_CONTAINER, B },
	{ "Actor.ID wins over id",
	    "{\"id\":\"" A "\",\"Type\":\"container\",\"Actor\":{\"ID\":\"" B "\"}}",
	    CTR_EVENT_CONTAINER, B },
	{ "legacy, only id", "{\"status\":\"destroy\",\"id\":\"" A "\",\"Type\":\"container\"}",
	    CTR_EVENT_CONTAINER, A },
	{ "legacy, no Type", "{\"status\":\"destroy\",\"id\":\"" A "\",\"from\":\"bb\"}",
	    CTR_EVENT_CONTAINER, A },
	{ "trailing carriage return", "{\"Type\":\"container\",\"Actor\":{\"ID\":\"" A "\"}}\r",
	    CTR_EVENT_CONTAINER, A },
	{ "image event",
	    "{\"status\":\"pull\",\"id\":\"bb:latest\",\"Type\":\"image\",\"Action\":\"pull\","
	    "\"Actor\":{\"ID\":\"bb:latest\"}}",
	    CTR_EVENT_NONE, NULL },
	{ "network event with a 64-hex id",
	    "{\"Type\":\"network\",\"Action\":\"connect\",\"Actor\":{\"ID\":\"" A "\"}}",
	    CTR_EVENT_NONE, NULL },
	{ "empty line", "", CTR_EVENT_NONE, NULL },
	{ "container without any id", "{\"Type\":\"container\",\"Action\":\"destroy\"}",
	    CTR_EVENT_UNREADABLE, NULL },
	{ "container with a short id",
	    "{\"Type\":\"container\",\"Actor\":{\"ID\":\"e754ab7b2695\"}}", CTR_EVENT_UNREADABLE,
	    NULL },
	{ "container with an upper-case id",
	    "{\"Type\":\"container\",\"Actor\":{\"ID\":"
	    "\"E754AB7B2695FBB46BB5F1DD49A4079449DC9A8EB706A21EB02956F59C56D85A\"}}",
	    CTR_EVENT_UNREADABLE, NULL },
	{ "container id a number", "{\"Type\":\"container\",\"Actor\":{\"ID\":7}}",
	    CTR_EVENT_UNREADABLE, NULL },
	{ "legacy without Type, image id", "{\"status\":\"delete\",\"id\":\"sha256:7881355e\"}",
	    CTR_EVENT_UNREADABLE, NULL },
	{ "Type a number", "{\"Type\":1,\"Actor\":{\"ID\":\"" A "\"}}", CTR_EVENT_UNREADABLE,
	    NULL },
	{ "Type twice", "{\"Type\":\"image\",\"Type\":\"container\",\"Actor\":{\"ID\":\"" A "\"}}",
	    CTR_EVENT_UNREADABLE, NULL },
	/* Repeated keys: each line would name one container if the repetition were ignored. */
	{ "Actor twice, with a legacy id",
	    "{\"id\":\"" A "\",\"Type\":\"container\",\"Actor\":{\"ID\":\"" B "\"},"
	    "\"Actor\":{\"ID\":\"" C "\"}}",
	    CTR_EVENT_UNREADABLE, NULL },
	{ "Actor.ID twice, with a legacy id",
	    "{\"id\":\"" A "\",\"Type\":\"container\",\"Actor\":{\"ID\":\"" B "\",\"ID\":\"" C
	    "\"}}",
	    CTR_EVENT_UNREADABLE, NULL },
	{ "legacy id twice, with Actor.ID",
	    "{\"id\":\"" A "\",\"id\":\"" B "\",\"Type\":\"container\",\"Actor\":{\"ID\":\"" C
	    "\"}}",
	    CTR_EVENT_UNREADABLE, NULL },
	{ "not JSON", "event: destroy", CTR_EVENT_UNREADABLE, NULL },
	{ "an array", "[]", CTR_EVENT_UNREADABLE, NULL },
	{ "two objects on a line",
	    "{\"Type\":\"image\"}{\"Type\":\"container\",\"Actor\":{\"ID\":\"" A "\"}}",
	    CTR_EVENT_UNREADABLE, NULL },
};

static void
test_ctr_event_parse(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < nitems(event_cases); i++) {
		const struct event_case *c = &event_cases[i];
		char id[65] = "";
		enum ctr_event ev = ctr_event_parse(c->line, strlen(c->line), id);

		if (ev != c->expect)
			fail_msg("%s: got %d, expected %d", c->name, (int)ev, (int)c->expect);
		if (c->id != NULL && strcmp(id, c->id) != 0)
			fail_msg("%s: id %s, expected %s", c->name, id, c->id);
	}
}

/* ---- the cache against a fake daemon ---------------------------------------------- */

#define MAX_CONNS 16

struct fake_ctr {
	const char *id;
	const char *name; /* NULL: 404 */
	int status;       /* not 0: answer this status with "raw" (or an error) instead */
	const char *raw;  /* with status: the body */
	bool hangup;      /* close the connection without an answer */
	unsigned inspects;
};

struct fake_conn {
	struct fake *f;
	int fd;
	struct event *ev;
	char req[2048];
	size_t len;
	bool held; /* an inspect answer waiting for fake_release() */
	char path[256];
};

struct fake {
	struct event_base *base;
	char dir[64];
	struct sa_addr addr;
	int lfd;
	struct event *accept_ev;
	struct fake_conn conns[MAX_CONNS];
	int events_fd; /* the live events stream; -1: none */
	unsigned events_requests;
	bool hold; /* keep inspect answers until fake_release() */
	struct fake_ctr ctrs[4];
};

static void
conn_close(struct fake_conn *c)
{
	if (c->ev != NULL)
		event_free(c->ev);
	if (c->fd != -1)
		close(c->fd);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void
say(int fd, const char *s)
{
	(void)send(fd, s, strlen(s), MSG_NOSIGNAL);
}

static void
answer_inspect(struct fake_conn *c)
{
	struct fake *f = c->f;
	char body[512], resp[1024];
	size_t i;

	for (i = 0; i < nitems(f->ctrs) && f->ctrs[i].id != NULL; i++) {
		struct fake_ctr *k = &f->ctrs[i];

		if (strstr(c->path, k->id) == NULL)
			continue;
		k->inspects++;
		if (k->hangup) {
			conn_close(c);
			return;
		}
		if (k->status != 0) {
			snprintf(resp, sizeof(resp),
			    "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
			    "Content-Length: %zu\r\n\r\n%s",
			    k->status, strlen(k->raw), k->raw);
			say(c->fd, resp);
			return;
		}
		if (k->name == NULL)
			break;
		snprintf(body, sizeof(body),
		    "{\"Id\":\"%s\",\"Name\":\"/%s\",\"Config\":{\"Image\":\"bb\",\"Labels\":"
		    "{\"team\":\"a\"}}}\n",
		    k->id, k->name);
		snprintf(resp, sizeof(resp),
		    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
		    strlen(body), body);
		say(c->fd, resp);
		return;
	}
	say(c->fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\n{}\n");
}

static void
conn_read(evutil_socket_t fd, short what, void *arg)
{
	struct fake_conn *c = arg;
	struct fake *f = c->f;
	ssize_t n;

	(void)what;
	n = read(fd, c->req + c->len, sizeof(c->req) - 1 - c->len);
	if (n <= 0) {
		if (f->events_fd == c->fd)
			f->events_fd = -1;
		conn_close(c);
		return;
	}
	c->len += (size_t)n;
	c->req[c->len] = '\0';
	if (c->path[0] != '\0' || strstr(c->req, "\r\n\r\n") == NULL)
		return;
	if (sscanf(c->req, "GET %255s HTTP/1.1", c->path) != 1)
		fail_msg("fake daemon: request \"%s\"", c->req);
	if (strncmp(c->path, "/events?", 8) == 0) {
		f->events_requests++;
		f->events_fd = c->fd;
		say(c->fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		           "Transfer-Encoding: chunked\r\n\r\n");
		return;
	}
	if (f->hold)
		c->held = true;
	else
		answer_inspect(c);
}

static void
fake_accept(evutil_socket_t fd, short what, void *arg)
{
	struct fake *f = arg;
	int s, i;

	(void)what;
	if ((s = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		return;
	for (i = 0; i < MAX_CONNS && f->conns[i].fd != -1; i++)
		;
	if (i == MAX_CONNS)
		fail_msg("fake daemon: too many connections");
	f->conns[i].f = f;
	f->conns[i].fd = s;
	f->conns[i].ev = event_new(f->base, s, EV_READ | EV_PERSIST, conn_read, &f->conns[i]);
	event_add(f->conns[i].ev, NULL);
}

static struct fake *
fake_new(struct event_base *base)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct sockaddr_un *sun;
	int i;

	assert_non_null(f);
	f->base = base;
	f->events_fd = -1;
	for (i = 0; i < MAX_CONNS; i++)
		f->conns[i].fd = -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/sw-test-cc.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	sun = (struct sockaddr_un *)&f->addr.ss;
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/d.sock", f->dir);
	f->addr.len = sizeof(*sun);
	f->addr.family = AF_UNIX;
	f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(f->lfd != -1);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)sun, sizeof(*sun)), 0);
	assert_int_equal(listen(f->lfd, 16), 0);
	f->accept_ev = event_new(base, f->lfd, EV_READ | EV_PERSIST, fake_accept, f);
	event_add(f->accept_ev, NULL);
	f->ctrs[0] = (struct fake_ctr){ .id = A, .name = "c1" };
	f->ctrs[1] = (struct fake_ctr){ .id = B, .name = "c2" };
	f->ctrs[2] = (struct fake_ctr){ .id = NX, .name = NULL };
	return f;
}

static void
fake_free(struct fake *f)
{
	char path[128];
	int i;

	for (i = 0; i < MAX_CONNS; i++)
		if (f->conns[i].fd != -1)
			conn_close(&f->conns[i]);
	event_free(f->accept_ev);
	close(f->lfd);
	snprintf(path, sizeof(path), "%s/d.sock", f->dir);
	unlink(path);
	rmdir(f->dir);
	free(f);
}

static void
fake_release(struct fake *f)
{
	int i;

	f->hold = false;
	for (i = 0; i < MAX_CONNS; i++)
		if (f->conns[i].fd != -1 && f->conns[i].held) {
			f->conns[i].held = false;
			answer_inspect(&f->conns[i]);
		}
}

/* One event line, as one chunk of the stream. */
static void
fake_event(struct fake *f, const char *json)
{
	char chunk[1024];

	assert_true(f->events_fd != -1);
	snprintf(chunk, sizeof(chunk), "%zx\r\n%s\n\r\n", strlen(json) + 1, json);
	say(f->events_fd, chunk);
}

static void
fake_events_close(struct fake *f)
{
	int i;

	for (i = 0; i < MAX_CONNS; i++)
		if (f->conns[i].fd == f->events_fd && f->events_fd != -1)
			conn_close(&f->conns[i]);
	f->events_fd = -1;
}

static struct fake_ctr *
fake_ctr(struct fake *f, const char *id)
{
	size_t i;

	for (i = 0; i < nitems(f->ctrs); i++)
		if (f->ctrs[i].id != NULL && strcmp(f->ctrs[i].id, id) == 0)
			return &f->ctrs[i];
	fail_msg("fake daemon: no container %s", id);
	return NULL;
}

static void
run(struct event_base *base, unsigned ms)
{
	struct timeval tv = timeval_of_ms(ms);

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

/* A waiter: what its callback got. */
struct waiter {
	struct ctr_wait *w;
	int calls;
	enum ctr_status st;
	const struct sw_ctr_ident *ci;
	const char *why;
	struct waiter *cancel_other; /* cancel this waiter from the callback */
};

static void
waiter_done(enum ctr_status st, const struct sw_ctr_ident *ci, const char *why, void *arg)
{
	struct waiter *wt = arg;

	wt->calls++;
	wt->w = NULL;
	wt->st = st;
	wt->ci = ci;
	wt->why = why;
	if (wt->cancel_other != NULL && wt->cancel_other->w != NULL) {
		ctr_wait_cancel(wt->cancel_other->w);
		wt->cancel_other->w = NULL;
	}
}

static void
waiter_reset(struct waiter *wt)
{
	ctr_ident_unref(wt->ci);
	memset(wt, 0, sizeof(*wt));
}

/* Ask; an answer at once is in *now and the waiter's st and why. */
static enum ctr_status
ask(struct ctr_cache *cc, const char *id, struct waiter *wt, const struct sw_ctr_ident **now)
{
	enum ctr_status st = ctr_cache_get(cc, id, now, &wt->why, waiter_done, wt, &wt->w);

	wt->st = st;
	return st;
}

/* Ask and wait up to "ms" for the answer, whether at once (*at_once) or from the daemon. */
static const struct sw_ctr_ident *
lookup_st(struct ctr_cache *cc, struct event_base *base, const char *id, bool *at_once,
    enum ctr_status *st, const char **why, unsigned ms)
{
	struct waiter wt = { 0 };
	const struct sw_ctr_ident *now = NULL;
	enum ctr_status rc = ask(cc, id, &wt, &now);
	unsigned waited;

	*at_once = rc != CTR_PENDING;
	*st = rc;
	*why = wt.why;
	if (rc != CTR_PENDING) {
		assert_null(wt.w);
		assert_int_equal(wt.calls, 0);
		return now;
	}
	assert_null(now);
	assert_null(wt.why);
	assert_non_null(wt.w);
	assert_int_equal(wt.calls, 0); /* never from inside ctr_cache_get */
	for (waited = 0; waited < ms && wt.calls == 0; waited += 20)
		run(base, 20);
	assert_int_equal(wt.calls, 1);
	assert_true(wt.st != CTR_PENDING);
	*st = wt.st;
	*why = wt.why;
	return wt.ci;
}

/* The same, checking that the status agrees with the identity and "why". */
static const struct sw_ctr_ident *
lookup(struct ctr_cache *cc, struct event_base *base, const char *id, bool *at_once)
{
	enum ctr_status st;
	const char *why;
	const struct sw_ctr_ident *ci = lookup_st(cc, base, id, at_once, &st, &why, 6000);

	if ((st == CTR_FOUND) != (ci != NULL))
		fail_msg("%.12s: status %d with identity %p", id, (int)st, (const void *)ci);
	if ((st == CTR_UNKNOWN) != (why != NULL))
		fail_msg("%.12s: status %d with why %s", id, (int)st, why ? why : "NULL");
	return ci;
}

static void
wait_live(struct ctr_cache *cc, struct event_base *base, bool live)
{
	int i;

	for (i = 0; i < 200 && ctr_cache_live(cc) != live; i++)
		run(base, 10);
	if (ctr_cache_live(cc) != live)
		fail_msg("the events stream did not become %s", live ? "live" : "down");
}

/*
 * A live cache in front of a fresh fake daemon, the start of most tests
 * below; the teardown runs even when a test fails, so no socket is left.
 */
struct live {
	struct event_base *base;
	struct fake *f;
	struct ctr_cache *cc; /* NULL once a test freed it */
};

static int
live_setup(void **state)
{
	struct live *l = calloc(1, sizeof(*l));

	assert_non_null(l);
	l->base = event_base_new();
	assert_non_null(l->base);
	l->f = fake_new(l->base);
	l->cc = ctr_cache_new(l->base, &l->f->addr);
	assert_non_null(l->cc);
	wait_live(l->cc, l->base, true);
	assert_int_equal(l->f->events_requests, 1);
	*state = l;
	return 0;
}

static int
live_teardown(void **state)
{
	struct live *l = *state;

	ctr_cache_free(l->cc);
	fake_free(l->f);
	event_base_free(l->base);
	free(l);
	return 0;
}

static void
test_ctr_cache_hits_and_events(void **state)
{
	struct live *l = *state;
	struct event_base *base = l->base;
	struct fake *f = l->f;
	struct ctr_cache *cc = l->cc;
	const struct sw_ctr_ident *ci;
	enum ctr_status st;
	const char *why;
	bool at_once;

	/* A miss asks the daemon; then it is a hit. */
	ci = lookup(cc, base, A, &at_once);
	assert_false(at_once);
	assert_non_null(ci);
	assert_string_equal(ci->name, "c1");
	assert_int_equal(ci->n_labels, 1);
	ctr_ident_unref(ci);
	ci = lookup(cc, base, A, &at_once);
	assert_true(at_once);
	assert_string_equal(ci->name, "c1");
	ctr_ident_unref(ci);
	assert_int_equal(fake_ctr(f, A)->inspects, 1);

	/* A rename: the entry goes, the new name is asked for. */
	fake_ctr(f, A)->name = "c1b";
	fake_event(
	    f, "{\"Type\":\"container\",\"Action\":\"rename\",\"Actor\":{\"ID\":\"" A "\"}}");
	run(base, 30);
	ci = lookup(cc, base, A, &at_once);
	assert_false(at_once);
	assert_string_equal(ci->name, "c1b");
	ctr_ident_unref(ci);
	assert_int_equal(fake_ctr(f, A)->inspects, 2);

	/* Events about other things change nothing. */
	fake_event(f, "{\"Type\":\"image\",\"Action\":\"pull\",\"Actor\":{\"ID\":\"bb\"}}");
	fake_event(
	    f, "{\"Type\":\"container\",\"Action\":\"destroy\",\"Actor\":{\"ID\":\"" B "\"}}");
	run(base, 30);
	ci = lookup(cc, base, A, &at_once);
	assert_true(at_once);
	ctr_ident_unref(ci);

	/* An unreadable event: everything goes. */
	fake_event(f, "{\"Type\":\"container\",\"Action\":\"destroy\"}");
	run(base, 30);
	ci = lookup(cc, base, A, &at_once);
	assert_false(at_once);
	ctr_ident_unref(ci);
	assert_int_equal(fake_ctr(f, A)->inspects, 3);

	/* Unknown to the daemon: not found (no identity), remembered until a create event. */
	ci = lookup_st(cc, base, NX, &at_once, &st, &why, 6000);
	assert_false(at_once);
	assert_null(ci);
	assert_int_equal(st, CTR_NOT_FOUND);
	assert_null(why);
	ci = lookup_st(cc, base, NX, &at_once, &st, &why, 6000);
	assert_true(at_once);
	assert_null(ci);
	assert_int_equal(st, CTR_NOT_FOUND);
	assert_int_equal(fake_ctr(f, NX)->inspects, 1);
	fake_event(
	    f, "{\"Type\":\"container\",\"Action\":\"create\",\"Actor\":{\"ID\":\"" NX "\"}}");
	run(base, 30);
	ci = lookup(cc, base, NX, &at_once);
	assert_false(at_once);
	assert_int_equal(fake_ctr(f, NX)->inspects, 2);

	/* Not an id: cannot be told (never "not found"), nobody asked. */
	ci = lookup_st(cc, base, "e754ab7b2695", &at_once, &st, &why, 6000);
	assert_true(at_once);
	assert_null(ci);
	assert_int_equal(st, CTR_UNKNOWN);
	assert_string_equal(why, "not a container id");
}

/* While the stream is down nothing comes from the cache; back up, it starts empty. */
static void
test_ctr_cache_stream_down(void **state)
{
	struct live *l = *state;
	struct event_base *base = l->base;
	struct fake *f = l->f;
	struct ctr_cache *cc = l->cc;
	const struct sw_ctr_ident *ci, *now;
	struct waiter w = { 0 };
	bool at_once;

	ctr_ident_unref(lookup(cc, base, A, &at_once));
	ci = lookup(cc, base, A, &at_once);
	assert_true(at_once);
	ctr_ident_unref(ci);

	fake_events_close(f);
	wait_live(cc, base, false);
	ci = lookup(cc, base, A, &at_once);
	assert_false(at_once);
	assert_non_null(ci);
	ctr_ident_unref(ci);
	ci = lookup(cc, base, A, &at_once);
	assert_false(at_once); /* not cached while down */
	ctr_ident_unref(ci);
	assert_int_equal(fake_ctr(f, A)->inspects, 3);

	/*
	 * It reconnects by itself (after back-off), and starts empty.  A question
	 * asked while it was down and answered after it came back is not cached:
	 * events in between were missed.
	 */
	f->hold = true;
	assert_int_equal(ask(cc, B, &w, &now), CTR_PENDING);
	wait_live(cc, base, true);
	assert_int_equal(f->events_requests, 2);
	fake_release(f);
	while (w.calls == 0)
		run(base, 20);
	assert_string_equal(w.ci->name, "c2");
	waiter_reset(&w);
	ci = lookup(cc, base, B, &at_once);
	assert_false(at_once);
	ctr_ident_unref(ci);
	assert_int_equal(fake_ctr(f, B)->inspects, 2);
	ci = lookup(cc, base, A, &at_once);
	assert_false(at_once);
	ctr_ident_unref(ci);
	ci = lookup(cc, base, A, &at_once);
	assert_true(at_once);
	ctr_ident_unref(ci);
	assert_int_equal(fake_ctr(f, A)->inspects, 4);
}

/* Every waiter for one id shares one request; cancelled waiters hear nothing. */
static void
test_ctr_cache_shared_and_cancelled(void **state)
{
	struct live *l = *state;
	struct event_base *base = l->base;
	struct fake *f = l->f;
	struct ctr_cache *cc = l->cc;
	struct waiter w1 = { 0 }, w2 = { 0 }, w3 = { 0 }, w4 = { 0 };
	const struct sw_ctr_ident *now;

	f->hold = true;
	assert_int_equal(ask(cc, A, &w1, &now), CTR_PENDING);
	assert_int_equal(ask(cc, A, &w2, &now), CTR_PENDING);
	assert_int_equal(ask(cc, A, &w3, &now), CTR_PENDING);
	assert_int_equal(ask(cc, B, &w4, &now), CTR_PENDING);
	ctr_wait_cancel(w2.w);
	w2.w = NULL;
	w1.cancel_other = &w3; /* the first answered cancels a later one of the same request */
	run(base, 50);
	fake_release(f);
	while (w1.calls == 0 || w4.calls == 0)
		run(base, 20);
	run(base, 20);
	assert_int_equal(fake_ctr(f, A)->inspects, 1);
	assert_int_equal(w1.calls, 1);
	assert_int_equal(w2.calls, 0);
	assert_int_equal(w3.calls, 0);
	assert_int_equal(w1.st, CTR_FOUND);
	assert_int_equal(w4.st, CTR_FOUND);
	assert_string_equal(w1.ci->name, "c1");
	assert_string_equal(w4.ci->name, "c2");

	/* The only waiter cancels: the request goes too, and nothing is cached. */
	f->hold = true;
	assert_int_equal(ask(cc, NX, &w2, &now), CTR_PENDING);
	run(base, 50);
	ctr_wait_cancel(w2.w);
	fake_release(f);
	run(base, 50);
	assert_int_equal(w2.calls, 0);

	/* Freed with a waiter pending: no callback, nothing leaked. */
	f->hold = true;
	assert_int_equal(ask(cc, NX, &w3, &now), CTR_PENDING);
	run(base, 30);
	ctr_cache_free(cc);
	l->cc = NULL;
	run(base, 30);
	assert_int_equal(w3.calls, 0);
	waiter_reset(&w1);
	waiter_reset(&w4);
}

/* An event about a container while it is being asked about: the answer may predate it. */
static void
test_ctr_cache_event_during_lookup(void **state)
{
	struct live *l = *state;
	struct event_base *base = l->base;
	struct fake *f = l->f;
	struct ctr_cache *cc = l->cc;
	struct waiter w = { 0 };
	const struct sw_ctr_ident *now, *ci;
	bool at_once;

	f->hold = true;
	assert_int_equal(ask(cc, A, &w, &now), CTR_PENDING);
	run(base, 50);
	/* The daemon renamed it after composing its answer, which it sends late. */
	fake_event(
	    f, "{\"Type\":\"container\",\"Action\":\"rename\",\"Actor\":{\"ID\":\"" A "\"}}");
	run(base, 30);
	fake_release(f); /* answers "c1"; the cache asks again */
	fake_ctr(f, A)->name = "c1b";
	while (w.calls == 0)
		run(base, 20);
	assert_int_equal(fake_ctr(f, A)->inspects, 2);
	assert_string_equal(w.ci->name, "c1b");
	ci = lookup(cc, base, A, &at_once);
	assert_true(at_once);
	assert_string_equal(ci->name, "c1b");
	ctr_ident_unref(ci);

	waiter_reset(&w);
}

static void
no_daemon_addr(struct sa_addr *a)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&a->ss;

	memset(a, 0, sizeof(*a));
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof(sun->sun_path), "/tmp/sw-test-cc-nothing-here.sock");
	a->len = sizeof(*sun);
	a->family = AF_UNIX;
}

/*
 * No daemon at all: every lookup ends from the loop as "cannot be told",
 * with a reason, never as "not found" (which would pass for a host process);
 * and it is asked again each time, never remembered.
 */
static void
test_ctr_cache_no_daemon(void **state)
{
	struct event_base *base = event_base_new();
	struct sa_addr a;
	struct ctr_cache *cc;
	const struct sw_ctr_ident *ci;
	enum ctr_status st;
	const char *why;
	bool at_once;
	int i;

	(void)state;
	no_daemon_addr(&a);
	cc = ctr_cache_new(base, &a);
	assert_non_null(cc);
	for (i = 0; i < 2; i++) {
		ci = lookup_st(cc, base, A, &at_once, &st, &why, 6000);
		assert_false(at_once);
		assert_null(ci);
		assert_int_equal(st, CTR_UNKNOWN);
		assert_non_null(why);
		assert_non_null(strstr(why, "did not answer"));
	}
	assert_false(ctr_cache_live(cc));
	ctr_cache_free(cc);
	event_base_free(base);
}

/*
 * Answers that identify nothing, against a live cache: each is "cannot be
 * told" with its reason (only a 404 is "not found"), every waiter of the
 * shared request hears it, nothing is cached, and once the daemon answers
 * properly the same id is found.
 */
struct failure_case {
	const char *name;
	int status;
	const char *raw;
	bool hangup;
	enum ctr_status want;
	const char *why; /* a substring of the reason; NULL for none */
};

static const struct failure_case failure_cases[] = {
	{ "500 server error", 500, "{\"message\":\"boom\"}", false, CTR_UNKNOWN, "server error" },
	{ "503 unavailable", 503, "", false, CTR_UNKNOWN, "server error" },
	{ "403 from an authorization plugin", 403, "{\"message\":\"authz\"}", false, CTR_UNKNOWN,
	    "unexpected status" },
	{ "400 bad request", 400, "{}", false, CTR_UNKNOWN, "unexpected status" },
	{ "200 with a body that is not JSON", 200, "No such container", false, CTR_UNKNOWN,
	    "unreadable" },
	{ "200 about another container", 200, INSPECT(A, "/w", "\"x\"", "null"), false, CTR_UNKNOWN,
	    "unreadable" },
	{ "200 with labels of the wrong type", 200, INSPECT(C, "/w", "\"x\"", "[]"), false,
	    CTR_UNKNOWN, "unreadable" },
	{ "connection closed without an answer", 0, NULL, true, CTR_UNKNOWN, "did not answer" },
	{ "404: not one of the daemon's", 404, "{\"message\":\"No such container\"}", false,
	    CTR_NOT_FOUND, NULL },
};

static void
test_ctr_cache_failures(void **state)
{
	struct live *l = *state;
	struct event_base *base = l->base;
	struct fake *f = l->f;
	struct ctr_cache *cc = l->cc;
	const struct sw_ctr_ident *ci, *now;
	struct fake_ctr *k = &f->ctrs[3];
	struct waiter w1, w2;
	enum ctr_status st;
	const char *why;
	bool at_once;
	size_t i;

	for (i = 0; i < nitems(failure_cases); i++) {
		const struct failure_case *fc = &failure_cases[i];

		*k = (struct fake_ctr){ .id = C,
			.name = "c3",
			.status = fc->status,
			.raw = fc->raw,
			.hangup = fc->hangup };
		memset(&w1, 0, sizeof(w1));
		memset(&w2, 0, sizeof(w2));
		/* The previous row left it cached: an event makes the cache ask again. */
		fake_event(f,
		    "{\"Type\":\"container\",\"Action\":\"destroy\",\"Actor\":{\"ID\":\"" C "\"}}");
		run(base, 30);
		f->hold = true;
		if (ask(cc, C, &w1, &now) != CTR_PENDING || ask(cc, C, &w2, &now) != CTR_PENDING)
			fail_msg("%s: not asked", fc->name);
		run(base, 30);
		fake_release(f);
		while (w1.calls == 0 || w2.calls == 0)
			run(base, 20);
		if (w1.st != fc->want || w2.st != fc->want || w1.ci != NULL || w2.ci != NULL)
			fail_msg("%s: status %d and %d, want %d", fc->name, (int)w1.st, (int)w2.st,
			    (int)fc->want);
		if ((fc->why == NULL) != (w1.why == NULL) ||
		    (fc->why != NULL && strstr(w1.why, fc->why) == NULL) || w1.why != w2.why)
			fail_msg("%s: why \"%s\", want \"%s\"", fc->name, w1.why ? w1.why : "NULL",
			    fc->why ? fc->why : "NULL");
		if (k->inspects != 1)
			fail_msg("%s: %u requests for two waiters", fc->name, k->inspects);
		/* A 404 is remembered; a failure is not: the next lookup asks again. */
		ci = lookup_st(cc, base, C, &at_once, &st, &why, 6000);
		if (st != fc->want || at_once != (fc->want == CTR_NOT_FOUND))
			fail_msg(
			    "%s: asked again: status %d, at once %d", fc->name, (int)st, at_once);
		if (fc->want == CTR_UNKNOWN && k->inspects != 2)
			fail_msg("%s: failure was cached", fc->name);
		/* The daemon recovers (or the container is created: an event). */
		k->status = 0;
		k->hangup = false;
		fake_event(f,
		    "{\"Type\":\"container\",\"Action\":\"create\",\"Actor\":{\"ID\":\"" C "\"}}");
		run(base, 30);
		ci = lookup_st(cc, base, C, &at_once, &st, &why, 6000);
		if (st != CTR_FOUND || ci == NULL || strcmp(ci->name, "c3") != 0)
			fail_msg("%s: after recovery: status %d", fc->name, (int)st);
		ctr_ident_unref(ci);
	}
}

/* A daemon that accepts and never answers: the lookup gives up (5 s) as "cannot be told". */
static void
test_ctr_cache_daemon_silent(void **state)
{
	struct live *l = *state;
	struct event_base *base = l->base;
	struct fake *f = l->f;
	struct ctr_cache *cc = l->cc;
	const struct sw_ctr_ident *ci;
	enum ctr_status st;
	const char *why;
	bool at_once;

	f->hold = true; /* never released */
	ci = lookup_st(cc, base, A, &at_once, &st, &why, 8000);
	assert_false(at_once);
	assert_null(ci);
	assert_int_equal(st, CTR_UNKNOWN);
	assert_non_null(why);
	assert_non_null(strstr(why, "did not answer"));
}

/* Too many different containers asked about at once: the next one cannot be told. */
static void
test_ctr_cache_too_many_lookups(void **state)
{
	struct event_base *base = event_base_new();
	struct waiter *w = calloc(257, sizeof(*w));
	const struct sw_ctr_ident *now;
	struct ctr_cache *cc;
	struct sa_addr a;
	char id[65];
	int i;

	(void)state;
	assert_non_null(w);
	no_daemon_addr(&a);
	cc = ctr_cache_new(base, &a);
	/* No loop turn in between: every request is still pending. */
	for (i = 0; i < 257; i++) {
		snprintf(id, sizeof(id), "%064x", i + 1);
		if (i < 256 && ask(cc, id, &w[i], &now) != CTR_PENDING)
			fail_msg("lookup %d: not pending", i);
		if (i == 256 && (ask(cc, id, &w[i], &now) != CTR_UNKNOWN || w[i].w != NULL ||
		                    w[i].why == NULL || strstr(w[i].why, "too many") == NULL))
			fail_msg("lookup 257: status %d, why %s", (int)w[i].st,
			    w[i].why ? w[i].why : "NULL");
	}
	/* A waiter for one of the ids in flight shares its request. */
	snprintf(id, sizeof(id), "%064x", 1);
	assert_int_equal(ask(cc, id, &w[256], &now), CTR_PENDING);
	for (i = 0; i < 257; i++)
		ctr_wait_cancel(w[i].w);
	ctr_cache_free(cc);
	run(base, 30); /* sockets are freed from the loop */
	free(w);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctr_ident_parse),
		cmocka_unit_test(test_ctr_ident_parse_huge),
		cmocka_unit_test(test_raw_nul),
		cmocka_unit_test(test_ctr_ident_refs),
		cmocka_unit_test(test_ctr_event_parse),
		cmocka_unit_test_setup_teardown(
		    test_ctr_cache_hits_and_events, live_setup, live_teardown),
		cmocka_unit_test_setup_teardown(
		    test_ctr_cache_stream_down, live_setup, live_teardown),
		cmocka_unit_test_setup_teardown(
		    test_ctr_cache_shared_and_cancelled, live_setup, live_teardown),
		cmocka_unit_test_setup_teardown(
		    test_ctr_cache_event_during_lookup, live_setup, live_teardown),
		cmocka_unit_test(test_ctr_cache_no_daemon),
		cmocka_unit_test_setup_teardown(test_ctr_cache_failures, live_setup, live_teardown),
		cmocka_unit_test_setup_teardown(
		    test_ctr_cache_daemon_silent, live_setup, live_teardown),
		cmocka_unit_test(test_ctr_cache_too_many_lookups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

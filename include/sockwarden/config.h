/*
 * Runtime settings read from the configuration file, as plain data.  The
 * policy library parses the whole file (it owns libyaml); the proxy reads
 * these settings through pol_set_config().  All sizes are bytes, all times
 * milliseconds; defaults are the SW_DEF_* values below (documented in README).
 */
#ifndef SW_CONFIG_H
#define SW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include <sys/types.h>

#define SW_DEF_UPSTREAM            "unix:///var/run/docker.sock"
#define SW_DEF_LISTEN              "unix:///run/sockwarden/sockwarden.sock"
#define SW_DEF_MAX_HEADER_BYTES    (64u * 1024)
#define SW_DEF_MAX_HEADERS         100u
#define SW_DEF_MAX_BODY_BYTES      (1024u * 1024)
#define SW_DEF_MAX_BUFFERED_BYTES  ((size_t)64 * 1024 * 1024)
#define SW_DEF_MAX_CONNECTIONS     4096u
#define SW_DEF_MAX_CLIENT_CONNS    256u
#define SW_DEF_HEAD_TIMEOUT_MS     10000u
#define SW_DEF_IDLE_TIMEOUT_MS     60000u
#define SW_DEF_UPSTREAM_CONNECT_MS 5000u
#define SW_DEF_SHUTDOWN_TIMEOUT_MS 10000u
#define SW_DEF_MIN_API_VERSION     "1.24"
#define SW_DEF_SOCKET_MODE         0660u

#define SW_NAME_MAX    64
#define SW_URL_MAX     256
#define SW_FILE_MAX    256
#define SW_PATTERN_MAX 256

/* Default label that marks an object's owner under ownership isolation. */
#define SW_DEF_OWNER_LABEL "io.sockwarden.owner"

struct sw_socket_opts {
	unsigned mode;           /* permission bits of the socket file */
	char owner[SW_NAME_MAX]; /* user name or numeric uid; empty: unchanged */
	char group[SW_NAME_MAX]; /* group name or numeric gid; empty: unchanged */
};

/*
 * One entry of a listener's "clients" list: a caller whose kernel identity
 * (SO_PEERCRED) satisfies every key set here gets "policy".  User and group
 * names are resolved to ids when the file is loaded.  A gid matches the
 * caller's primary gid or any of its supplementary groups (SO_PEERGROUPS).
 */
struct sw_client_cfg {
	bool has_uid;
	bool has_gid;
	uid_t uid;
	gid_t gid;
	/*
	 * Glob patterns ('*' and '?', policy/ glob syntax); "" = key not set.
	 * cert_*: from the verified client certificate of a TLS listener;
	 * cert_dns/email/uri match when any SAN of that type matches.
	 * cert_fingerprint is the SHA-256 of the DER certificate as 64
	 * lowercase hex digits (the loader normalises colons and case).
	 * container_*: from the container the caller runs in (cgroup of its
	 * pid, then the daemon's inspect): name without the leading '/',
	 * image as created (Config.Image).  container_label is "key" (label
	 * present) or "key=value-glob".
	 */
	char cert_cn[SW_PATTERN_MAX];
	char cert_dns[SW_PATTERN_MAX];
	char cert_email[SW_PATTERN_MAX];
	char cert_uri[SW_PATTERN_MAX];
	char cert_fingerprint[65];
	char container_name[SW_PATTERN_MAX];
	char container_image[SW_PATTERN_MAX];
	char container_label[SW_PATTERN_MAX];
	/*
	 * Owner identity for ownership isolation ("owner:" in the entry);
	 * "" = derived from the caller (pol_owner_of()).
	 */
	char owner[SW_NAME_MAX];
	int policy;                    /* index into the set's policies */
	char policy_name[SW_NAME_MAX]; /* as written, until the loader resolves it */
	int line, col;                 /* of the policy name in the file, for load errors */
};

/* Which client certificates a TLS listener asks for. */
enum sw_client_certs {
	SW_CERTS_REQUIRED = 0, /* the default: no verified certificate, no handshake */
	SW_CERTS_OPTIONAL,     /* verified when sent; callers without one match no cert_* key */
	SW_CERTS_NONE,         /* not asked for */
};

/*
 * TLS files.  For a listener: cert/key are the server's, ca verifies client
 * certificates, crl (optional) revokes them.  For the upstream: ca verifies
 * the daemon, cert/key (optional) are our client certificate, server_name
 * is checked against the daemon's certificate ("" = the host of the URL).
 * Files are read at start and on every reload; a key file that group or
 * others can read is refused.
 */
struct sw_tls_cfg {
	bool enabled;
	char cert[SW_FILE_MAX];
	char key[SW_FILE_MAX];
	char ca[SW_FILE_MAX];
	char crl[SW_FILE_MAX];
	enum sw_client_certs client_certs;
	char server_name[SW_NAME_MAX * 4];
};

struct sw_listener_cfg {
	char name[SW_NAME_MAX];
	char listen[SW_URL_MAX];      /* unix:///path or tcp://host:port */
	struct sw_socket_opts socket; /* unix listeners only */
	struct sw_tls_cfg tls;        /* tcp listeners: required unless "insecure" */
	bool insecure;                /* plain TCP, explicitly asked for (warned about) */
	int policy; /* index into the set's policies: the default when no client entry matches */
	size_t first_client; /* this listener's entries: sw_config.clients[first_client...] */
	size_t n_clients;    /* 0: every caller gets "policy" */
};

struct sw_limits {
	size_t max_header_bytes;  /* request line plus header block */
	unsigned max_headers;     /* header fields per request */
	size_t max_body_bytes;    /* request bodies that must be buffered for inspection */
	unsigned max_connections; /* client connections open at once, all listeners */
	unsigned head_timeout_ms; /* from a request's first byte to the end of its head */
	unsigned idle_timeout_ms; /* keep-alive (or fresh) connection with no request */
	unsigned upstream_connect_ms;
	unsigned shutdown_timeout_ms;    /* how long SIGTERM waits for in-flight requests */
	unsigned max_client_connections; /* open at once by one client (client_limit.c) */
	size_t max_buffered_bytes;       /* queued for slow readers, all connections */
};

struct sw_log_cfg {
	int level;              /* enum log_level */
	char audit[SW_URL_MAX]; /* "stderr", "off", or a file path */
};

/* Drop to this user and group once sockets are bound and keys read ("run_as"). */
struct sw_run_as {
	bool enabled;
	uid_t uid;
	gid_t gid;
	char user[SW_NAME_MAX]; /* as written, for messages */
	char group[SW_NAME_MAX];
};

struct sw_config {
	char upstream[SW_URL_MAX]; /* unix:///path or tcp://addr:port */
	struct sw_tls_cfg upstream_tls;
	struct sw_run_as run_as;
	char min_api_version[16]; /* requests below this API version are denied */
	struct sw_listener_cfg *listeners;
	size_t n_listeners;
	struct sw_client_cfg *clients; /* every listener's client entries, in file order */
	size_t n_clients;
	struct sw_limits limits;
	struct sw_log_cfg log;
};

#endif

/*
 * The files that decide what sockwarden trusts: the configuration, and the
 * certificates, CA bundles, CRLs and private keys of its TLS contexts.
 * Whoever can write one of them can take the Docker socket (a policy that
 * allows them, a CA that signs their own client certificate, a key of their
 * choosing), so all of them are read whole by sw_file_read(), which checks,
 * on the descriptor it then reads from (the file read is the file checked):
 *
 *   - a regular file: a directory, FIFO or device is refused, and opening a
 *     FIFO planted at the path does not block; a symbolic link is followed
 *     and these checks apply to its target;
 *   - owned by root or by the effective uid (relayd's check_file_secrecy);
 *   - not writable by its group or by others;
 *   - a secret (a private key) is also not readable by group or others;
 *   - no larger than rules->max bytes, also when it grows while being read.
 *
 * Implemented in policy/load_file.c: plain files, no sockets or OpenSSL, so
 * the policy library can read its own configuration with it.
 */
#ifndef SW_FILE_H
#define SW_FILE_H

#include <stdbool.h>
#include <stddef.h>

/* What one kind of file must satisfy besides the checks every file gets. */
struct sw_file_rules {
	const char *noun; /* for messages: "the configuration", "the private key" */
	size_t max;       /* the largest content accepted, in bytes (well below SIZE_MAX) */
	bool secret;      /* closed to group and others: no read, write or execute bits */
};

/* A file's content; a secret's is wiped when it is released. */
struct sw_file {
	char *buf;  /* len bytes and a NUL; never NULL after a successful read */
	size_t len; /* may be 0: an empty file is the caller's to refuse */
	bool secret;
};

/*
 * Read "path" whole into *out.  Returns 0, or -1 with *out empty and the
 * reason in err: one line that does not repeat the path (callers place it
 * after their own context), e.g. "cannot open: No such file or directory"
 * or "writable by its group or by others (mode 0664): run chmod go-w on it".
 */
int sw_file_read(const char *path, const struct sw_file_rules *rules, struct sw_file *out,
    char *err, size_t errsz);

/* Free f's buffer, wiping it first when it holds a secret; f is empty afterwards. */
void sw_file_release(struct sw_file *f);

#endif

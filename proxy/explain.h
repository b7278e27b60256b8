/*
 * "sockwarden explain": how one request would be decided, step by step, by
 * the same code the proxy runs (HTTP parsing, canonicalisation, routing, the
 * endpoint decision, the body inspection).  No socket is opened.
 */
#ifndef SW_EXPLAIN_H
#define SW_EXPLAIN_H

#include <stdio.h>

/*
 * argv[0] is "explain"; the rest as in explain_usage().  Prints the trace on
 * "out" and problems on "err".  Returns the exit status: 0 allowed, 1
 * denied, 2 usage or configuration error.
 */
int explain_run(int argc, char **argv, FILE *out, FILE *err);

/* explain_run() on stdout and stderr. */
int explain_main(int argc, char **argv);

void explain_usage(FILE *f);

#endif

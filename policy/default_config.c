/*
 * The configuration compiled into the binary, used when no file is given:
 * one socket that offers the "read-only" group and nothing else.  It goes
 * through pol_load_buffer() like any file, so it obeys the same rules (and a
 * unit test loads it).
 */
#include "sockwarden/compat.h"

#include "sockwarden/policy.h"

static const char default_config[] =
    "# sockwarden built-in configuration\n"
    "upstream: unix:///var/run/docker.sock\n"
    "api:\n"
    "  min_version: \"1.24\"\n"
    "listeners:\n"
    "  - name: default\n"
    "    listen: unix:///run/sockwarden/sockwarden.sock\n"
    "    socket: { mode: \"0660\" }\n"
    "    policy: read-only\n"
    "policies:\n"
    "  # Everything that only reads, minus what leaks file contents or secrets\n"
    "  # (archive, export, image save, attach websocket, swarm unlock key,\n"
    "  # secrets, configs, debug).  Container logs and inspect stay allowed.\n"
    "  read-only:\n"
    "    groups: [read-only]\n";

const char *
pol_default_config(void)
{
	return default_config;
}

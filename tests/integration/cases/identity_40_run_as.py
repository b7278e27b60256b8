# run_as: sockwarden binds its socket as root, then drops to nobody. Its /proc status shows
# uid and gid 65534 in every slot (real, effective, saved, filesystem) and only its own
# group as supplementary group; the private daemon's socket (root, 0660) is then out of its reach, so requests get
# the 502 a down daemon gives. Started and stopped by pid inside the case.
# Format: see case_exec.py.

RUN_AS_YAML = """\
upstream: unix://$DAEMON_SOCK
run_as: { user: nobody }
listeners:
  - { name: main, listen: "unix://$CASE_DIR/sw.sock", socket: { mode: "0666" }, policy: all }
log: { level: info, audit: off }
policies:
  all: { allow: ["*"] }
"""

CASES = [
    {
        "name": "run-as-drops-privileges",
        "policy": "identity",
        "proxy_only": True,
        "files": {"run_as.yaml": RUN_AS_YAML},
        "cmd": "$SW_BIN -f run_as.yaml >run_as.log 2>&1 & PID=$!; "
               "for i in $(seq 100); do [ -S sw.sock ] && break; sleep 0.1; done; sleep 0.2; "
               "grep -E '^(Uid|Gid|Groups):' /proc/$PID/status; "
               "DOCKER_HOST=unix://$CASE_DIR/sw.sock $DOCKER version; "
               "kill $PID; wait $PID",
        "expect": {"exit": 0,
                   "stdout_regex": [r"Uid:\s+65534\s+65534\s+65534\s+65534",
                                    r"Gid:\s+65534\s+65534\s+65534\s+65534",
                                    r"Groups:\s+65534\s*\n"],
                   "stderr": ["sockwarden: cannot reach the Docker daemon"]},
    },
]

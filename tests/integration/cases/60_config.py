# `sockwarden check` on a broken configuration: exit 1, `file:line:col: message`.
# (Every configuration the suite itself runs with is checked by run.py before use.)
# Format: see case_exec.py.

BAD_POLICY_REF = """\
upstream: unix:///tmp/swi-nowhere/docker.sock
listeners:
  - name: main
    listen: unix:///tmp/swi-nowhere/sw.sock
    policy: nosuch
policies:
  all: { allow: ["*"] }
"""

BAD_ENDPOINT = """\
upstream: unix:///tmp/swi-nowhere/docker.sock
listeners:
  - name: main
    listen: unix:///tmp/swi-nowhere/sw.sock
    policy: all
policies:
  all: { allow: [ContainerCreat] }
"""

CASES = [
    {
        "name": "check-unknown-policy",
        "proxy_only": True,
        "files": {"bad.yaml": BAD_POLICY_REF},
        "cmd": "$SW_BIN check bad.yaml 2>&1",
        "expect": {"exit": 1, "stdout_regex": r"^bad\.yaml:5:\d+: .*nosuch"},
    },
    {
        "name": "check-unknown-endpoint",
        "proxy_only": True,
        "files": {"bad.yaml": BAD_ENDPOINT},
        "cmd": "$SW_BIN check bad.yaml 2>&1",
        "expect": {"exit": 1, "stdout_regex": r"^bad\.yaml:7:\d+: .*ContainerCreat"},
    },
]

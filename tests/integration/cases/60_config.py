# `sockwarden check` on a broken configuration: exit 1, `file:line:col: message`;
# `check --strict` on one that loads with lint warnings: exit 1, the warnings counted.
# (Every configuration the suite itself runs with is checked by run.py before use.)
# Format: see case_exec.py.

def config(policy, policies):
    """A configuration whose one listener uses "policy"; the listener's policy line is line 5,
    the first policy line 7."""
    return ("upstream: unix:///tmp/swi-nowhere/docker.sock\n"
            "listeners:\n"
            "  - name: main\n"
            "    listen: unix:///tmp/swi-nowhere/sw.sock\n"
            "    policy: %s\n"
            "policies:\n"
            "  %s\n" % (policy, policies))


BAD_POLICY_REF = config("nosuch", 'all: { allow: ["*"] }')
BAD_ENDPOINT = config("all", "all: { allow: [ContainerCreat] }")
# Loads, but opens root-equivalent endpoints with no rule: lint warnings.
ROOT_WITHOUT_RULES = config("all", 'all: { allow: ["*"] }')
READ_ONLY = config("ro", "ro: { groups: [read-only] }")

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
    {
        "name": "check-warnings-pass-without-strict",
        "proxy_only": True,
        "files": {"lint.yaml": ROOT_WITHOUT_RULES},
        "cmd": "$SW_BIN check lint.yaml 2>&1",
        "expect": {"exit": 0, "stdout_regex":
                   r"(?s)lint\.yaml:7:\d+: warning: policy all: allows ContainerCreate.*"
                   r"configuration OK \(with warnings\)"},
    },
    {
        "name": "check-strict-fails-on-warnings",
        "proxy_only": True,
        "files": {"lint.yaml": ROOT_WITHOUT_RULES},
        "cmd": "$SW_BIN check --strict lint.yaml 2>&1",
        "expect": {"exit": 1, "stdout_regex": r"(?m)^\d+ warnings \(--strict\)$"},
    },
    {
        "name": "check-strict-passes-clean-config",
        "proxy_only": True,
        "files": {"ro.yaml": READ_ONLY},
        "cmd": "$SW_BIN check --strict ro.yaml 2>&1",
        "expect": {"exit": 0, "stdout_regex": r"^configuration OK\n$", "stdout_not": ["warning"]},
    },
    {
        "name": "check-strict-without-file-is-usage",
        "proxy_only": True,
        "files": {},
        "cmd": "$SW_BIN check --strict 2>&1",
        "expect": {"exit": 2, "stdout_regex": r"usage: sockwarden.*\n.*check \[--strict\]"},
    },
]

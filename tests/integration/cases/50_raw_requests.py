# Requests no ordinary client sends, through the permissive "all" policy: an API version
# below the minimum, and paths the daemon's router would read another way. sockwarden must
# answer them itself (400 or 403) and never pass them on.
# Format: see case_exec.py.

CURL = "curl -sS -i --max-time 20 --path-as-is --unix-socket $SW_SOCK"
REFUSED = r"^HTTP/1\.1 (400|403) "


def path_trick(name, target):
    return {
        "name": name,
        "proxy_only": True,
        "cmd": CURL + " 'http://d" + target + "'",
        "expect": {"exit": 0, "stdout_regex": [REFUSED, r'"message":"sockwarden: ']},
        "daemon_not_called": ["containers"],
        "audit": [{"verdict": "deny", "target": target}],
        "audit_absent": [{"verdict": "allow"}],
    }


CASES = [
    {
        "name": "api-version-too-old",
        "proxy_only": True,
        "cmd": CURL + " http://d/v1.12/containers/json",
        "expect": {"exit": 0, "stdout_regex": [r"^HTTP/1\.1 403 ",
                                               r"(?i)^content-type: application/json\r?$"],
                   "stdout": ["sockwarden: ", "min_version"]},
        "audit": [{"verdict": "deny", "status": 403, "rule": "min_version",
                   "endpoint": "ContainerList", "target": "/v1.12/containers/json"}],
        "daemon_not_called": ["containers/json"],
    },
    {
        # The same request at a supported version is fine: the refusal above is the version.
        "name": "api-version-supported",
        "proxy_only": True,
        "cmd": CURL + " http://d/v1.41/containers/json",
        "expect": {"exit": 0, "stdout_regex": r"^HTTP/1\.1 200 "},
        "audit": [{"endpoint": "ContainerList", "verdict": "allow", "status": 200}],
    },
    path_trick("path-encoded-slash", "/v1.41/containers/%2Fjson"),
    path_trick("path-double-slash", "/v1.41//containers/json"),
    path_trick("path-dot-dot", "/v1.41/../containers/json"),
    path_trick("path-dot", "/v1.41/./containers/json"),
    path_trick("path-second-version", "/v1.41/v1.41/containers/json"),
    path_trick("path-encoded-percent", "/v1.41/containers/%252Fjson"),
    {
        # The 20.10 CLI sends "Host: " with an empty value on its hijack requests (attach,
        # exec start); Go accepts empty header values, so sockwarden must too.
        "name": "empty-host-header",
        "proxy_only": True,
        "cmd": CURL + " -H 'Host;' http://d/v1.41/_ping",
        "expect": {"exit": 0, "stdout_regex": [r"^HTTP/1\.1 200 ", r"^OK$"]},
        "audit": [{"endpoint": "SystemPing", "verdict": "allow", "status": 200}],
    },
    {
        "name": "empty-header-value",
        "proxy_only": True,
        "cmd": CURL + " -H 'X-Empty;' http://d/v1.41/_ping",
        "expect": {"exit": 0, "stdout_regex": [r"^HTTP/1\.1 200 ", r"^OK$"]},
        "audit": [{"endpoint": "SystemPing", "verdict": "allow", "status": 200}],
    },
]

# Create bodies no client library sends, through "restricted-ci": each one is a way that Go's
# encoding/json (or the 20.10 daemon's legacy decoder) reads a privileged or host-namespace
# container where a naive parser reads a harmless one. sockwarden must refuse every one
# (400 when the body is ambiguous, 403 when it reads the forbidden field), and the daemon
# must never see the request: it is asked directly afterwards.
# Format: see case_exec.py.

CURL = "curl -sS -i --max-time 20 --unix-socket $SW_SOCK"
DAEMON = "curl -sS --max-time 20 --unix-socket $DAEMON_SOCK"
CONTAINERS = (DAEMON + " 'http://d/containers/json?all=1' | /usr/bin/python3 -c"
              " 'import json, sys; print(sorted(c[\"Id\"] for c in json.load(sys.stdin)))'")
REFUSED = r"^HTTP/1\.1 (400|403) "


def trick(name, body, why=None):
    """POST body (text, written as UTF-8) to /containers/create?name=$NAME."""
    case = {
        "name": "body-trick-" + name,
        "policy": "restricted-ci",
        "proxy_only": True,
        "files": {"body.json": body},
        "setup": [CONTAINERS + " > containers.before"],
        "cmd": CURL + " -H 'Content-Type: application/json' --data-binary @body.json"
                      " 'http://d/v1.41/containers/create?name=$NAME'",
        "expect": {"exit": 0, "stdout_regex": [REFUSED, r'"message":"sockwarden: ']},
        "audit": [{"endpoint": "ContainerCreate", "verdict": "deny",
                   "policy": "restricted-ci"}],
        "audit_absent": [{"verdict": "allow"}],
        "daemon_not_called": ["/containers/create"],
        "verify": [
            {"cmd": CONTAINERS + " > containers.after && cmp containers.before"
                    " containers.after && echo unchanged", "exit": 0,
             "stdout": ["unchanged\n"]},
            {"cmd": DAEMON + " -o /dev/null -w '%{http_code}\\n' http://d/containers/$NAME/json",
             "exit": 0, "stdout": ["404\n"]},
        ],
        "cleanup": ["$DOCKER rm -f $NAME"],
    }
    if why:
        case["expect"]["stdout"] = [why]
    return case


IMAGE = '"Image":"busybox:sw"'

CASES = [
    # Go matches keys case-insensitively: the daemon reads these as HostConfig.Privileged.
    trick("lowercase-hostconfig", '{%s,"hostconfig":{"Privileged":true}}' % IMAGE),
    trick("lowercase-privileged", '{%s,"HostConfig":{"privileged":true}}' % IMAGE),
    trick("uppercase-privileged", '{%s,"HostConfig":{"PRIVILEGED":true}}' % IMAGE),
    # \u escapes are decoded before the key is matched.
    trick("escaped-key", '{%s,"HostConfig":{"Privil\\u0065ged":true}}' % IMAGE,
          why="rule privileged"),
    trick("escaped-value", '{%s,"HostConfig":{"NetworkMode":"ho\\u0073t"}}' % IMAGE,
          why="rule namespaces"),
    # The last duplicate wins in Go; a first-wins parser would read false.
    trick("duplicate-privileged",
          '{%s,"HostConfig":{"Privileged":false,"Privileged":true}}' % IMAGE),
    trick("duplicate-case-variant",
          '{%s,"HostConfig":{"Privileged":false,"privileged":true}}' % IMAGE),
    # A repeated object merges: Privileged from the first survives the second.
    trick("duplicate-hostconfig-merges",
          '{%s,"HostConfig":{"Privileged":true},"HostConfig":{"Memory":0}}' % IMAGE),
    # U+017F (long s) folds to "s" in Go's key matching.
    trick("long-s-hostconfig", '{%s,"Ho\u017ftConfig":{"Privileged":true}}' % IMAGE),
    trick("long-s-binds", '{%s,"HostConfig":{"Bind\u017f":["/:/host"]}}' % IMAGE),
    # dockerd <= 26 (this is 20.10) reads HostConfig fields at the top level.
    trick("top-level-privileged", '{%s,"Privileged":true}' % IMAGE, why="rule privileged"),
    trick("top-level-binds", '{%s,"Binds":["/etc:/x"]}' % IMAGE, why="rule bind_mounts"),
    trick("hostconfig-null-top-level-network",
          '{%s,"HostConfig":null,"NetworkMode":"host"}' % IMAGE, why="rule namespaces"),
    # Data after the JSON value: one parser may stop early, another read on.
    trick("trailing-object",
          '{%s,"HostConfig":{"Privileged":false}} {"HostConfig":{"Privileged":true}}' % IMAGE),
    trick("trailing-brace", '{%s,"HostConfig":{"Privileged":true}}}' % IMAGE),
    trick("trailing-garbage", '{%s}x' % IMAGE),
    # Lower-case Mounts keys and the bind type: the daemon reads them all.
    trick("lowercase-mounts",
          '{%s,"HostConfig":{"mounts":[{"type":"bind","source":"/","target":"/h"}]}}' % IMAGE),
    trick("bind-dotdot-in-mounts",
          '{%s,"HostConfig":{"Mounts":[{"Type":"bind","Source":"/tmp/../etc","Target":"/h"}]}}'
          % IMAGE, why="rule bind_mounts"),
    trick("cap-unicode-spelling", '{%s,"HostConfig":{"CapAdd":["\u017fys_admin"]}}' % IMAGE),
]

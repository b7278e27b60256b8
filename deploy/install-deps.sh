#!/bin/sh
# Install what sockwarden needs from the distribution (Debian 12 / Ubuntu 22.04+).
#   deploy/install-deps.sh          build and run
#   deploy/install-deps.sh --test   also everything the tests use (a Docker engine,
#                                   the docker CLI, compose, the Python SDK, clang)
set -eu
build="build-essential cmake pkg-config libevent-dev libssl-dev libcjson-dev libyaml-dev"
# llhttp: a system libllhttp where the distribution has one, else its C sources.
if apt-cache show libllhttp-dev >/dev/null 2>&1; then
	build="$build libllhttp-dev"
else
	build="$build node-llhttp"
fi
test="libcmocka-dev docker.io busybox-static python3 python3-docker docker-compose curl \
openssl sslscan clang libclang-rt-14-dev util-linux"
pkgs=$build
[ "${1:-}" = "--test" ] && pkgs="$build $test"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
echo "installed: $pkgs"

#!/bin/sh
# Installs what pm's tests need: Debian packages (dbus-daemon, systemd's
# systemctl and systemd-analyze, util-linux's unshare) when they are missing
# and we are root, and Go tools (staticcheck) into ./bin.
set -eu
cd "$(dirname "$0")/.."

need=""
command -v dbus-daemon >/dev/null 2>&1 || need="$need dbus"
command -v systemctl >/dev/null 2>&1 || need="$need systemd"
command -v unshare >/dev/null 2>&1 || need="$need util-linux"
command -v busctl >/dev/null 2>&1 || need="$need systemd"
# make proto and check-proto: protoc and the well-known types.
command -v protoc >/dev/null 2>&1 || need="$need protobuf-compiler"
[ -f /usr/include/google/protobuf/timestamp.proto ] || need="$need libprotobuf-dev"
# The example configuration runs python3 -m http.server.
[ -x /usr/bin/python3 ] || need="$need python3"
if [ -n "$need" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "install-deps: installing$need" >&2
		DEBIAN_FRONTEND=noninteractive apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
	else
		echo "install-deps: missing$need (not root or no apt-get); tests that need them will skip" >&2
	fi
fi

mkdir -p bin
if [ ! -x bin/staticcheck ]; then
	echo "install-deps: installing staticcheck into ./bin" >&2
	GOBIN="$PWD/bin" go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi
# Pinned so that the checked-in generated code matches what make proto writes.
if [ ! -x bin/protoc-gen-go ]; then
	echo "install-deps: installing protoc-gen-go into ./bin" >&2
	GOBIN="$PWD/bin" go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
fi
if [ ! -x bin/protoc-gen-go-grpc ]; then
	echo "install-deps: installing protoc-gen-go-grpc into ./bin" >&2
	GOBIN="$PWD/bin" go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2
fi

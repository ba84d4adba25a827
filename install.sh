#!/bin/sh
# Installs a released flagscan binary: picks the archive of this OS and
# architecture, checks its SHA-256 and puts flagscan in a directory.
#
#   curl -fsSL https://raw.githubusercontent.com/flagscan/flagscan/main/install.sh | sh
#   sh install.sh [-b DIR] [-v VERSION] [-s]
#
#   -b DIR      where to put flagscan (default: $FLAGSCAN_INSTALL_DIR, else
#               ~/.local/bin, or /usr/local/bin as root)
#   -v VERSION  the release, e.g. v1.2.0 (default: the latest)
#   -s          when there is no release to install (none published yet, no
#               archive for this platform, no network), build flagscan from
#               source instead: this checkout when the script runs from
#               one, else `go install` of the module (needs Go and gcc)
#
# Environment:
#   FLAGSCAN_RELEASE_URL  base URL of the releases; an archive is at
#                         $FLAGSCAN_RELEASE_URL/<version>/<archive> (default:
#                         https://github.com/flagscan/flagscan/releases/download)
#   FLAGSCAN_CHECKSUMS    a checksums.txt to trust instead of the release's
#                         (the GitHub Action passes the one pinned in its files)
#
# Exit status: 0 installed; 1 failed (a checksum that does not match among
# them); 2 bad arguments or an unsupported platform; 3 the release has no
# archive for this platform (HTTP 404); 4 the archive could not be
# downloaded. The Action answers 3 and 4 by building from source, and 1 by
# failing.
set -eu

base=${FLAGSCAN_RELEASE_URL:-https://github.com/flagscan/flagscan/releases/download}
latest=${FLAGSCAN_LATEST_URL:-https://github.com/flagscan/flagscan/releases/latest}
dir=${FLAGSCAN_INSTALL_DIR:-}
version=
source=no

say() { echo "install.sh: $*" >&2; }
die() {
	code=$1 && shift
	say "$*"
	exit "$code"
}

# no_release CODE MESSAGE: there is no release to install; with -s,
# build from source, else exit with CODE.
no_release() {
	code=$1 && shift
	[ "$source" = yes ] || die "$code" "$*"
	say "$*"
	command -v go >/dev/null 2>&1 || die "$code" "building from source needs Go (1.26+) and gcc"
	mkdir -p "$dir"
	src=$(cd "$(dirname "$0")" 2>/dev/null && pwd || echo .)
	if [ -f "$src/go.mod" ] && grep -q '^module github.com/flagscan/flagscan$' "$src/go.mod"; then
		say "building the checkout in $src (about 90 s the first time: cgo compiles SQLite)"
		(cd "$src" && go build -trimpath -o "$dir/flagscan" ./cmd/flagscan) || die 1 "go build failed"
	else
		say "go install github.com/flagscan/flagscan/cmd/flagscan@latest (about 90 s: cgo compiles SQLite)"
		GOBIN="$dir" go install github.com/flagscan/flagscan/cmd/flagscan@latest || die 1 "go install failed"
	fi
	say "installed $("$dir/flagscan" version 2>/dev/null || echo flagscan) in $dir, built from source"
	exit 0
}

while getopts b:v:sh opt; do
	case "$opt" in
	b) dir=$OPTARG ;;
	v) version=$OPTARG ;;
	s) source=yes ;;
	*) sed -n '2,28s/^# \{0,1\}//p' "$0" >&2 && exit 2 ;;
	esac
done
if [ -z "$dir" ]; then
	if [ "$(id -u)" = 0 ]; then dir=/usr/local/bin; else dir="$HOME/.local/bin"; fi
fi

case "$(uname -s)" in
Linux) os=linux ;;
Darwin) os=darwin ;;
*) no_release 2 "no release for $(uname -s)" ;;
esac
case "$(uname -m)" in
x86_64 | amd64) arch=amd64 ;;
aarch64 | arm64) arch=arm64 ;;
*) no_release 2 "no release for $(uname -m)" ;;
esac
# Tests and the Action say which platform to fetch.
os=${FLAGSCAN_OS:-$os}
arch=${FLAGSCAN_ARCH:-$arch}

# fetch URL FILE: 0, or 3 for a 404, or 1 for any other failure.
fetch() {
	if command -v curl >/dev/null 2>&1; then
		status=$(curl -sSL --connect-timeout 15 --retry 3 -o "$2" -w '%{http_code}' "$1") || status=${status:-000}
	elif command -v wget >/dev/null 2>&1; then
		if wget -q -O "$2" "$1"; then status=200; else status=$(wget -S -O /dev/null "$1" 2>&1 | awk '/^  HTTP/ { s = $2 } END { print s + 0 }'); fi
	else
		die 1 "neither curl nor wget is installed"
	fi
	case "$status" in
	200) return 0 ;;
	404) return 3 ;;
	esac
	say "GET $1: HTTP $status"
	return 1
}

if [ -z "$version" ]; then
	# The latest release's page redirects to its tag.
	command -v curl >/dev/null 2>&1 || no_release 1 "finding the latest release needs curl; give -v VERSION"
	version=$(curl -fsSLI --connect-timeout 15 -o /dev/null -w '%{url_effective}' "$latest") || no_release 1 "cannot find the latest release at $latest"
	version=${version##*/}
fi
case "$version" in
v*) ;;
*) version=v$version ;;
esac
asset="flagscan_${version#v}_${os}_${arch}.tar.gz"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

sums=${FLAGSCAN_CHECKSUMS:-}
if [ -z "$sums" ]; then
	sums="$tmp/checksums.txt"
	fetch "$base/$version/checksums.txt" "$sums" || no_release 1 "cannot download the checksums of $version from $base/$version/checksums.txt"
fi
want=$(awk -v f="$asset" '$2 == f || $2 == "*" f { print $1 }' "$sums")
[ -n "$want" ] || no_release 3 "$version has no $asset (no checksum for it in $sums)"

code=0
fetch "$base/$version/$asset" "$tmp/$asset" || code=$?
[ "$code" = 3 ] && no_release 3 "$version has no $asset: $base/$version/$asset is not found (HTTP 404)"
[ "$code" = 0 ] || no_release 4 "cannot download $base/$version/$asset"

if command -v sha256sum >/dev/null 2>&1; then
	got=$(sha256sum "$tmp/$asset" | awk '{ print $1 }')
else
	got=$(shasum -a 256 "$tmp/$asset" | awk '{ print $1 }')
fi
[ "$got" = "$want" ] || die 1 "checksum mismatch for $asset: want $want (from $sums), got $got; not installed"

tar -xzf "$tmp/$asset" -C "$tmp" flagscan || die 1 "$asset holds no flagscan"
mkdir -p "$dir"
# Rename into place, so that a running flagscan is never overwritten.
cp "$tmp/flagscan" "$dir/.flagscan.new" && chmod 755 "$dir/.flagscan.new" && mv -f "$dir/.flagscan.new" "$dir/flagscan"
# A binary of another platform (FLAGSCAN_ARCH) cannot say its version.
installed=$("$dir/flagscan" version 2>/dev/null) || installed="flagscan $version ($os/$arch)"
say "installed $installed in $dir"
case ":$PATH:" in
*":$dir:"*) ;;
*) say "$dir is not in PATH: add it, or run $dir/flagscan" ;;
esac

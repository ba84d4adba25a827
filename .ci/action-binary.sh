#!/bin/sh
# The GitHub Action's first step (action.yml): gets the flagscan binary to
# $BIN. In a release commit, the one a release tag points at, it downloads
# the release's archive for the runner and checks it against the checksum
# pinned in the action's own files (.github/release/checksums.txt, written
# by the release workflow), never against one fetched beside the archive:
# whoever could replace the archive could replace that too. Anywhere else
# (a branch, a commit SHA), or when the release has no archive for this
# runner, it leaves the binary to the build steps, which cache it.
#
# Outputs ($GITHUB_OUTPUT): source (release or build) and key, the cache
# key of a built binary: the runner's OS and architecture and a hash of the
# action's Go sources, which is what the commit's build depends on (the
# action's directory is a tarball of the commit, with no .git to ask).
#
# Environment: BIN, GITHUB_ACTION_PATH, GITHUB_OUTPUT, RUNNER_OS,
# RUNNER_ARCH (as GitHub sets them); FLAGSCAN_RELEASE_URL (install.sh's),
# by default the releases of the action's own repository on its own server
# (SERVER_URL, ACTION_REPOSITORY: github.server_url, github.action_repository),
# so that a fork or a GitHub Enterprise Server mirror gets its own.
set -eu

if [ -z "${FLAGSCAN_RELEASE_URL:-}" ] && [ -n "${ACTION_REPOSITORY:-}" ]; then
	FLAGSCAN_RELEASE_URL="${SERVER_URL:-https://github.com}/$ACTION_REPOSITORY/releases/download"
	export FLAGSCAN_RELEASE_URL
fi

action=${GITHUB_ACTION_PATH:?}
: "${BIN:?}" "${GITHUB_OUTPUT:?}"
pinned="$action/.github/release/checksums.txt"

case "${RUNNER_OS:-Linux}" in
Linux) os=linux ;;
macOS) os=darwin ;;
*) os= ;;
esac
case "${RUNNER_ARCH:-X64}" in
X64) arch=amd64 ;;
ARM64) arch=arm64 ;;
*) arch= ;;
esac

build() {
	echo "flagscan: $1; building from source (cached for later runs of this commit)"
	# The Go sources and the build's inputs, in a fixed order.
	key=$(cd "$action" && find go.mod go.sum cmd analyzer emitter scanner -type f \( -name '*.go' -o -name '*.c' -o -name '*.h' -o -name go.mod -o -name go.sum \) | LC_ALL=C sort | xargs cat | { sha256sum 2>/dev/null || shasum -a 256; } | cut -c1-32)
	{
		echo "source=build"
		echo "key=flagscan-bin-${RUNNER_OS:-Linux}-${RUNNER_ARCH:-X64}-$key"
	} >>"$GITHUB_OUTPUT"
	exit 0
}

[ -f "$pinned" ] || build "not a release commit (no pinned checksums)"
{ [ -n "$os" ] && [ -n "$arch" ]; } || build "no release binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}"
# The archives are named flagscan_<version>_<os>_<arch>.tar.gz.
version=$(awk -v s="_${os}_${arch}.tar.gz" 'substr($2, length($2) - length(s) + 1) == s { sub(/^flagscan_/, "", $2); print substr($2, 1, length($2) - length(s)); exit }' "$pinned")
[ -n "$version" ] || build "the pinned checksums name no archive for $os/$arch"

code=0
FLAGSCAN_CHECKSUMS=$pinned FLAGSCAN_OS=$os FLAGSCAN_ARCH=$arch \
	sh "$action/install.sh" -v "v$version" -b "$(dirname "$BIN")" || code=$?
case "$code" in
0) ;;
3) build "release v$version has no binary for $os/$arch at ${FLAGSCAN_RELEASE_URL:-the release host}" ;;
4) build "the binary of release v$version could not be downloaded" ;;
*)
	echo "::error title=flagscan::the release binary of v$version could not be installed (see above): the run stops rather than use an unchecked binary"
	exit 1
	;;
esac
if [ "$(dirname "$BIN")/flagscan" != "$BIN" ]; then
	mv "$(dirname "$BIN")/flagscan" "$BIN"
fi
echo "source=release" >>"$GITHUB_OUTPUT"
echo "key=" >>"$GITHUB_OUTPUT"

// Package release holds no code: its tests check what a release ships,
// by running the real scripts. The release build (.ci/release) must give
// static Linux binaries (an aarch64 one among them, run under qemu-user
// when it is installed), archives holding the binary, LICENSE and
// README.md, and a checksums.txt that matches them; install.sh and the
// GitHub Action's binary step (.ci/action-binary.sh) must install such an
// archive from a release host (here a local HTTP server), refuse one
// whose checksum does not match, and, for the Action, fall back to
// building from source when the release has no archive for the runner.
//
// The release build compiles flagscan twice (SQLite and the grammars, for
// amd64 and for arm64): minutes on two cores the first time. The tests
// are skipped with -short; .ci/run runs them, after `.ci/release deps`
// has installed the cross toolchain and qemu-user.
package release

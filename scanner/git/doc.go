// Package git owns every read of a git repository and the few git command
// lines that go-git cannot stand in for. It is the first arrow of the
// house, git -> scanner -> analyzer -> emitter: nothing else imports go-git.
//
// It finds repositories on disk (Discover, WorkTreeOf), opens them with the
// object stores git itself would search (alternates, and a pre-receive
// hook's quarantine: OpenQuarantined), resolves revisions as git does,
// reads commits, refs, trees, blobs and the index, walks first-parent
// histories, lists the files that differ between two trees (Differ), and
// runs `git fetch` and friends for shallow clones (CLI).
//
// It knows nothing of flags, rules or stores: the scanner's sources
// (scanner/source) turn its trees and blobs into files to scan, and the
// analyzer turns its histories into events.
//
// A Repo is not safe for concurrent use, not even for reads (go-git's
// object store is not): BlobPool hands each goroutine a handle of its own.
package git

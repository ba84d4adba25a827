//go:build unix

package release

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// testVersion is the version the tests give the release build.
const testVersion = "v0.1.0-test"

// built is the release build the tests share: it takes minutes, so it is
// made once, on first use.
var built struct {
	once sync.Once
	b    *build
	err  error
}

// build is the output of one run of .ci/release.
type build struct {
	dir     string   // the output directory
	targets []string // os/arch
	commit  string   // what HEAD was
	log     string
}

// repoRoot is the repository's top directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// releaseBuild returns the shared release build, running it the first
// time. Linux only: macOS builds run on macOS runners.
func releaseBuild(t *testing.T) *build {
	t.Helper()
	if testing.Short() {
		t.Skip("the release build compiles flagscan for two targets (minutes); run without -short")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the local release build is for Linux hosts; macOS builds run in the release workflow")
	}
	root := repoRoot(t)
	deadline, ok := t.Deadline()
	if !ok {
		deadline = time.Now().Add(time.Hour)
	}
	built.once.Do(func() { built.b, built.err = runRelease(root, deadline) })
	if errors.Is(built.err, context.DeadlineExceeded) {
		// A cold build cache on a slow machine: the compile needs longer
		// than go test's default 10 minutes. .ci/run builds once before
		// the tests so that this one only links.
		t.Skipf("the release build did not finish before the test's deadline: run `.ci/release build` first (it fills the build cache) or go test -timeout 30m\n%v", built.err)
	}
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.b
}

// runRelease runs .ci/release in root, stopping it a minute before
// deadline so that the tests can still say why.
func runRelease(root string, deadline time.Time) (*build, error) {
	ctx, cancel := context.WithDeadline(context.Background(), deadline.Add(-time.Minute))
	defer cancel()
	dir, err := os.MkdirTemp("", "flagscan-release-")
	if err != nil {
		return nil, err
	}
	// deps installs the cross toolchain where it can (as root, with
	// apt-get); without one, arm64 is left out and its tests skip.
	deps := exec.Command("sh", ".ci/release", "deps")
	deps.Dir = root
	depsOut, _ := deps.CombinedOutput()
	targets := []string{"linux/amd64"}
	if _, err := exec.LookPath("aarch64-linux-gnu-gcc"); err == nil {
		targets = append(targets, "linux/arm64")
	}
	cmd := exec.CommandContext(ctx, "sh", ".ci/release", "--version", testVersion, "--out", dir, "--targets", strings.Join(targets, " "))
	cmd.Dir = root
	// Stop the compilers too, not only the shell.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return nil, fmt.Errorf(".ci/release: %w\n%s", ctx.Err(), out)
	}
	if err != nil {
		return nil, fmt.Errorf(".ci/release: %v\n%s%s", err, depsOut, out)
	}
	head, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		return nil, fmt.Errorf("git rev-parse HEAD: %w", err)
	}
	return &build{dir: dir, targets: targets, commit: strings.TrimSpace(string(head)), log: string(depsOut) + string(out)}, nil
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.b != nil {
		os.RemoveAll(built.b.dir)
	}
	os.Exit(code)
}

// archiveName is the archive of target os/arch.
func archiveName(target string) string {
	return "flagscan_" + strings.TrimPrefix(testVersion, "v") + "_" + strings.ReplaceAll(target, "/", "_") + ".tar.gz"
}

// readArchive returns the files of a .tar.gz by name.
func readArchive(t *testing.T, path string) map[string][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	files := map[string][]byte{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[strings.TrimPrefix(h.Name, "./")] = data
	}
	return files
}

// TestReleaseArchives checks each Linux archive: the binary, LICENSE and
// README.md and nothing else; the binary a static ELF of its machine (no
// interpreter, no shared library) that prints the release's version and
// commit, run directly or, for arm64, under qemu-user.
func TestReleaseArchives(t *testing.T) {
	b := releaseBuild(t)
	root := repoRoot(t)
	machines := map[string]elf.Machine{"linux/amd64": elf.EM_X86_64, "linux/arm64": elf.EM_AARCH64}
	for _, target := range []string{"linux/amd64", "linux/arm64"} {
		t.Run(strings.ReplaceAll(target, "/", "_"), func(t *testing.T) {
			if !slices.Contains(b.targets, target) {
				t.Skipf("no cross toolchain for %s: install gcc-aarch64-linux-gnu libc6-dev-arm64-cross (.ci/release deps does, as root)\n%s", target, b.log)
			}
			files := readArchive(t, filepath.Join(b.dir, archiveName(target)))
			var names []string
			for name := range files {
				names = append(names, name)
			}
			slices.Sort(names)
			if want := []string{"LICENSE", "README.md", "flagscan"}; !slices.Equal(names, want) {
				t.Fatalf("archive holds %q, want %q", names, want)
			}
			for _, doc := range []string{"LICENSE", "README.md"} {
				want, err := os.ReadFile(filepath.Join(root, doc))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(files[doc], want) {
					t.Errorf("%s differs from the repository's", doc)
				}
			}
			bin := filepath.Join(t.TempDir(), "flagscan")
			if err := os.WriteFile(bin, files["flagscan"], 0o755); err != nil {
				t.Fatal(err)
			}
			checkStatic(t, bin, machines[target])

			var run *exec.Cmd
			switch {
			case target == "linux/"+runtime.GOARCH:
				run = exec.Command(bin, "version")
			case target == "linux/arm64":
				qemu, err := exec.LookPath("qemu-aarch64")
				if err != nil {
					t.Skip("qemu-aarch64 is not installed (Debian: qemu-user): the arm64 binary is checked but not run")
				}
				run = exec.Command(qemu, bin, "version")
			default:
				t.Skipf("cannot run a %s binary here", target)
			}
			out, err := run.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", run, err, out)
			}
			want := fmt.Sprintf("flagscan %s (commit %s, built ", testVersion, b.commit)
			if !strings.HasPrefix(string(out), want) {
				t.Errorf("flagscan version printed %q, want it to start with %q", out, want)
			}
		})
	}
}

// checkStatic checks that bin is an executable ELF for machine with no
// program interpreter and no shared library, and that file(1), when
// installed, agrees.
func checkStatic(t *testing.T, bin string, machine elf.Machine) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("not an ELF: %v", err)
	}
	defer f.Close()
	if f.Machine != machine {
		t.Errorf("ELF machine %v, want %v", f.Machine, machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary has a program interpreter: it is dynamically linked")
		}
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %q (%v)", libs, err)
	}
	if _, err := exec.LookPath("file"); err == nil {
		out, err := exec.Command("file", "-b", bin).Output()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), "statically linked") {
			t.Errorf("file says %q", out)
		}
	}
}

// TestReleaseChecksums checks that checksums.txt lists every archive once
// with its SHA-256, and nothing else.
func TestReleaseChecksums(t *testing.T) {
	b := releaseBuild(t)
	data, err := os.ReadFile(filepath.Join(b.dir, "checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 {
			t.Fatalf("checksums.txt line %q: want <sha256>  <name>", line)
		}
		if _, dup := listed[name]; dup {
			t.Errorf("%s is listed twice", name)
		}
		listed[name] = sum
	}
	archives, _ := filepath.Glob(filepath.Join(b.dir, "*.tar.gz"))
	if len(archives) != len(b.targets) || len(listed) != len(archives) {
		t.Errorf("%d archives for %d targets, %d checksums", len(archives), len(b.targets), len(listed))
	}
	for _, p := range archives {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if got, want := hex.EncodeToString(sum[:]), listed[filepath.Base(p)]; got != want {
			t.Errorf("%s: SHA-256 %s, checksums.txt says %q", filepath.Base(p), got, want)
		}
	}
}

// TestReleaseNotesAndFormula checks the release notes (the commits) and
// the Homebrew formula (the version and the built archives' checksums).
func TestReleaseNotesAndFormula(t *testing.T) {
	b := releaseBuild(t)
	notes, err := os.ReadFile(filepath.Join(b.dir, "release-notes.md"))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := exec.Command("git", "-C", repoRoot(t), "log", "-1", "--no-merges", "--format=%s", b.commit).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(notes), "# flagscan "+testVersion+"\n") || !strings.Contains(string(notes), "- "+strings.TrimSpace(string(subject))) {
		t.Errorf("release notes do not name the version and the last commit:\n%s", notes)
	}
	formula, err := os.ReadFile(filepath.Join(b.dir, "flagscan.rb"))
	if err != nil {
		t.Fatal(err)
	}
	sums, err := os.ReadFile(filepath.Join(b.dir, "checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(formula), `version "`+strings.TrimPrefix(testVersion, "v")+`"`) {
		t.Errorf("formula has not the version:\n%s", formula)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		sum, name, _ := strings.Cut(line, "  ")
		if !strings.Contains(string(formula), name) || !strings.Contains(string(formula), `sha256 "`+sum+`"`) {
			t.Errorf("formula lacks %s with its checksum", name)
		}
	}
}

//go:build unix

package source

import (
	"fmt"
	"io/fs"
	"syscall"
)

// readFile reads a working-tree file unless it is larger than maxSize
// (0: no limit), in which case it returns ErrOversize without reading.
//
// It talks to the kernel directly: os.Open would also try to register the
// file with the network poller (a failing epoll_ctl) and set its flags, four
// more system calls per file, which on a tree of 20,000 small files cost
// more than reading them.
func readFile(abs, path string, maxSize int64) ([]byte, error) {
	fd, err := openRead(abs)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: abs, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := fstat(fd, &st); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: abs, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		// Swapped for a FIFO, a device or a directory since the walk.
		return nil, fmt.Errorf("read %s: %w", path, ErrNotRegular)
	}
	if maxSize > 0 && st.Size > maxSize {
		return nil, fmt.Errorf("read %s (%d bytes): %w", path, st.Size, ErrOversize)
	}
	// Room for the whole file and one byte more, so that one read gets it
	// and the next sees the end, without growing the buffer.
	data := make([]byte, 0, st.Size+1)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // the file grew: make room
		}
		n, err := read(fd, data[len(data):cap(data)])
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: abs, Err: err}
		}
		if n == 0 {
			break
		}
		data = data[:len(data)+n]
		if maxSize > 0 && int64(len(data)) > maxSize {
			return nil, fmt.Errorf("read %s (%d bytes): %w", path, len(data), ErrOversize)
		}
		if int64(len(data)) == st.Size {
			// All the file had when it was opened: asking the kernel
			// again only to hear "end of file" is a system call per file.
			break
		}
	}
	return data, nil
}

// openRead opens a file for reading, retrying when a signal interrupts.
//
// The walk saw a regular file, but the tree may have changed since: a file
// swapped for a symbolic link is not followed (it could lead out of the
// tree), and one swapped for a FIFO is not waited on (opening a FIFO for
// reading blocks until a writer comes, and no signal ends the wait).
// readFile then checks that what it opened is a regular file.
func openRead(path string) (int, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
		if err == syscall.ELOOP {
			return -1, fmt.Errorf("a symbolic link: %w", ErrNotRegular)
		}
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

func fstat(fd int, st *syscall.Stat_t) error {
	for {
		if err := syscall.Fstat(fd, st); err != syscall.EINTR {
			return err
		}
	}
}

func read(fd int, p []byte) (int, error) {
	for {
		n, err := syscall.Read(fd, p)
		if err != syscall.EINTR {
			return n, err
		}
	}
}

//go:build !unix

package source

import (
	"bytes"
	"fmt"
	"os"
)

// readFile reads a working-tree file unless it is larger than maxSize
// (0: no limit), in which case it returns ErrOversize without reading.
func readFile(abs, path string, maxSize int64) ([]byte, error) {
	file, err := os.Open(abs)
	if err != nil {
		return nil, err // a *PathError already names the file
	}
	defer file.Close()
	fi, err := file.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s: %w", path, ErrNotRegular)
	}
	if maxSize > 0 && fi.Size() > maxSize {
		return nil, fmt.Errorf("read %s (%d bytes): %w", path, fi.Size(), ErrOversize)
	}
	var buf bytes.Buffer
	buf.Grow(int(fi.Size()) + bytes.MinRead)
	if _, err := buf.ReadFrom(file); err != nil {
		return nil, err
	}
	if maxSize > 0 && int64(buf.Len()) > maxSize {
		return nil, fmt.Errorf("read %s (%d bytes): %w", path, buf.Len(), ErrOversize)
	}
	return buf.Bytes(), nil
}

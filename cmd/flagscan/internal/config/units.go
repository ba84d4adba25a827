package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Size is a number of bytes.
type Size int64

// sizeUnit returns the number of bytes in unit, compared case-insensitively;
// the empty unit is bytes.
func sizeUnit(unit string) (Size, bool) {
	switch strings.ToLower(unit) {
	case "", "b":
		return 1, true
	case "kb":
		return 1000, true
	case "kib":
		return 1 << 10, true
	case "mb":
		return 1000 * 1000, true
	case "mib":
		return 1 << 20, true
	case "gb":
		return 1000 * 1000 * 1000, true
	case "gib":
		return 1 << 30, true
	}
	return 0, false
}

// ParseSize parses a size: a number of bytes, optionally followed by one of
// the units B, KB (1000), KiB (1024), MB, MiB, GB or GiB, in any case, e.g.
// "1MiB", "512kib", "1000000".
func ParseSize(s string) (Size, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	mult, ok := sizeUnit(strings.TrimSpace(t[i:]))
	if i == 0 || !ok {
		return 0, fmt.Errorf("%q is not a size (examples: 1MiB, 512KiB, 1000000)", s)
	}
	n, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil || n > math.MaxInt64/int64(mult) {
		return 0, fmt.Errorf("%q is too large a size", s)
	}
	return Size(n) * mult, nil
}

// String formats s in the largest binary unit that divides it, e.g. "1MiB",
// or in bytes.
func (s Size) String() string {
	for _, u := range []struct {
		name string
		size Size
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if s != 0 && s%u.size == 0 {
			return strconv.FormatInt(int64(s/u.size), 10) + u.name
		}
	}
	return strconv.FormatInt(int64(s), 10)
}

// MarshalText formats s as String does.
func (s Size) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ParseDuration parses a non-negative duration in Go syntax (time.ParseDuration:
// "10s", "5m", "1h30m") or with a leading number of days, e.g. "1d" or "1d12h".
func ParseDuration(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	var days time.Duration
	if i := strings.IndexByte(t, 'd'); i >= 0 {
		n, err := strconv.ParseUint(t[:i], 10, 16)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration (examples: 10s, 5m, 2h, 1d)", s)
		}
		days, t = time.Duration(n)*24*time.Hour, t[i+1:]
		if t == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(t)
	switch {
	case err != nil && t != "" && strings.Trim(t, "0123456789") == "":
		return 0, fmt.Errorf("%q is not a duration: add a unit, e.g. %ss", s, t)
	case err != nil:
		return 0, fmt.Errorf("%q is not a duration (examples: 10s, 5m, 2h, 1d)", s)
	case d < 0:
		return 0, fmt.Errorf("%q is negative", s)
	case d > math.MaxInt64-days:
		return 0, fmt.Errorf("%q is too long", s)
	}
	return days + d, nil
}

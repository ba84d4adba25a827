package dialguard

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	p, err := NewPolicy([]string{"hooks.internal", "10.1.0.0/16", "192.168.1.7", "169.254.0.0/16", "fd00:ec2::254", "localhost."})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		host, ip string
		ok       bool
	}{
		{"example.com", "93.184.216.34", true},
		{"example.com", "2606:2800:220:1::1", true},
		// Never, even allow-listed by prefix or by name.
		{"metadata", "169.254.169.254", false},
		{"hooks.internal", "169.254.169.254", false},
		{"metadata", "fd00:ec2::254", false},
		{"hooks.internal", "fd00:ec2::254", false},
		{"x", "::ffff:169.254.169.254", false},
		{"x", "64:ff9b::a9fe:a9fe", false},
		{"x", "fe80::1", false},
		{"x", "0.0.0.0", false},
		{"x", "::", false},
		{"x", "224.0.0.1", false},
		{"x", "255.255.255.255", false},
		// Loopback and private: only when allowed.
		{"example.com", "127.0.0.1", false},
		{"example.com", "::1", false},
		{"example.com", "10.0.0.1", false},
		{"example.com", "172.16.3.4", false},
		{"example.com", "192.168.1.8", false},
		{"example.com", "100.64.0.1", false},
		{"example.com", "fd12::1", false},
		{"example.com", "::ffff:10.0.0.1", false},
		{"HOOKS.internal", "10.9.9.9", true},
		{"hooks.internal.", "127.0.0.1", true},
		{"localhost", "::1", true},
		{"example.com", "10.1.200.3", true},
		{"example.com", "::ffff:10.1.200.3", true},
		{"example.com", "192.168.1.7", true},
	} {
		err := p.Check(tc.host, netip.MustParseAddr(tc.ip))
		if (err == nil) != tc.ok {
			t.Errorf("Check(%s, %s) = %v, want allowed=%v", tc.host, tc.ip, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrBlocked) {
			t.Errorf("Check(%s, %s): %v does not wrap ErrBlocked", tc.host, tc.ip, err)
		}
	}
	var none *Policy
	if err := none.Check("x", netip.MustParseAddr("127.0.0.1")); err == nil {
		t.Error("a nil policy allowed loopback")
	}
	if _, err := NewPolicy([]string{"10.0.0.0/33"}); err == nil {
		t.Error("a bad prefix was accepted")
	}
}

// TestControl checks the dial-time hook, without dialling anything but
// loopback.
func TestControl(t *testing.T) {
	p, _ := NewPolicy(nil)
	for _, addr := range []string{"169.254.169.254:80", "[fd00:ec2::254]:80", "10.0.0.1:443"} {
		if err := p.control("example.com")("tcp", addr, nil); !errors.Is(err, ErrBlocked) {
			t.Errorf("control(%s) = %v", addr, err)
		}
	}
	if err := p.control("example.com")("tcp", "93.184.216.34:443", nil); err != nil {
		t.Error(err)
	}
}

// TestDialResolvedAddress dials a real loopback listener by a name that
// resolves to it: refused unless allowed, so DNS cannot smuggle loopback in.
func TestDialResolvedAddress(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	p, _ := NewPolicy([]string{"example.com"})
	_, err = p.DialContext(time.Second)(ctx, "tcp4", "localhost:"+port)
	if !errors.Is(err, ErrBlocked) || !strings.Contains(err.Error(), "localhost resolves to 127.0.0.1") {
		t.Fatalf("dial localhost not allowed: %v", err)
	}
	p, _ = NewPolicy([]string{"localhost"})
	c, err := p.DialContext(time.Second)(ctx, "tcp4", "localhost:"+port)
	if err != nil {
		t.Fatalf("dial localhost allowed: %v", err)
	}
	c.Close()
	// Allowing the name does not allow the address under another name.
	if _, err := p.DialContext(time.Second)(ctx, "tcp4", "127.0.0.1:"+port); !errors.Is(err, ErrBlocked) {
		t.Fatalf("dial 127.0.0.1 with only localhost allowed: %v", err)
	}
}

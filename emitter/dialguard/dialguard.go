// Package dialguard decides which addresses webhook requests may connect to,
// and enforces it at dial time, on the address the name resolved to, so
// that DNS cannot smuggle a forbidden address past a check made on the URL.
//
// The rules:
//
//   - link-local addresses (169.254.0.0/16, fe80::/10), cloud metadata
//     addresses (fd00:ec2::254) and unspecified, multicast and broadcast
//     addresses are never dialled, whatever the allow list says;
//   - loopback (127.0.0.0/8, ::1), private (10.0.0.0/8, 172.16.0.0/12,
//     192.168.0.0/16, fc00::/7) and shared (100.64.0.0/10) addresses are
//     dialled only when the allow list names the URL's host, the address, or
//     a prefix holding it;
//   - every other address is dialled.
//
// IPv4 addresses written as IPv6 (::ffff:a.b.c.d, 64:ff9b::a.b.c.d) are
// judged as the IPv4 address they carry.
package dialguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// ErrBlocked is wrapped by every refusal.
var ErrBlocked = errors.New("address not allowed")

// Policy is an allow list of loopback and private destinations.
type Policy struct {
	hosts    map[string]bool
	prefixes []netip.Prefix
}

// NewPolicy parses an allow list: host names (matched case-insensitively
// against the URL's host), IP addresses and CIDR prefixes.
func NewPolicy(allow []string) (*Policy, error) {
	p := &Policy{hosts: make(map[string]bool)}
	for _, a := range allow {
		a = strings.TrimSpace(a)
		switch {
		case a == "":
			continue
		case strings.Contains(a, "/"):
			pfx, err := netip.ParsePrefix(a)
			if err != nil {
				return nil, fmt.Errorf("allow_hosts: %q is not a CIDR prefix", a)
			}
			p.prefixes = append(p.prefixes, pfx.Masked())
		default:
			if ip, err := netip.ParseAddr(strings.Trim(a, "[]")); err == nil {
				ip = unmap(ip)
				p.prefixes = append(p.prefixes, netip.PrefixFrom(ip, ip.BitLen()))
				continue
			}
			p.hosts[strings.TrimSuffix(strings.ToLower(a), ".")] = true
		}
	}
	return p, nil
}

var (
	metadataV6 = netip.MustParseAddr("fd00:ec2::254")
	nat64      = netip.MustParsePrefix("64:ff9b::/96")
	shared     = netip.MustParsePrefix("100.64.0.0/10")
	thisNet    = netip.MustParsePrefix("0.0.0.0/8")
	broadcast  = netip.MustParseAddr("255.255.255.255")
)

// unmap returns the IPv4 address an IPv4-mapped or NAT64 IPv6 address
// carries, else ip.
func unmap(ip netip.Addr) netip.Addr {
	ip = ip.Unmap()
	if ip.Is6() && nat64.Contains(ip) {
		b := ip.As16()
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	}
	return ip
}

// Check says whether a connection to ip, for a URL whose host is host, is
// allowed; its error says why not.
func (p *Policy) Check(host string, ip netip.Addr) error {
	ip = unmap(ip.WithZone(""))
	switch {
	case !ip.IsValid():
		return fmt.Errorf("%w: invalid address", ErrBlocked)
	case ip.IsLinkLocalUnicast() || ip == metadataV6:
		return fmt.Errorf("%w: %s is a link-local or cloud metadata address, never called", ErrBlocked, ip)
	case ip.IsUnspecified() || ip.IsMulticast() || ip == broadcast || thisNet.Contains(ip):
		return fmt.Errorf("%w: %s is not a unicast address", ErrBlocked, ip)
	}
	var kind string
	switch {
	case ip.IsLoopback():
		kind = "loopback"
	case ip.IsPrivate() || shared.Contains(ip):
		kind = "private"
	default:
		return nil
	}
	if p != nil {
		if p.hosts[strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")] {
			return nil
		}
		for _, pfx := range p.prefixes {
			if pfx.Contains(ip) {
				return nil
			}
		}
	}
	return fmt.Errorf("%w: %s resolves to %s, a %s address: add the host or address to delivery.allow_hosts to call it", ErrBlocked, host, ip, kind)
}

// control returns a net.Dialer Control function that checks each address
// the dialer is about to connect to, before any packet is sent.
func (p *Policy) control(host string) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		h, _, err := net.SplitHostPort(address)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrBlocked, err)
		}
		ip, err := netip.ParseAddr(h)
		if err != nil {
			return fmt.Errorf("%w: %q is not an IP address", ErrBlocked, h)
		}
		return p.Check(host, ip)
	}
}

// DialContext returns a dial function for http.Transport that applies the
// policy to every address it connects to. The URL's host, which the allow
// list may name, is the host part of the address given to the function.
func (p *Policy) DialContext(timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		d := net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: p.control(host)}
		return d.DialContext(ctx, network, addr)
	}
}

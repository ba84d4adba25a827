package store

import (
	"database/sql"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Dialect is the SQL a store's database speaks. The store's queries are
// written once, in the SQL both databases share, with ? placeholders (the
// PostgreSQL connections rewrite them to $n); the few places that differ
// (the migrations' types, claiming rows with FOR UPDATE SKIP LOCKED, the
// lock that serializes migrations) ask the dialect.
type Dialect string

const (
	// SQLite is the embedded store in one file, the default.
	SQLite Dialect = "sqlite"
	// Postgres is a PostgreSQL database that several processes and
	// machines share.
	Postgres Dialect = "postgres"
)

// DialectOf returns the dialect of a database Open or OpenReadOnly
// returned.
func DialectOf(db *sql.DB) Dialect {
	if _, ok := db.Driver().(postgresDriver); ok {
		return Postgres
	}
	return SQLite
}

// IsURL reports whether target names a PostgreSQL database
// (postgres://... or postgresql://...) rather than a SQLite file.
func IsURL(target string) bool {
	return strings.HasPrefix(target, "postgres://") || strings.HasPrefix(target, "postgresql://")
}

// Redact returns target as it may be printed: a URL without its password
// (in its user part or in a password parameter), a path as it is.
func Redact(target string) string {
	if !IsURL(target) {
		return target
	}
	u, err := url.Parse(target)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// InDialect returns migration steps written for SQLite as d takes them.
// For PostgreSQL, BLOB becomes BYTEA, INTEGER becomes BIGINT (PostgreSQL's
// INTEGER has 32 bits, too few for Unix milliseconds), and WITHOUT ROWID,
// a SQLite storage choice, is dropped. Steps that differ in more than
// types (the outbox's sequences) are written for each dialect instead.
func InDialect(d Dialect, steps []string) []string {
	if d != Postgres {
		return steps
	}
	out := make([]string, len(steps))
	for i, s := range steps {
		s = sqliteBlob.ReplaceAllString(s, "BYTEA")
		s = sqliteInteger.ReplaceAllString(s, "BIGINT")
		out[i] = withoutRowid.ReplaceAllString(s, ")")
	}
	return out
}

var (
	sqliteBlob    = regexp.MustCompile(`\bBLOB\b`)
	sqliteInteger = regexp.MustCompile(`\bINTEGER\b`)
	withoutRowid  = regexp.MustCompile(`\)\s*WITHOUT ROWID`)
)

// rebind rewrites the ? placeholders of query to PostgreSQL's $1, $2...,
// leaving those inside string literals, quoted identifiers and comments.
func rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(query) {
				if query[j] == c {
					if j+1 < len(query) && query[j+1] == c { // '' escapes a quote
						j += 2
						continue
					}
					break
				}
				j++
			}
			b.WriteString(query[i:min(j+1, len(query))])
			i = j
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i
			}
			b.WriteString(query[i : i+j])
			i += j - 1
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

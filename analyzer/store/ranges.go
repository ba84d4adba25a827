package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Range is an interval of a branch's first-parent chain whose transitions
// were reported: the commits after Lo ("" for the empty tree, before the
// root commit) up to and including Hi. Runs for a branch can arrive in any
// order (CI jobs finishing late, hooks racing), so the snapshot's commit
// alone cannot say what was reported: the ranges can.
type Range struct {
	Lo, Hi string
}

// Ranges returns the analysed ranges of a branch, in no particular order.
// Read them after the snapshot, in the same attempt: SaveSnapshot's version
// check then also covers them, since both are only written together.
func Ranges(ctx context.Context, q Querier, repo, branch string) ([]Range, error) {
	rows, err := q.QueryContext(ctx, `SELECT lo, hi FROM analysed_ranges WHERE repo = ? AND branch = ?`, repo, branch)
	if err != nil {
		return nil, fmt.Errorf("read analysed ranges of %s %s: %w", repo, branch, err)
	}
	defer rows.Close()
	var out []Range
	for rows.Next() {
		var r Range
		if err := rows.Scan(&r.Lo, &r.Hi); err != nil {
			return nil, fmt.Errorf("read analysed ranges of %s %s: %w", repo, branch, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// AddRanges records ranges of a branch as analysed, inside the transaction
// that saves its snapshot. A range that ends where another starts is joined
// with it, so that pushes arriving in order keep a single row.
func AddRanges(ctx context.Context, tx *sql.Tx, repo, branch string, ranges []Range) error {
	if len(ranges) == 0 {
		return nil
	}
	stored, err := Ranges(ctx, tx, repo, branch)
	if err != nil {
		return err
	}
	all := append(stored, ranges...)
	merged := joinRanges(all)
	if _, err := tx.ExecContext(ctx, `DELETE FROM analysed_ranges WHERE repo = ? AND branch = ?`, repo, branch); err != nil {
		return fmt.Errorf("write analysed ranges: %w", err)
	}
	for _, r := range merged {
		if _, err := tx.ExecContext(ctx, `INSERT INTO analysed_ranges (repo, branch, lo, hi) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, repo, branch, r.Lo, r.Hi); err != nil {
			return fmt.Errorf("write analysed ranges: %w", err)
		}
	}
	return nil
}

// joinRanges joins ranges that meet end to start, and drops duplicates.
func joinRanges(rs []Range) []Range {
	out := make([]Range, 0, len(rs))
	seen := map[Range]bool{}
	for _, r := range rs {
		if r.Lo != r.Hi && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	for joined := true; joined; {
		joined = false
		for i := 0; i < len(out) && !joined; i++ {
			for j := 0; j < len(out); j++ {
				if i != j && out[i].Hi == out[j].Lo {
					out[i].Hi = out[j].Hi
					out = append(out[:j], out[j+1:]...)
					joined = true
					break
				}
			}
		}
	}
	return out
}

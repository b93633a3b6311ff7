package aggregate

// Keeping a grouped aggregate off the grouped column's index when the
// WHERE clause needs the table's rows.
//
// Grouping by an indexed column lets SQLite and MySQL walk that index to
// skip the sort and fetch each row from the table, in index order, to test
// the WHERE clause. For a caller whose reads are restricted the row
// predicate always needs the row (permission and owner are in no index),
// and the rows of one group are spread over the whole table, so the walk
// reads the table's pages in random order, again and again. On SQLite,
// once the table outgrows the connection's page cache (2 MB) nearly every
// row costs a page read: 100,000 items counted by project took 0.4-1 s
// that way (superlinear: 5 ms at 10,000 rows, 250 ms at 65,000), against
// 45 ms for one scan of the table and a sort. MariaDB took 145 ms against
// 21 ms. PostgreSQL scans and hashes on its own.
//
// So when there is a WHERE clause, the grouping may not use an index; an
// index the WHERE clause itself can use (a filter on an indexed column)
// still serves. Without one (an administrator without filters) the walk
// reads the index alone and stays the fastest plan. All our indexes are on
// one column (or unique keys), so none can answer the row predicate; an
// index such as (project_id, user_account_id, permission) would (about
// 10 ms for the count above), and groupFromIndex would then have to let
// the grouping use it.

import "strconv"

// groupFromIndex reports whether the statement may group by walking an
// index: only when no WHERE clause needs the rows.
func (b *aggBuilder) groupFromIndex() bool {
	return len(b.groups) == 0 || len(b.w.sql) == 0
}

// fromHint follows the queried table: MySQL's hint not to use any index
// for GROUP BY.
func (b *aggBuilder) fromHint() string {
	if b.groupFromIndex() {
		return ""
	}
	return b.d.NoGroupIndexHint()
}

// groupTerms renders the GROUP BY entries by their position in the SELECT
// list. On SQLite, which has no such hint, a plain column of the queried
// table is written "+t.col" instead when the grouping may not use an
// index: the same value, type and collation, but it matches no index. The
// SELECT list keeps the column itself, whose value is that of the group.
func (b *aggBuilder) groupTerms() []string {
	free := !b.groupFromIndex()
	out := make([]string, len(b.groups))
	for i, pos := range b.groups {
		c := b.projs[pos-1].c
		if term, ok := b.d.UnindexedGroupTerm(c.sql); ok && free && c.cv != nil && c.at == b.base {
			out[i] = term
			continue
		}
		out[i] = strconv.Itoa(pos)
	}
	return out
}

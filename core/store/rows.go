package store

import "context"

// Row is one row of a plugin's table by Better Auth field name, as [RowStore] reads and writes it: strings,
// float64 numbers, bools, time.Time dates, and nil for NULL. Columns the store does not know the field of
// are keyed by their column name.
type Row map[string]any

// String returns the row's field as a string ("" when it is NULL, missing or not a string).
func (r Row) String(field string) string {
	s, _ := r[field].(string)
	return s
}

// RowQuery selects rows of a plugin's table, as Better Auth's adapter findMany takes them.
type RowQuery struct {
	// Where are the conditions; none means every row.
	Where []Where
	// SortBy is the field to sort by; empty leaves the order to the database, as Better Auth does.
	SortBy string
	// Desc sorts in descending order.
	Desc bool
	// Limit bounds the rows returned; 0 means no limit. Offset skips rows first.
	Limit, Offset int
}

// RowStore reads and writes the rows of plugin tables that have no typed methods (the organization
// plugin's organization, member, invitation, team, teamMember and organizationRole tables), as Better
// Auth's adapter does: findMany, count, create, updateMany and deleteMany. sqlstore implements it.
// Implementations must be safe for concurrent use and bound every call in time. A query naming a field the
// table does not have is [ErrInvalidQuery]; a unique violation on create or update is [ErrConflict].
type RowStore interface {
	// FindRows returns the rows of model that q selects.
	FindRows(ctx context.Context, model string, q RowQuery) ([]Row, error)
	// CountRows returns how many rows of model where selects.
	CountRows(ctx context.Context, model string, where []Where) (int, error)
	// CreateRow inserts row into model's table. Fields the row leaves out get the column's default.
	CreateRow(ctx context.Context, model string, row Row) error
	// UpdateRows sets the fields of set on the rows of model that where selects, and returns how many
	// rows it changed. An empty where is refused (it would update every row).
	UpdateRows(ctx context.Context, model string, where []Where, set Row) (int64, error)
	// DeleteRows deletes the rows of model that where selects, and returns how many. An empty where is
	// refused.
	DeleteRows(ctx context.Context, model string, where []Where) (int64, error)
}

package store

import (
	"context"
	"errors"
)

// ErrInvalidQuery means a [Where] or a sort names a field the table does not have, or an operator or value
// that does not fit it. Better Auth's adapter throws on such a query; its admin plugin answers an empty list.
var ErrInvalidQuery = errors.New("store: invalid query")

// Where is one condition of a query, as Better Auth's adapter takes it ({field, operator, value,
// connector}): conditions joined with AND, and those with Or set joined with OR among themselves (the
// result is (and…) AND (or…)).
type Where struct {
	// Field is Better Auth's field name ("email").
	Field string
	// Operator is "eq" (when empty), "ne", "lt", "lte", "gt", "gte", "in", "not_in", "contains",
	// "starts_with" or "ends_with". eq and ne with a nil Value are IS NULL and IS NOT NULL; the last three
	// are SQL LIKE patterns made as Better Auth's adapter makes them (the database's LIKE decides case).
	Operator string
	// Value is the value compared: a string, bool, number, time.Time, nil, or a slice for in and not_in.
	Value any
	// Or puts the condition in the OR group (connector: "OR").
	Or bool
}

// UserQuery is a query of the user table, as the admin plugin's listUsers makes one.
type UserQuery struct {
	// Where are the conditions; none means every user.
	Where []Where
	// SortBy is the field to sort by; empty leaves the order to the database, as Better Auth does.
	SortBy string
	// Desc sorts in descending order.
	Desc bool
	// Limit bounds the rows returned; 0 means no limit. Offset skips rows first.
	Limit, Offset int
}

// UserLister is implemented by databases that can list and count users (sqlstore does): the admin
// plugin's list-users.
type UserLister interface {
	// ListUsers returns the users q selects, read as [Database.UserByID] reads them. A query naming a
	// field the table does not have is [ErrInvalidQuery].
	ListUsers(ctx context.Context, q UserQuery) ([]User, error)
	// CountUsers returns how many users where selects.
	CountUsers(ctx context.Context, where []Where) (int, error)
}

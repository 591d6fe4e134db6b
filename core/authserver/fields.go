package authserver

// Additional user and session fields (better-auth src/db/schema.ts: parseInputData, parseUserInput,
// parseSessionInput; the user and session additionalFields options), and the migration that creates their
// columns.

import (
	"context"
	"database/sql"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// Better Auth's codes for additional field input.
const (
	errFieldNotAllowed = "FIELD_NOT_ALLOWED"
	errMissingField    = "MISSING_FIELD"
)

// coreFields are the fields of Better Auth's core schema, which an additional field may not redeclare.
var coreFields = map[string][]string{
	"user":    {"id", "name", "email", "emailVerified", "image", "createdAt", "updatedAt"},
	"session": {"id", "token", "userId", "expiresAt", "createdAt", "updatedAt", "ipAddress", "userAgent"},
}

// check validates one declared field.
func (f AdditionalField) check(table, name string) error {
	if name == "" || slices.Contains(coreFields[table], name) {
		return configError("%s additional field %q: empty or a core field", table, name)
	}
	switch f.Type {
	case "", sqlstore.FieldString, sqlstore.FieldNumber, sqlstore.FieldBoolean, sqlstore.FieldDate, sqlstore.FieldJSON:
	default:
		return configError("%s additional field %q: unknown type %q", table, name, f.Type)
	}
	if f.Default != nil {
		if _, err := f.value(name, f.Default); err != nil {
			return configError("%s additional field %q: Default %v does not have type %q", table, name, f.Default, f.typ())
		}
	}
	return nil
}

func (f AdditionalField) typ() sqlstore.FieldType {
	if f.Type == "" {
		return sqlstore.FieldString
	}
	return f.Type
}

// parseFields is Better Auth's parseInputData: the declared fields of body, for a create (sign-up) or an
// update. Undeclared keys are ignored. An input: false field with a Default takes the Default on create;
// otherwise a truthy value for it is 400 FIELD_NOT_ALLOWED and a falsy one is dropped. A missing field
// takes its Default on create, or is 400 MISSING_FIELD when Required. Values are checked against the
// field's type (a Go addition) and converted for the database.
func parseFields(fields map[string]AdditionalField, body map[string]any, create bool) (map[string]any, error) {
	out := map[string]any{}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		f := fields[name]
		v, present := body[name]
		if present {
			if f.NoInput {
				if f.Default != nil && create {
					out[name], _ = f.value(name, f.Default)
					continue
				}
				if truthy(v) {
					return nil, newAPIError(400, errFieldNotAllowed, name+" is not allowed to be set")
				}
				continue
			}
			cv, err := f.value(name, v)
			if err != nil {
				return nil, err
			}
			out[name] = cv
			continue
		}
		if f.Default != nil && create {
			out[name], _ = f.value(name, f.Default)
			continue
		}
		if f.Required && create {
			return nil, newAPIError(400, errMissingField, name+" is required")
		}
	}
	return out, nil
}

// value checks v against the field's type and converts it for the database: numbers to int64 or
// float64, dates to time.Time, JSON to its text. nil stays nil (NULL), unless the field is Required.
func (f AdditionalField) value(name string, v any) (any, error) {
	bad := func(want string) error {
		return newAPIError(400, "VALIDATION_ERROR", "[body."+name+"] Invalid input: expected "+want+", received "+jsType(v))
	}
	if v == nil {
		if f.Required {
			return nil, bad(string(f.typ()))
		}
		return nil, nil
	}
	switch f.typ() {
	case sqlstore.FieldString:
		if s, ok := v.(string); ok {
			return s, nil
		}
		return nil, bad("string")
	case sqlstore.FieldBoolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, bad("boolean")
	case sqlstore.FieldNumber:
		var x float64
		switch n := v.(type) {
		case json.Number:
			var err error
			if x, err = n.Float64(); err != nil {
				return nil, bad("number")
			}
		case float64:
			x = n
		case int:
			x = float64(n)
		case int64:
			x = float64(n)
		default:
			return nil, bad("number")
		}
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), nil
		}
		return x, nil
	case sqlstore.FieldDate:
		switch d := v.(type) {
		case time.Time:
			return d.UTC(), nil
		case string:
			t, err := time.Parse(time.RFC3339Nano, d)
			if err != nil {
				return nil, newAPIError(400, "VALIDATION_ERROR", "[body."+name+"] Invalid input: expected date, received Invalid Date")
			}
			return t.UTC(), nil
		}
		return nil, bad("date")
	default: // FieldJSON
		b, err := json.Marshal(v)
		if err != nil {
			return nil, bad("json")
		}
		return string(b), nil
	}
}

// truthy is JavaScript's truthiness of a JSON value.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case json.Number:
		f, err := x.Float64()
		return err != nil || (f != 0 && !math.IsNaN(f))
	case float64:
		return x != 0 && !math.IsNaN(x)
	}
	return true
}

// fieldDefaults are the defaults of fields, for a row created without a request body (a session).
func fieldDefaults(fields map[string]AdditionalField) map[string]any {
	var out map[string]any
	for name, f := range fields {
		if f.Default != nil {
			if out == nil {
				out = map[string]any{}
			}
			out[name], _ = f.value(name, f.Default)
		}
	}
	return out
}

// Schema returns the tables cfg needs beyond Better Auth's core schema, for [sqlstore.Migrate]: the
// plugins' schemas, then the user and session additional fields as extra columns of those tables (in name
// order; Required fields NOT NULL, with their Default), then Better Auth's rateLimit table when
// RateLimit.Storage is "database".
func (cfg *Config) Schema() []sqlstore.Table {
	var tables []sqlstore.Table
	for _, p := range cfg.Plugins {
		tables = append(tables, p.Schema...)
	}
	for _, t := range []struct {
		name   string
		fields map[string]AdditionalField
	}{{"user", cfg.User.AdditionalFields}, {"session", cfg.Session.AdditionalFields}} {
		if len(t.fields) == 0 {
			continue
		}
		tab := sqlstore.Table{Name: t.name}
		for _, name := range slices.Sorted(maps.Keys(t.fields)) {
			f := t.fields[name]
			def := f.Default
			if tm, ok := def.(time.Time); ok {
				def = isoTime(tm)
			}
			tab.Fields = append(tab.Fields, sqlstore.Field{Name: name, Type: f.typ(), Required: f.Required, Default: def})
		}
		tables = append(tables, tab)
	}
	if cfg.RateLimit.Storage == RateLimitDatabase {
		tables = append(tables, sqlstore.RateLimitTable)
	}
	return tables
}

// MigrateConfig is [Migrate] for a whole Config: Better Auth's tables, the plugins' schemas and the
// columns of User.AdditionalFields and Session.AdditionalFields ([Config.Schema]).
func MigrateConfig(ctx context.Context, db *sql.DB, dialect string, cfg *Config) error {
	_, err := sqlstore.Migrate(ctx, db, sqlstore.Dialect(dialect), &sqlstore.MigrateOptions{Tables: cfg.Schema()})
	return err
}

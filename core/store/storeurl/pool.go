package storeurl

import (
	"database/sql"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Pool is the connection pool of an *sql.DB that [Open], [OpenWith], [OpenDB] and [OpenDBWith] open. A
// zero field means its default (docs/stores.md, "Connection pool"); a negative duration means "never".
//
// The defaults keep as many idle connections as open ones: database/sql's own default of 2 idle
// connections makes every request past the second concurrent one open a connection and close it again,
// which costs PostgreSQL a process fork per request.
type Pool struct {
	// MaxOpenConns bounds the open connections (URL parameter pool_max_conns). Zero means
	// [DefaultMaxOpenConns].
	MaxOpenConns int

	// MaxIdleConns bounds the idle connections kept for reuse (pool_max_idle_conns). Zero means
	// MaxOpenConns, so that connections are never closed only to be opened again under load.
	MaxIdleConns int

	// ConnMaxLifetime closes a connection this long after it was opened (pool_max_conn_lifetime, a Go
	// duration such as 30m), so that a fail-over or a new password is picked up. Zero means
	// [DefaultConnMaxLifetime]; negative means never.
	ConnMaxLifetime time.Duration

	// ConnMaxIdleTime closes a connection idle this long (pool_max_conn_idle_time). Zero means
	// [DefaultConnMaxIdleTime]; negative means never.
	ConnMaxIdleTime time.Duration
}

// Defaults of [Pool]. Lookups and get-session are single short queries: 16 connections serve far more
// concurrent requests than a database server has cores.
const (
	DefaultMaxOpenConns    = 16
	DefaultConnMaxLifetime = 30 * time.Minute
	DefaultConnMaxIdleTime = 5 * time.Minute
)

// URL query parameters of [Pool]. They are removed before the URL reaches the driver.
const (
	paramMaxConns        = "pool_max_conns"
	paramMaxIdleConns    = "pool_max_idle_conns"
	paramMaxConnLifetime = "pool_max_conn_lifetime"
	paramMaxConnIdleTime = "pool_max_conn_idle_time"
)

// Apply sets p, with its defaults filled in, on db.
func (p Pool) Apply(db *sql.DB) {
	p = p.withDefaults()
	db.SetMaxOpenConns(p.MaxOpenConns)
	db.SetMaxIdleConns(p.MaxIdleConns)
	db.SetConnMaxLifetime(max(p.ConnMaxLifetime, 0))
	db.SetConnMaxIdleTime(max(p.ConnMaxIdleTime, 0))
}

func (p Pool) withDefaults() Pool {
	if p.MaxOpenConns <= 0 {
		p.MaxOpenConns = DefaultMaxOpenConns
	}
	if p.MaxIdleConns <= 0 || p.MaxIdleConns > p.MaxOpenConns {
		p.MaxIdleConns = p.MaxOpenConns
	}
	if p.ConnMaxLifetime == 0 {
		p.ConnMaxLifetime = DefaultConnMaxLifetime
	}
	if p.ConnMaxIdleTime == 0 {
		p.ConnMaxIdleTime = DefaultConnMaxIdleTime
	}
	return p
}

// override sets the fields the URL sets.
func (p Pool) override(u Pool) Pool {
	if u.MaxOpenConns != 0 {
		p.MaxOpenConns = u.MaxOpenConns
	}
	if u.MaxIdleConns != 0 {
		p.MaxIdleConns = u.MaxIdleConns
	}
	if u.ConnMaxLifetime != 0 {
		p.ConnMaxLifetime = u.ConnMaxLifetime
	}
	if u.ConnMaxIdleTime != 0 {
		p.ConnMaxIdleTime = u.ConnMaxIdleTime
	}
	return p
}

// cutPool removes the pool parameters from a URL's raw query and returns the rest and the pool they set.
func cutPool(rawQuery string) (string, Pool, error) {
	var p Pool
	if !strings.Contains(rawQuery, "pool_") {
		return rawQuery, p, nil
	}
	var keep []string
	for _, kv := range strings.Split(rawQuery, "&") {
		k, v, _ := strings.Cut(kv, "=")
		k, _ = url.QueryUnescape(k)
		v, _ = url.QueryUnescape(v)
		var err error
		switch k {
		case paramMaxConns, paramMaxIdleConns:
			var n int
			if n, err = strconv.Atoi(v); err == nil && n <= 0 {
				err = fmt.Errorf("want a positive number")
			}
			if k == paramMaxConns {
				p.MaxOpenConns = n
			} else {
				p.MaxIdleConns = n
			}
		case paramMaxConnLifetime, paramMaxConnIdleTime:
			var d time.Duration
			if d, err = time.ParseDuration(v); err == nil && d <= 0 {
				d = -1 // never
			}
			if k == paramMaxConnLifetime {
				p.ConnMaxLifetime = d
			} else {
				p.ConnMaxIdleTime = d
			}
		default:
			keep = append(keep, kv)
			continue
		}
		if err != nil {
			return "", Pool{}, fmt.Errorf("storeurl: URL parameter %s=%q: %v", k, v, err)
		}
	}
	return strings.Join(keep, "&"), p, nil
}

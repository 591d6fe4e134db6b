package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the PostgreSQL driver of the harness's own checks
)

// proc is one process the harness started and may kill and start again on the same port.
type proc struct {
	name string
	port int
	bin  string
	args []string
	env  []string
	dir  string
	log  *os.File
	// ready is a path answering 200 once the process serves.
	ready string

	mu    sync.Mutex
	cmd   *exec.Cmd
	stdin io.WriteCloser // Node exits when it closes
	done  chan struct{}
}

func (p *proc) url() string { return "http://127.0.0.1:" + strconv.Itoa(p.port) }

// start starts the process and waits until its ready path answers 200, for at most timeout.
func (p *proc) start(timeout time.Duration) error {
	p.mu.Lock()
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Dir = p.dir
	cmd.Stdout, cmd.Stderr = p.log, p.log
	stdin, err := cmd.StdinPipe()
	if err != nil {
		p.mu.Unlock()
		return err
	}
	if err := cmd.Start(); err != nil {
		p.mu.Unlock()
		return fmt.Errorf("%s: %w", p.name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	p.cmd, p.stdin, p.done = cmd, stdin, done
	p.mu.Unlock()
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("%s exited at start: see %s", p.name, p.log.Name())
		default:
		}
		if res, err := c.Get(p.url() + p.ready); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready within %v: see %s", p.name, timeout, p.log.Name())
}

// signal sends sig to the process the harness started (by its pid) and, for SIGKILL and SIGTERM, waits up to
// wait for it to exit.
func (p *proc) signal(sig syscall.Signal, wait time.Duration) error {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	default:
	}
	if err := cmd.Process.Signal(sig); err != nil {
		return err
	}
	select {
	case <-done:
		return nil
	case <-time.After(wait):
		return fmt.Errorf("%s did not exit within %v of %v", p.name, wait, sig)
	}
}

// stop ends the process: SIGTERM, then SIGKILL after 10 s.
func (p *proc) stop() {
	p.mu.Lock()
	if p.stdin != nil {
		p.stdin.Close()
	}
	p.mu.Unlock()
	if err := p.signal(syscall.SIGTERM, 10*time.Second); err != nil {
		_ = p.signal(syscall.SIGKILL, 5*time.Second)
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// database is the run's own PostgreSQL database, created empty and dropped at the end.
type database struct {
	admin, name string
	url         string // direct, for the harness's checks
	db          *sql.DB
}

func newDatabase(ctx context.Context, admin string) (*database, error) {
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		return nil, err
	}
	defer adb.Close()
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := adb.PingContext(pctx); err != nil {
		return nil, fmt.Errorf("PostgreSQL at %s does not answer (set %s to a role that may create databases): %w", redact(admin), envPostgres, err)
	}
	name := "gba_loadtest_" + randomHex(6)
	if _, err := adb.ExecContext(pctx, "CREATE DATABASE "+name); err != nil {
		return nil, err
	}
	u, err := url.Parse(admin)
	if err != nil {
		return nil, err
	}
	u.Path = "/" + name
	d := &database{admin: admin, name: name, url: u.String()}
	if d.db, err = sql.Open("pgx", d.url); err != nil {
		return nil, err
	}
	d.db.SetMaxOpenConns(8)
	return d, nil
}

// via returns the database's URL through a proxy at addr.
func (d *database) via(addr string) string {
	u, _ := url.Parse(d.url)
	u.Host = addr
	return u.String()
}

// terminateBackends ends every other connection to the run's database (pg_terminate_backend), as a
// PostgreSQL restart or failover would, and returns how many it ended.
func (d *database) terminateBackends(ctx context.Context) (int, error) {
	var n int
	err := d.db.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = $1 AND pid <> pg_backend_pid()`, d.name).Scan(&n)
	return n, err
}

func (d *database) drop() {
	d.db.Close()
	adb, err := sql.Open("pgx", d.admin)
	if err != nil {
		return
	}
	defer adb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_, _ = adb.ExecContext(ctx, "DROP DATABASE IF EXISTS "+d.name+" WITH (FORCE)")
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(malformed URL)"
	}
	return u.Redacted()
}

// goBuild builds the main package pkg (relative to the module directory modDir) into out.
func goBuild(modDir, pkg, out string) error {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = modDir
	b, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build %s in %s: %v\n%s", pkg, modDir, err, b)
	}
	return nil
}

// redisServer is a redis-server of the harness's own on a free loopback port (never the machine's shared
// one), so that restarting it disturbs nobody else. It keeps an append-only file (fsync on every write) in
// its own folder: sessions live in Redis only (Better Auth's default with secondaryStorage), so a restart
// without persistence would sign everyone out, which no production deployment accepts.
type redisServer struct{ p *proc }

func startRedis(dir string) (*redisServer, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, errors.New("redis-server is not on PATH: install it (apt-get install redis-server) or leave -redis-env empty")
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	log, err := os.Create(filepath.Join(dir, "redis.log"))
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "redis-data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, err
	}
	p := &proc{name: "redis", port: port, bin: bin, log: log, dir: dir,
		args: []string{"--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--dir", data, "--save", "",
			"--appendonly", "yes", "--appendfsync", "always"}}
	r := &redisServer{p: p}
	return r, r.start()
}

func (r *redisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(r.p.port) }

// start starts redis-server and waits for it to answer PING.
func (r *redisServer) start() error {
	r.p.mu.Lock()
	cmd := exec.Command(r.p.bin, r.p.args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = r.p.dir, r.p.log, r.p.log
	if err := cmd.Start(); err != nil {
		r.p.mu.Unlock()
		return err
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	r.p.cmd, r.p.done = cmd, done
	r.p.mu.Unlock()
	for range 100 {
		if c, err := net.DialTimeout("tcp", r.addr(), 200*time.Millisecond); err == nil {
			_, _ = c.Write([]byte("PING\r\n"))
			_ = c.SetReadDeadline(time.Now().Add(time.Second))
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if strings.HasPrefix(line, "+PONG") {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("redis-server did not answer PING: see " + r.p.log.Name())
}

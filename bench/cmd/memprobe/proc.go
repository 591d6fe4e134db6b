package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// memStatus is what /proc/<pid>/status says of a process's memory.
type memStatus struct {
	RSS     int64 // VmRSS, bytes: resident now
	HWM     int64 // VmHWM, bytes: the most ever resident
	Threads int   // Threads
}

// parseStatus reads VmRSS, VmHWM and Threads from the text of /proc/<pid>/status. VmRSS and VmHWM are in
// kB (KiB); it fails unless both are there.
func parseStatus(b []byte) (memStatus, error) {
	var s memStatus
	seen := 0
	for line := range bytes.Lines(b) {
		name, val, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		f := strings.Fields(string(val))
		switch string(name) {
		case "VmRSS", "VmHWM":
			if len(f) != 2 || f[1] != "kB" {
				return s, fmt.Errorf("/proc status: %s: %q", name, bytes.TrimSpace(val))
			}
			n, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				return s, fmt.Errorf("/proc status: %s: %w", name, err)
			}
			if name[2] == 'R' {
				s.RSS = n << 10
			} else {
				s.HWM = n << 10
			}
			seen++
		case "Threads":
			if len(f) == 1 {
				s.Threads, _ = strconv.Atoi(f[0])
			}
		}
	}
	if seen != 2 {
		return s, errors.New("/proc status: no VmRSS or VmHWM (a kernel thread, or a process that exited?)")
	}
	return s, nil
}

func readStatus(pid int) (memStatus, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memStatus{}, err
	}
	return parseStatus(b)
}

// openSockets counts the sockets among pid's open file descriptors.
func openSockets(pid int) (int, error) {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range ents {
		if l, err := os.Readlink(dir + "/" + e.Name()); err == nil && strings.HasPrefix(l, "socket:") {
			n++
		}
	}
	return n, nil
}

// nofileLimit returns the soft limit on open files of pid, from /proc/<pid>/limits ("unlimited" is -1).
func nofileLimit(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "Max open files"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 && f[0] == "unlimited" {
				return -1, nil
			}
			if len(f) > 0 {
				return strconv.ParseInt(f[0], 10, 64)
			}
		}
	}
	return 0, errors.New("/proc limits: no Max open files")
}

// gcStats is one line of the Go runtime's GODEBUG=gctrace=1 output.
type gcStats struct {
	N      int           // the GC's number
	At     time.Duration // since the process started
	Live   int64         // heap marked live by this GC, bytes (MB granularity)
	Goal   int64         // the next heap goal, bytes
	Stacks int64         // goroutine stacks scanned, bytes
}

// gcLine matches "gc 12 @3.456s 2%: … ms cpu, 4->5->2 MB, 6 MB goal, 0 MB stacks, …".
var gcLine = regexp.MustCompile(`^gc (\d+) @([0-9.]+)s .* (\d+)->(\d+)->(\d+) MB, (\d+) MB goal, (\d+) MB stacks`)

// parseGCTrace reads a gctrace line; ok is false for any other line.
func parseGCTrace(line string) (g gcStats, ok bool) {
	m := gcLine.FindStringSubmatch(line)
	if m == nil {
		return g, false
	}
	g.N, _ = strconv.Atoi(m[1])
	secs, _ := strconv.ParseFloat(m[2], 64)
	g.At = time.Duration(secs * float64(time.Second))
	mb := func(s string) int64 { n, _ := strconv.ParseInt(s, 10, 64); return n << 20 }
	g.Live, g.Goal, g.Stacks = mb(m[5]), mb(m[6]), mb(m[7])
	return g, true
}

// child is a server started by the probe. Its stdout and stderr are read line by line: gctrace lines
// update lastGC, a "READY <url>" line (interop/server.mjs) is sent on ready, and the last other lines are
// kept for error messages.
type child struct {
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser // held open: interop/server.mjs exits when it closes
	ready chan string
	done  chan struct{} // closed when the process has exited and its output is read

	memstatsURL string // bench/cmd/goserver's GET /debug/memstats; "" for other servers

	mu     sync.Mutex
	lastGC *gcStats
	tail   []string
}

// startChild starts bin in dir with exactly env.
func startChild(name, dir string, env []string, bin string, args ...string) (*child, error) {
	c := &child{name: name, cmd: exec.Command(bin, args...), ready: make(chan string, 1), done: make(chan struct{})}
	c.cmd.Dir, c.cmd.Env = dir, env
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	var wg sync.WaitGroup
	for _, r := range []io.Reader{stdout, stderr} {
		wg.Go(func() {
			sc := bufio.NewScanner(r)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			for sc.Scan() {
				c.line(sc.Text())
			}
		})
	}
	go func() {
		wg.Wait()
		_ = c.cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

func (c *child) line(l string) {
	if g, ok := parseGCTrace(l); ok {
		c.mu.Lock()
		c.lastGC = &g
		c.mu.Unlock()
		return
	}
	if u, ok := strings.CutPrefix(l, "READY "); ok {
		select {
		case c.ready <- u:
		default:
		}
		return
	}
	c.mu.Lock()
	c.tail = append(c.tail, l)
	if len(c.tail) > 40 {
		c.tail = c.tail[len(c.tail)-40:]
	}
	c.mu.Unlock()
}

// gc returns the last GC the runtime traced, if any.
func (c *child) gc() *gcStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastGC
}

// output returns the last lines the child wrote (not gctrace).
func (c *child) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.tail, "\n")
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// exited reports whether the process has ended.
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM and waits up to 10 s, then kills.
func (c *child) stop() {
	if c.exited() {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
	c.stdin.Close()
}

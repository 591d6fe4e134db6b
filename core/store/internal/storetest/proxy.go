package storetest

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// Proxy is a TCP proxy in front of a test service. Down closes its listener and every connection, as a
// crashed server or a cut network would (new connections are refused); Up listens again on the same
// address. Stall makes it accept connections and then forward nothing, as an overloaded server would.
// Reset makes it accept connections and reset them at once, as a crashing server or a middlebox would.
// Accepted counts the connections it accepted: the dials that reached it.
type Proxy struct {
	t      testing.TB
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
	stall bool
	reset bool
	wg    sync.WaitGroup

	accepted atomic.Int64
}

// NewProxy starts a proxy to target (host:port) on a free loopback port. It is closed at the end of the
// test.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	p := &Proxy{t: t, target: target, conns: map[net.Conn]struct{}{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(func() {
		p.Down()
		p.wg.Wait()
	})
	return p
}

// Addr returns the proxy's host:port.
func (p *Proxy) Addr() string { return p.addr }

// Down stops accepting and closes every open connection.
func (p *Proxy) Down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// Up listens again on the same address.
func (p *Proxy) Up() {
	p.t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.serve(ln)
}

// Stall makes new connections hang (on) or be forwarded (off). Open connections are not affected.
func (p *Proxy) Stall(on bool) {
	p.mu.Lock()
	p.stall = on
	p.mu.Unlock()
}

// Reset makes new connections be reset at once (on) or be forwarded (off). Open connections are not
// affected.
func (p *Proxy) Reset(on bool) {
	p.mu.Lock()
	p.reset = on
	p.mu.Unlock()
}

// Accepted returns how many connections the proxy accepted.
func (p *Proxy) Accepted() int64 { return p.accepted.Load() }

func (p *Proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.accepted.Add(1)
			p.mu.Lock()
			if p.reset {
				p.mu.Unlock()
				if tc, ok := c.(*net.TCPConn); ok {
					tc.SetLinger(0) // close sends RST
				}
				c.Close()
				continue
			}
			if p.ln != ln {
				p.mu.Unlock()
				c.Close()
				return
			}
			p.conns[c] = struct{}{}
			stall := p.stall
			p.mu.Unlock()
			if stall {
				continue // held open, never answered; closed by Down
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.pipe(c)
			}()
		}
	}()
}

func (p *Proxy) pipe(c net.Conn) {
	u, err := net.Dial("tcp", p.target)
	if err != nil {
		p.drop(c)
		return
	}
	p.mu.Lock()
	if _, ok := p.conns[c]; !ok {
		p.mu.Unlock()
		u.Close()
		return
	}
	p.conns[u] = struct{}{}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { io.Copy(u, c); done <- struct{}{} }()
	go func() { io.Copy(c, u); done <- struct{}{} }()
	<-done
	p.drop(c)
	p.drop(u)
	<-done
}

func (p *Proxy) drop(c net.Conn) {
	c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

package main

// faultProxy is the TCP proxy of core/store/internal/storetest (Proxy: Down, Up), which this module may not
// import, with what a load test needs besides: added latency and dropping the open connections while new
// ones still get through. It needs no testing.TB.

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// faultProxy forwards a loopback port to target. down refuses new connections and closes the open ones (a
// crashed server, a cut network); up listens again on the same port; drop closes the open connections only
// (a middlebox or a restarted server); setLatency delays every chunk forwarded, in each direction.
type faultProxy struct {
	name, target, addr string

	mu      sync.Mutex
	ln      net.Listener
	conns   map[net.Conn]struct{}
	latency atomic.Int64 // nanoseconds
	wg      sync.WaitGroup

	accepted atomic.Int64
}

// newFaultProxy listens on a free loopback port and forwards to target.
func newFaultProxy(name, target string) (*faultProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &faultProxy{name: name, target: target, addr: ln.Addr().String(), conns: map[net.Conn]struct{}{}}
	p.serve(ln)
	return p, nil
}

// setLatency sets the delay added to each forwarded chunk (0: none).
func (p *faultProxy) setLatency(d time.Duration) { p.latency.Store(int64(d)) }

// down stops accepting and closes every open connection.
func (p *faultProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	p.closeAllLocked()
}

// drop closes every open connection; new ones are still forwarded.
func (p *faultProxy) drop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closeAllLocked()
}

func (p *faultProxy) closeAllLocked() {
	for c := range p.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // a reset, as a crashed peer
		}
		c.Close()
		delete(p.conns, c)
	}
}

// up listens again on the same address; a proxy that is up already is left alone.
func (p *faultProxy) up() error {
	p.mu.Lock()
	running := p.ln != nil
	p.mu.Unlock()
	if running {
		return nil
	}
	var ln net.Listener
	var err error
	for range 50 { // the port may linger for a moment after close
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	p.serve(ln)
	return nil
}

// close takes the proxy down for good and waits for its goroutines.
func (p *faultProxy) close() {
	p.down()
	p.wg.Wait()
}

func (p *faultProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.accepted.Add(1)
			p.mu.Lock()
			if p.ln != ln {
				p.mu.Unlock()
				c.Close()
				return
			}
			p.conns[c] = struct{}{}
			p.mu.Unlock()
			p.wg.Go(func() { p.pipe(c) })
		}
	})
}

func (p *faultProxy) pipe(c net.Conn) {
	u, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		p.forget(c)
		return
	}
	p.mu.Lock()
	if _, ok := p.conns[c]; !ok { // dropped meanwhile
		p.mu.Unlock()
		u.Close()
		return
	}
	p.conns[u] = struct{}{}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { p.copy(u, c); done <- struct{}{} }()
	go func() { p.copy(c, u); done <- struct{}{} }()
	<-done
	p.forget(c)
	p.forget(u)
	<-done
}

// copy forwards src to dst, sleeping the current latency before each chunk.
func (p *faultProxy) copy(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if d := time.Duration(p.latency.Load()); d > 0 {
				time.Sleep(d)
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if err != io.EOF {
				return
			}
			if tc, ok := dst.(*net.TCPConn); ok {
				_ = tc.CloseWrite()
			}
			return
		}
	}
}

func (p *faultProxy) forget(c net.Conn) {
	c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

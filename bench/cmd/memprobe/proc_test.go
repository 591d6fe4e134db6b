package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

// A /proc/<pid>/status of Linux 6.x, abridged.
const statusText = `Name:	goserver
Umask:	0022
State:	S (sleeping)
Tgid:	4242
Pid:	4242
VmPeak:	 1261748 kB
VmSize:	 1261748 kB
VmLck:	       0 kB
VmHWM:	   48712 kB
VmRSS:	   31244 kB
RssAnon:	   18200 kB
RssFile:	   13044 kB
Threads:	9
SigQ:	0/95862
`

func TestParseStatus(t *testing.T) {
	for _, tt := range []struct {
		name    string
		text    string
		want    memStatus
		wantErr string
	}{
		{name: "linux", text: statusText, want: memStatus{RSS: 31244 << 10, HWM: 48712 << 10, Threads: 9}},
		{name: "kernel thread", text: "Name:\tkthreadd\nState:\tS (sleeping)\nThreads:\t1\n", wantErr: "no VmRSS or VmHWM"},
		{name: "unit not kB", text: "VmHWM:\t1 MB\nVmRSS:\t1 kB\n", wantErr: "VmHWM"},
		{name: "not a number", text: "VmHWM:\t1 kB\nVmRSS:\tx kB\n", wantErr: "VmRSS"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatus([]byte(tt.text))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

// TestReadStatusSelf reads this process's own status: the live kernel's format.
func TestReadStatusSelf(t *testing.T) {
	s, err := readStatus(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if s.RSS <= 0 || s.HWM < s.RSS || s.Threads < 1 {
		t.Fatalf("implausible: %+v", s)
	}
}

func TestParseGCTrace(t *testing.T) {
	for _, tt := range []struct {
		name string
		line string
		want gcStats
		ok   bool
	}{
		{
			name: "go1.26",
			line: "gc 12 @3.250s 2%: 0.052+1.3+0.091 ms clock, 0.10+0.12/0.56/0.74+0.18 ms cpu, 33->34->21 MB, 42 MB goal, 3 MB stacks, 0 MB globals, 2 P",
			want: gcStats{N: 12, At: 3250 * time.Millisecond, Live: 21 << 20, Goal: 42 << 20, Stacks: 3 << 20}, ok: true,
		},
		{
			name: "forced",
			line: "gc 3 @120.001s 0%: 0.01+1+0.01 ms clock, 0.02+0/1/0+0.02 ms cpu, 5->5->4 MB, 9 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)",
			want: gcStats{N: 3, At: 120001 * time.Millisecond, Live: 4 << 20, Goal: 9 << 20}, ok: true,
		},
		{name: "log line", line: "2026/12/07 20:00:00 goserver: Better Auth endpoints at http://127.0.0.1:8080/api/auth"},
		{name: "scavenger", line: "scav 0 KiB work (bg), 0 KiB work (eager), 512 KiB now, 99% util"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseGCTrace(tt.line)
			if ok != tt.ok || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestCacheSizes(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   string
		want []int
	}{
		{name: "two", in: "10000, 100000", want: []int{10000, 100000}},
		{name: "zero", in: "0"},
		{name: "decreasing", in: "100,10"},
		{name: "junk", in: "1e4"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cacheSizes(tt.in)
			if (err == nil) != (tt.want != nil) || len(got) != len(tt.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

package main

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sample is the head of a real compare.sh CSV (DATABASES=sqlite, DURATION=3s).
const sample = `database,row,server,req_per_s,p50_ms,p99_ms,requests,socket_errors,non_2xx,connections,seconds,load_1m,same_setting_row,x_same_setting,x_faster_node
sqlite,node-nojwt,"Better Auth (Node) get-session, no JWT header",320.4,77.450,876.220,962,0,0,32,3.00,17.23,node-nojwt,1.0,1.0
sqlite,go-nojwt,"gobetterauth server mode get-session, no JWT plugin",10272.0,2.340,51.630,30851,0,0,32,3.00,14.70,node-nojwt,32.1,32.1
sqlite,verifier,"gobetterauth verifier (authhttp) /api/me, no cache",11836.0,1.980,33.690,35520,0,0,32,3.00,15.26,node-nojwt,37.0,37.0
`

func TestRunDrawsEveryRow(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "results.csv"), filepath.Join(dir, "chart.png")
	if err := os.WriteFile(in, []byte(sample), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(in, out); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := img.Bounds().Dx(), width; got != want {
		t.Errorf("width %d, want %d", got, want)
	}
	// Each row's req/s bar starts at rpsLeft, in its row's colour: Node orange, server mode blue, verifier green.
	y := top + groupGap + barH/2
	for i, want := range []string{"orange", "blue", "green"} {
		c := img.At(rpsLeft+2, y+i*rowH)
		r, g, b, _ := c.RGBA()
		var got string
		switch {
		case r>>8 == uint32(orange.R) && g>>8 == uint32(orange.G) && b>>8 == uint32(orange.B):
			got = "orange"
		case r>>8 == uint32(blue.R) && g>>8 == uint32(blue.G) && b>>8 == uint32(blue.B):
			got = "blue"
		case r>>8 == uint32(green.R) && g>>8 == uint32(green.G) && b>>8 == uint32(green.B):
			got = "green"
		}
		if got != want {
			t.Errorf("row %d: bar colour %v, want %s", i, c, want)
		}
	}
	// The verifier's bar (11836/s) is longer than Node's (320/s), on a log scale: ~1.57 decades more.
	rs := newLogScale([]float64{320.4, 10272, 11836}, rpsLeft, rpsRight)
	if rs.lo != 100 || rs.hi != 100000 {
		t.Errorf("req/s scale %v–%v, want 100–100000", rs.lo, rs.hi)
	}
	if rs.x(11836) <= rs.x(320.4) {
		t.Errorf("bar ends %d (Go) ≤ %d (Node)", rs.x(11836), rs.x(320.4))
	}
}

func TestReadRowsRefuses(t *testing.T) {
	head := "database,row,server,req_per_s,p99_ms\n"
	for _, tc := range []struct{ name, csv, want string }{
		{"no rows", head, "no rows"},
		{"missing column", "database,row,server,req_per_s\nsqlite,a,b,1\n", `no "p99_ms" column`},
		{"not a number", head + "sqlite,a,b,fast,1\n", "line 2"},
		{"zero req/s", head + "sqlite,a,b,0,1\n", "must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readRows(strings.NewReader(tc.csv))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want one containing %q", err, tc.want)
			}
		})
	}
}

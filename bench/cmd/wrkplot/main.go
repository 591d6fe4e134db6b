// Command wrkplot draws the CSV that bench/wrk/compare.sh writes as a PNG bar chart: for each row (grouped
// by database) its requests per second and its p99 latency, both on a log scale, with the values written
// next to the bars. Better Auth (Node) rows are orange, gobetterauth's server mode blue, its verifier
// green.
//
//	go run ./cmd/wrkplot -o chart.png results.csv
//
// The CSV needs the columns database, server, row, req_per_s and p99_ms (others are ignored).
package main

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"log"
	"math"
	"os"
	"strconv"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

func main() {
	out := flag.String("o", "wrk-compare.png", "the PNG to write")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: wrkplot [-o chart.png] results.csv")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *out); err != nil {
		log.Fatalf("wrkplot: %v", err)
	}
}

func run(in, out string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := readRows(f)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	w, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := png.Encode(w, chart(rows)); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// result is one row of the CSV.
type result struct {
	database, row, server string
	rps, p99ms            float64
}

// readRows reads compare.sh's CSV.
func readRows(r io.Reader) ([]result, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(recs) < 2 {
		return nil, errors.New("no rows")
	}
	col := map[string]int{}
	for i, name := range recs[0] {
		col[name] = i
	}
	for _, name := range []string{"database", "row", "server", "req_per_s", "p99_ms"} {
		if _, ok := col[name]; !ok {
			return nil, fmt.Errorf("no %q column", name)
		}
	}
	var rows []result
	for i, rec := range recs[1:] {
		rps, err1 := strconv.ParseFloat(rec[col["req_per_s"]], 64)
		p99, err2 := strconv.ParseFloat(rec[col["p99_ms"]], 64)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("line %d: %w", i+2, err)
		}
		if rps <= 0 || p99 <= 0 {
			return nil, fmt.Errorf("line %d: req/s and p99 must be positive", i+2)
		}
		rows = append(rows, result{database: rec[col["database"]], row: rec[col["row"]], server: rec[col["server"]], rps: rps, p99ms: p99})
	}
	return rows, nil
}

// The chart's geometry, in pixels.
const (
	width     = 1400
	labelLeft = 10
	rpsLeft   = 440 // the req/s panel
	rpsRight  = 880
	p99Left   = 940 // the p99 panel
	p99Right  = 1330
	top       = 56 // the first row's top
	rowH      = 20
	barH      = 14
	groupGap  = 22 // above each database's rows, for its name
)

var (
	white  = color.RGBA{255, 255, 255, 255}
	ink    = color.RGBA{40, 40, 40, 255}
	grid   = color.RGBA{225, 225, 225, 255}
	orange = color.RGBA{230, 130, 30, 255}
	blue   = color.RGBA{40, 100, 200, 255}
	green  = color.RGBA{40, 150, 70, 255}
)

// logScale maps values in [lo, hi] (powers of ten) to [x0, x1].
type logScale struct {
	lo, hi float64
	x0, x1 int
}

func newLogScale(vals []float64, x0, x1 int) logScale {
	lo, hi := math.Inf(1), 0.0
	for _, v := range vals {
		lo, hi = min(lo, v), max(hi, v)
	}
	s := logScale{lo: math.Pow(10, math.Floor(math.Log10(lo))), hi: math.Pow(10, math.Ceil(math.Log10(hi))), x0: x0, x1: x1}
	if s.hi <= s.lo {
		s.hi = s.lo * 10
	}
	return s
}

func (s logScale) x(v float64) int {
	f := (math.Log10(v) - math.Log10(s.lo)) / (math.Log10(s.hi) - math.Log10(s.lo))
	return s.x0 + int(f*float64(s.x1-s.x0))
}

// chart renders the rows.
func chart(rows []result) *image.RGBA {
	groups := 0
	for i, r := range rows {
		if i == 0 || r.database != rows[i-1].database {
			groups++
		}
	}
	height := top + groups*groupGap + len(rows)*rowH + 40
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	fill(img, img.Bounds(), white)
	rpsVals, p99Vals := make([]float64, len(rows)), make([]float64, len(rows))
	for i, r := range rows {
		rpsVals[i], p99Vals[i] = r.rps, r.p99ms
	}
	rs, ps := newLogScale(rpsVals, rpsLeft, rpsRight), newLogScale(p99Vals, p99Left, p99Right)
	label(img, labelLeft, 18, "wrk on loopback, both servers on the same database with the same cookies (bench/wrk/compare.sh)", ink)
	label(img, rpsLeft, 40, "requests per second (log scale)", ink)
	label(img, p99Left, 40, "p99 latency, ms (log scale)", ink)
	bottom := height - 30
	for _, s := range []logScale{rs, ps} {
		for v := s.lo; v <= s.hi*1.001; v *= 10 {
			x := s.x(v)
			vline(img, x, top, bottom, grid)
			label(img, x-len(short(v))*7/2, bottom+16, short(v), ink)
		}
	}
	y := top
	for i, r := range rows {
		if i == 0 || r.database != rows[i-1].database {
			y += groupGap
			label(img, labelLeft, y-6, r.database, ink)
			hline(img, labelLeft, p99Right, y-2, grid)
		}
		c := blue
		switch {
		case strings.HasPrefix(r.row, "node"):
			c = orange
		case strings.HasPrefix(r.row, "verifier"):
			c = green
		}
		label(img, labelLeft+10, y+barH-2, clip(r.server, (rpsLeft-labelLeft-20)/7), ink)
		fill(img, image.Rect(rpsLeft, y, max(rs.x(r.rps), rpsLeft+1), y+barH), c)
		label(img, rs.x(r.rps)+4, y+barH-2, strconv.FormatFloat(r.rps, 'f', 0, 64)+"/s", ink)
		fill(img, image.Rect(p99Left, y, max(ps.x(r.p99ms), p99Left+1), y+barH), c)
		label(img, ps.x(r.p99ms)+4, y+barH-2, strconv.FormatFloat(r.p99ms, 'f', 1, 64), ink)
		y += rowH
	}
	return img
}

// short writes a power of ten briefly: 0.1, 1, 10, 100, 1k, 10k, 100k, 1M.
func short(v float64) string {
	switch {
	case v >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', -1, 64) + "M"
	case v >= 1e3:
		return strconv.FormatFloat(v/1e3, 'f', -1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

func fill(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

func label(img *image.RGBA, x, y int, s string, c color.Color) {
	d := &font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func hline(img *image.RGBA, x0, x1, y int, c color.Color) {
	fill(img, image.Rect(x0, y, x1+1, y+1), c)
}

func vline(img *image.RGBA, x, y0, y1 int, c color.Color) {
	fill(img, image.Rect(x, y0, x+1, y1+1), c)
}

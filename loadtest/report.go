package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// phase is a named window of the run with the fault it injects.
type phase struct {
	Name       string        `json:"name"`
	Start, End time.Duration `json:"-"`
}

// event is a fault or a notable moment, marked on the plot.
type event struct {
	At    time.Duration
	Label string
}

// phaseStats are one phase's numbers.
type phaseStats struct {
	Name     string         `json:"name"`
	Requests int            `json:"requests"`
	Outcomes map[string]int `json:"outcomes"`
	P50, P99 time.Duration  `json:"-"`
	P50ms    float64        `json:"p50_ms"`
	P99ms    float64        `json:"p99_ms"`
}

// percentile returns the p-th percentile (0..100) of sorted durations, nearest rank; 0 for none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(rank, len(sorted)-1))]
}

// summarize groups samples by phase (a sample belongs to the phase in which it started).
func summarize(samples []sample, phases []phase) []phaseStats {
	out := make([]phaseStats, len(phases))
	lat := make([][]time.Duration, len(phases))
	for i, p := range phases {
		out[i] = phaseStats{Name: p.Name, Outcomes: map[string]int{}}
	}
	for _, s := range samples {
		i := phaseIndex(phases, s.at)
		out[i].Requests++
		out[i].Outcomes[s.outcome]++
		lat[i] = append(lat[i], s.latency)
	}
	for i := range out {
		slices.Sort(lat[i])
		out[i].P50, out[i].P99 = percentile(lat[i], 50), percentile(lat[i], 99)
		out[i].P50ms, out[i].P99ms = ms(out[i].P50), ms(out[i].P99)
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func phaseIndex(phases []phase, at time.Duration) int {
	for i, p := range phases {
		if at < p.End {
			return i
		}
	}
	return len(phases) - 1
}

// outcomeOrder is the order of the report's columns.
var outcomeOrder = []string{outOK, outRateLimit, outUnavail, outServer, outNetErr, outClient, outAmbiguous, outFalseAcc, outWrongRefus}

// writeTable prints the per-phase table.
func writeTable(w io.Writer, stats []phaseStats) {
	fmt.Fprintf(w, "%-16s %8s", "phase", "requests")
	for _, o := range outcomeOrder {
		fmt.Fprintf(w, " %9s", o)
	}
	fmt.Fprintf(w, " %9s %9s\n", "p50 ms", "p99 ms")
	for _, s := range stats {
		fmt.Fprintf(w, "%-16s %8d", s.Name, s.Requests)
		for _, o := range outcomeOrder {
			fmt.Fprintf(w, " %9d", s.Outcomes[o])
		}
		fmt.Fprintf(w, " %9.1f %9.1f\n", s.P50ms, s.P99ms)
	}
}

// byKey counts samples by a key, with their p50 and p99, sorted by key.
func byKey(samples []sample, key func(sample) string) []string {
	m := map[string]map[string]int{}
	lat := map[string][]time.Duration{}
	for _, s := range samples {
		k := key(s)
		if m[k] == nil {
			m[k] = map[string]int{}
		}
		m[k][s.outcome]++
		lat[k] = append(lat[k], s.latency)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var lines []string
	for _, k := range keys {
		var parts []string
		for _, o := range outcomeOrder {
			if n := m[k][o]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s=%d", o, n))
			}
		}
		slices.Sort(lat[k])
		lines = append(lines, fmt.Sprintf("%-18s p50=%.1fms p99=%.1fms  %s", k, ms(percentile(lat[k], 50)), ms(percentile(lat[k], 99)), strings.Join(parts, " ")))
	}
	return lines
}

// plot draws throughput (answered per second: ok, and everything else stacked on it) and latency (p50 and
// p99 per second, milliseconds, square-root scale) over time, with the phases shaded and the events marked.
func plot(path string, samples []sample, phases []phase, events []event, total time.Duration) error {
	const W, H, left, right, top, mid, bottom = 1200, 640, 70, 20, 30, 330, 600
	img := image.NewRGBA(image.Rect(0, 0, W, H))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	// One bucket per second, or longer for long runs: at most 300 bars.
	bucket := max(time.Second, (total / 300).Round(time.Second))
	secs := int(total/bucket) + 1
	okPer := make([]int, secs)
	badPer := make([]int, secs)
	lat := make([][]time.Duration, secs)
	for _, s := range samples {
		i := int(s.at / bucket)
		if i < 0 || i >= secs {
			continue
		}
		if s.outcome == outOK || s.outcome == outRateLimit {
			okPer[i]++
		} else {
			badPer[i]++
		}
		lat[i] = append(lat[i], s.latency)
	}
	x := func(t time.Duration) int { return left + int(float64(W-left-right)*float64(t)/float64(total)) }
	// Phases: alternating shades, names on top.
	shades := []color.RGBA{{255, 236, 210, 255}, {222, 235, 255, 255}}
	for i, p := range phases {
		if i == 0 || i == len(phases)-1 {
			continue // warm-up and recovery unshaded
		}
		r := image.Rect(x(p.Start), top, x(min(p.End, total)), bottom)
		draw.Draw(img, r, image.NewUniform(shades[i%2]), image.Point{}, draw.Src)
		label(img, x(p.Start)+2, top-4+12*(i%2)+10, p.Name, color.RGBA{90, 60, 0, 255})
	}
	// Axes.
	axis := color.RGBA{60, 60, 60, 255}
	hline(img, left, W-right, mid, axis)
	hline(img, left, W-right, bottom, axis)
	vline(img, left, top, bottom, axis)
	maxRate := 1
	for i := range okPer {
		okPer[i] = int(float64(okPer[i]) / bucket.Seconds()) // per second
		badPer[i] = int(float64(badPer[i]) / bucket.Seconds())
		maxRate = max(maxRate, okPer[i]+badPer[i])
	}
	const gap = 20
	yRate := func(v int) int { return mid - int(float64(mid-top-gap)*float64(v)/float64(maxRate)) }
	green, red := color.RGBA{40, 150, 60, 255}, color.RGBA{210, 40, 40, 255}
	for i := range okPer {
		x0, x1 := x(time.Duration(i)*bucket), max(x(time.Duration(i+1)*bucket)-1, x(time.Duration(i)*bucket)+1)
		draw.Draw(img, image.Rect(x0, yRate(okPer[i]), x1, mid), image.NewUniform(green), image.Point{}, draw.Src)
		if badPer[i] > 0 {
			draw.Draw(img, image.Rect(x0, yRate(okPer[i]+badPer[i]), x1, yRate(okPer[i])), image.NewUniform(red), image.Point{}, draw.Src)
		}
	}
	label(img, 4, top+gap+10, fmt.Sprintf("%d/s", maxRate), axis)
	label(img, 4, mid-2, "0/s", axis)
	label(img, left+6, mid-8, fmt.Sprintf("answers per second (bars of %v): expected (green), errors/503/timeouts (red)", bucket), axis)
	// Latency, square-root scale.
	var maxLat time.Duration = 10 * time.Millisecond
	p50 := make([]time.Duration, secs)
	p99 := make([]time.Duration, secs)
	for i := range lat {
		slices.Sort(lat[i])
		p50[i], p99[i] = percentile(lat[i], 50), percentile(lat[i], 99)
		maxLat = max(maxLat, p99[i])
	}
	yLat := func(d time.Duration) int {
		f := float64(d) / float64(maxLat)
		if f > 0 {
			f = math.Sqrt(f)
		}
		return bottom - int(float64(bottom-mid-gap)*f)
	}
	blue, purple := color.RGBA{30, 90, 200, 255}, color.RGBA{150, 40, 160, 255}
	for i := 1; i < secs; i++ {
		if len(lat[i]) == 0 || len(lat[i-1]) == 0 {
			continue
		}
		x0, x1 := x(time.Duration(i-1)*bucket+bucket/2), x(time.Duration(i)*bucket+bucket/2)
		line(img, x0, yLat(p50[i-1]), x1, yLat(p50[i]), blue)
		line(img, x0, yLat(p99[i-1]), x1, yLat(p99[i]), purple)
	}
	label(img, 4, mid+gap+10, fmt.Sprintf("%dms", maxLat.Milliseconds()), axis)
	label(img, 4, yLat(maxLat/4)+4, fmt.Sprintf("%dms", (maxLat/4).Milliseconds()), axis)
	label(img, 4, bottom-2, "0ms", axis)
	label(img, left+6, mid+gap+10, fmt.Sprintf("latency per %v: p50 (blue), p99 (purple), square-root scale", bucket), axis)
	// Events: vertical dashed lines.
	for _, e := range events {
		ex := x(e.At)
		for yy := top; yy < bottom; yy += 6 {
			vline(img, ex, yy, yy+3, red)
		}
	}
	// Time axis.
	step := max(time.Duration(1), total/10/time.Second) * time.Second
	for t := time.Duration(0); t <= total; t += step {
		vline(img, x(t), bottom, bottom+5, axis)
		label(img, x(t)-8, bottom+18, fmt.Sprintf("%ds", int(t.Seconds())), axis)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(f, img)
}

func label(img *image.RGBA, x, y int, s string, c color.Color) {
	d := &font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func hline(img *image.RGBA, x0, x1, y int, c color.Color) {
	for x := x0; x <= x1; x++ {
		img.Set(x, y, c)
	}
}

func vline(img *image.RGBA, x, y0, y1 int, c color.Color) {
	for y := y0; y <= y1; y++ {
		img.Set(x, y, c)
	}
}

// line draws a segment (Bresenham), two pixels thick.
func line(img *image.RGBA, x0, y0, x1, y1 int, c color.Color) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := 1, 1
	if x0 > x1 {
		sx = -1
	}
	if y0 > y1 {
		sy = -1
	}
	e := dx + dy
	for {
		img.Set(x0, y0, c)
		img.Set(x0, y0+1, c)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

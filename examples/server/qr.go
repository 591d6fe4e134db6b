package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/boombuler/barcode/qr"
)

// maxQRText bounds what POST /api/qr encodes: a TOTP URI is about 150 bytes.
const maxQRText = 512

// qrSVG renders text as a QR code (error correction M) in SVG: one path of dark modules on a white square
// with the standard quiet zone of 4 modules, scaled by the page's CSS. The page inserts it into the
// document (an inline SVG needs no img-src in the Content-Security-Policy).
func qrSVG(text string) ([]byte, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return nil, err
	}
	const quiet = 4
	n := code.Bounds().Dx()
	size := n + 2*quiet
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, size, size)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, size, size)
	for y := range n {
		for x := range n {
			if r, _, _, _ := code.At(x, y).RGBA(); r == 0 {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+quiet, y+quiet)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return b.Bytes(), nil
}

// totpQR is POST /api/qr {"text":"otpauth://…"}, for signed-in users: the QR code of a TOTP URI as SVG, for
// the dashboard's two-factor setup. The URI holds the secret, so it travels in a POST body (never in a
// URL, where logs and history would keep it) and the answer is not cached.
func totpQR(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Text string `json:"text"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4*maxQRText)).Decode(&body); err != nil ||
		!strings.HasPrefix(body.Text, "otpauth://") || len(body.Text) > maxQRText {
		writeJSON(w, http.StatusBadRequest, map[string]string{"code": "INVALID_QR_TEXT",
			"message": "text must be an otpauth:// URI of at most 512 bytes"})
		return
	}
	svg, err := qrSVG(body.Text)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"code": "INVALID_QR_TEXT", "message": err.Error()})
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(svg)
}

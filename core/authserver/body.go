package authserver

// The request body: parsing it as better-call does (JSON or a form, size-capped, media type checked) and
// validating its fields with zod's messages as better-call reports them.

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// readBody reads and parses a POST body as better-call does: JSON (any application/*json type), or a form
// where allowed; other media types get 415. The size is capped before parsing.
func (c *call) readBody(w http.ResponseWriter, ep *endpoint) error {
	if c.r.Method != http.MethodPost || c.r.Body == nil || c.r.Body == http.NoBody {
		return nil
	}
	if c.r.ContentLength > c.srv.maxBody {
		return errBodyTooLarge
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, c.r.Body, c.srv.maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errBodyTooLarge
		}
		return newAPIError(400, "BAD_REQUEST", "Could not read the request body")
	}
	if len(raw) == 0 {
		return nil
	}
	ct := c.r.Header.Get("Content-Type")
	media, _, _ := mime.ParseMediaType(ct)
	media = strings.ToLower(media)
	if media == "" {
		media = strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	}
	allowed := []string{"application/json"}
	if ep.mediaForm {
		allowed = []string{"application/x-www-form-urlencoded", "application/json"}
	}
	if !slices.Contains(allowed, media) {
		if ct == "" {
			return newAPIError(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type is required. Allowed types: "+strings.Join(allowed, ", "))
		}
		return newAPIError(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type \""+ct+"\" is not allowed. Allowed types: "+strings.Join(allowed, ", "))
	}
	c.hasBody = true
	if media == "application/x-www-form-urlencoded" {
		vals, err := url.ParseQuery(string(raw))
		if err != nil {
			return newAPIError(400, "BAD_REQUEST", "Invalid form body")
		}
		c.body = map[string]any{}
		for k, v := range vals {
			c.body[k] = v[len(v)-1]
		}
		return nil
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil || dec.More() {
		return errInvalidJSON
	}
	if m, ok := v.(map[string]any); ok {
		c.body, c.rawJSON = m, raw
	} else {
		c.body = map[string]any{"\x00notObject": v}
	}
	return nil
}

// fieldKind is the type a body field must have.
type fieldKind int

const (
	kString fieldKind = iota
	kBool
	kEmail // a string that is an email address (zod's z.email())
	kStringOrNull
)

type field struct {
	name     string
	kind     fieldKind
	required bool
}

// validate checks the body against fields in order and returns better-call's VALIDATION_ERROR with every
// issue, "[body.name] Invalid input: expected string, received undefined" joined by "; ".
func (c *call) validate(fields ...field) error {
	if _, bad := c.body["\x00notObject"]; bad || (c.body == nil && len(fields) > 0 && slices.ContainsFunc(fields, func(f field) bool { return f.required })) {
		got := "undefined"
		if bad {
			got = jsType(c.body["\x00notObject"])
		}
		return newAPIError(400, "VALIDATION_ERROR", "[body] Invalid input: expected object, received "+got)
	}
	var issues []string
	for _, f := range fields {
		v, present := c.body[f.name]
		if !present {
			if f.required {
				want := "string"
				if f.kind == kBool {
					want = "boolean"
				}
				issues = append(issues, "[body."+f.name+"] Invalid input: expected "+want+", received undefined")
			}
			continue
		}
		switch f.kind {
		case kString, kEmail:
			s, ok := v.(string)
			if !ok {
				issues = append(issues, "[body."+f.name+"] Invalid input: expected string, received "+jsType(v))
			} else if f.kind == kEmail && !validEmail(s) {
				issues = append(issues, "[body."+f.name+"] Invalid email address")
			}
		case kStringOrNull:
			if _, ok := v.(string); !ok && v != nil {
				issues = append(issues, "[body."+f.name+"] Invalid input: expected string, received "+jsType(v))
			}
		case kBool:
			if _, ok := v.(bool); !ok {
				issues = append(issues, "[body."+f.name+"] Invalid input: expected boolean, received "+jsType(v))
			}
		}
	}
	if len(issues) > 0 {
		return newAPIError(400, "VALIDATION_ERROR", strings.Join(issues, "; "))
	}
	return nil
}

func (c *call) str(name string) string {
	s, _ := c.body[name].(string)
	return s
}

// jsType names v's type as zod does.
func jsType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number, float64:
		return "number"
	case []any:
		return "array"
	default:
		return "object"
	}
}

// ValidEmail reports whether s passes zod 4's z.email(), as Better Auth's endpoints check addresses.
func ValidEmail(s string) bool { return validEmail(s) }

// validEmail is zod 4's z.email() pattern: ^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-\.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$
func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at < 1 || strings.IndexByte(s, '@') != at || s[0] == '.' || strings.Contains(s, "..") || len(s) > 320 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	for i := 0; i < len(local); i++ {
		ch := local[i]
		ok := isAlnum(ch) || ch == '_' || ch == '+' || ch == '-' || (i < len(local)-1 && (ch == '\'' || ch == '.'))
		if !ok {
			return false
		}
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for i, l := range labels {
		if l == "" {
			return false
		}
		if i == len(labels)-1 {
			if len(l) < 2 {
				return false
			}
			for j := 0; j < len(l); j++ {
				if !isAlpha(l[j]) {
					return false
				}
			}
			continue
		}
		if !isAlnum(l[0]) {
			return false
		}
		for j := 0; j < len(l); j++ {
			if !isAlnum(l[j]) && l[j] != '-' {
				return false
			}
		}
	}
	return true
}

func isAlpha(b byte) bool { return (b|0x20) >= 'a' && (b|0x20) <= 'z' }
func isAlnum(b byte) bool { return isAlpha(b) || (b >= '0' && b <= '9') }

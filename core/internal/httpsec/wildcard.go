package httpsec

import (
	"regexp"
	"strings"
	"unicode/utf16"
)

// glob is Better Auth's wildcardMatch(pattern) without a separator (src/utils/wildcard.ts): "*" is any run
// and "?" any one UTF-16 code unit, except the line terminators JavaScript's "." refuses (\n, \r, U+2028,
// U+2029); "\" makes the next character literal (a trailing "\" is dropped); the whole sample must match,
// case-sensitively. It compiles to a linear-time regexp over [utf16Units] text.
type glob struct{ re *regexp.Regexp }

const jsDot = `[^\n\r\x{2028}\x{2029}]`

func compileGlob(pattern string) glob {
	var b strings.Builder
	b.WriteString(`^(?s:`)
	p := []rune(utf16Units(pattern))
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '\\':
			if i < len(p)-1 {
				i++
				b.WriteString(regexp.QuoteMeta(string(p[i])))
			}
		case '?':
			b.WriteString(jsDot)
		case '*':
			b.WriteString(jsDot + `*`)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`)$`)
	return glob{regexp.MustCompile(b.String())}
}

func (g glob) match(s string) bool { return g.re.MatchString(utf16Units(s)) }

// utf16Units rewrites s so that each rune stands for one UTF-16 code unit, as JavaScript sees a string:
// an astral character becomes two runes in Supplementary Private Use Area-A standing for its surrogates
// (U+F0000 + unit). Real characters of that plane are themselves astral, so they cannot collide.
func utf16Units(s string) string {
	astral := false
	for _, r := range s {
		if r > 0xFFFF {
			astral = true
			break
		}
	}
	if !astral {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r <= 0xFFFF {
			b.WriteRune(r)
			continue
		}
		hi, lo := utf16.EncodeRune(r)
		b.WriteRune(0xF0000 + hi)
		b.WriteRune(0xF0000 + lo)
	}
	return b.String()
}

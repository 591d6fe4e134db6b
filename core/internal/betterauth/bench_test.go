package betterauth

import "testing"

func BenchmarkSignedVerify(b *testing.B) {
	v, get := loadVectors(b)
	s := NewSigner(v.Secret)
	cookie := get("compact", "better-auth.session_token")
	if _, ok := s.Verify(cookie); !ok {
		b.Fatal("refused")
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := s.Verify(cookie); !ok {
			b.Fatal("refused")
		}
	}
}

func BenchmarkRead(b *testing.B) {
	v, get := loadVectors(b)
	_ = v
	h := []string{"theme=dark; better-auth.session_token=" + get("compact", "better-auth.session_token") + "; better-auth.session_data=" + get("compact", "better-auth.session_data")}
	names := NewNames("", false, Names{})
	b.ReportAllocs()
	for b.Loop() {
		if j, err := Read(h, names); err != nil || j.SessionToken == "" {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeCompact(b *testing.B) {
	v, get := loadVectors(b)
	s := NewSigner(v.Secret)
	value := get("compact", "better-auth.session_data")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := s.DecodeCompact(value); err != nil {
			b.Fatal(err)
		}
	}
}

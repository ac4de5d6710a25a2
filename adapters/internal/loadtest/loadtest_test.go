package loadtest

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestResults(t *testing.T) {
	r := NewResults(4)
	r.Record(0, 1*time.Millisecond, 200, nil)
	r.Record(1, 3*time.Millisecond, 200, nil)
	r.Record(2, 2*time.Millisecond, 429, nil)
	r.Record(3, 0, 0, errors.New("refused"))
	if r.OK() != 2 {
		t.Errorf("OK = %d, want 2", r.OK())
	}
	var b bytes.Buffer
	r.Print(&b, time.Second)
	for _, want := range []string{"sent 4 in 1s (4/s); errors 1; status 200×2 429×1", "p50 1.00ms", "max 3.00ms  (n=2)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("Print = %q, lacks %q", b.String(), want)
		}
	}
	if Percentiles(nil) != "none" {
		t.Error("Percentiles of nothing")
	}
}

func TestLoopbackAndQuestions(t *testing.T) {
	for host, want := range map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true, "10.0.0.1": false, "example.com": false} {
		if Loopback(host) != want {
			t.Errorf("Loopback(%q) = %v", host, !want)
		}
	}
	qs, err := Questions()
	if err != nil || len(qs) < 100 {
		t.Errorf("Questions: %d, %v", len(qs), err)
	}
}

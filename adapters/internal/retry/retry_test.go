package retry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAfter(t *testing.T) {
	now := time.Date(2024, 6, 4, 1, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		header string
		want   time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"3", 3 * time.Second},
		{"120", 2 * time.Minute},
		{"-1", 0},
		{"soon", 0},
		{"1.5", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"Tuesday, 04-Jun-24 01:00:30 GMT", 30 * time.Second}, // RFC 850, which HTTP accepts too
		{"99999999999999999999", 0},                           // not a number Go can hold
	} {
		h := http.Header{}
		if tc.header != "" {
			h.Set("Retry-After", tc.header)
		}
		if got := After(h, now); got != tc.want {
			t.Errorf("After(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}

var errBusy = errors.New("status 503")

func TestDoStopsOnSuccess(t *testing.T) {
	var waits []time.Duration
	n, err := Do(context.Background(), Policy{Base: time.Millisecond}, func(context.Context) error {
		if len(waits) < 2 {
			return errBusy
		}
		return nil
	}, func(d time.Duration) { waits = append(waits, d) })
	if err != nil || n != 3 || len(waits) != 2 {
		t.Fatalf("Do: %d attempts, %d waits, err %v; want 3, 2, nil", n, len(waits), err)
	}
	// Base, then twice Base, each jittered by up to half either way.
	for i, d := range waits {
		b := time.Millisecond << i
		if d < b/2 || d > b*3/2+1 {
			t.Errorf("wait %d is %v, want within %v ± half", i+1, d, b)
		}
	}
}

func TestDoGivesUpAfterAttempts(t *testing.T) {
	calls := 0
	n, err := Do(context.Background(), Policy{Base: time.Millisecond, Attempts: 3}, func(context.Context) error {
		calls++
		return fmt.Errorf("line: reply: %w", errBusy)
	}, nil)
	if n != 3 || calls != 3 {
		t.Errorf("%d attempts (%d calls), want 3", n, calls)
	}
	if !errors.Is(err, errBusy) || err.Error() != "line: reply: status 503 (gave up after 3 attempts)" {
		t.Errorf("error %q", err)
	}
}

func TestDoFinal(t *testing.T) {
	errRefused := errors.New("status 400")
	calls := 0
	n, err := Do(context.Background(), Policy{Base: time.Millisecond}, func(context.Context) error {
		calls++
		return Final(errRefused)
	}, nil)
	if n != 1 || calls != 1 || err != errRefused {
		t.Errorf("Do: %d attempts, err %v; want 1 and the attempt's error as it is", n, err)
	}
	if Final(nil) != nil || Later(nil, time.Second) != nil {
		t.Error("Final(nil) or Later(nil) is not nil")
	}
}

func TestDoRetryAfterWithinTotal(t *testing.T) {
	// A Retry-After longer than the time left is not waited for: the call gives up at once.
	calls := 0
	var waited []time.Duration
	n, err := Do(context.Background(), Policy{Base: time.Millisecond, Total: time.Second}, func(context.Context) error {
		calls++
		return Later(errBusy, time.Hour)
	}, func(d time.Duration) { waited = append(waited, d) })
	if n != 1 || calls != 1 || len(waited) != 0 {
		t.Errorf("%d attempts, waits %v; want 1 attempt, no wait", n, waited)
	}
	if err == nil || !strings.HasSuffix(err.Error(), "(no time left to retry)") {
		t.Errorf("error %v, want no time left", err)
	}

	// So is one past the context's deadline.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err = Do(ctx, Policy{Base: time.Millisecond}, func(context.Context) error {
		return Later(errBusy, 2*time.Minute)
	}, nil)
	if n != 1 || err == nil || !strings.HasSuffix(err.Error(), "(no time left to retry)") {
		t.Errorf("past the deadline: %d attempts, error %v", n, err)
	}
}

func TestDoCancelledDuringWait(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n, err := Do(ctx, Policy{}, func(context.Context) error {
		return Later(errBusy, 30*time.Second)
	}, func(time.Duration) { cancel() })
	if n != 1 || !errors.Is(err, context.Canceled) || !errors.Is(err, errBusy) {
		t.Errorf("Do: %d attempts, err %v; want 1, cancelled, with the attempt's error", n, err)
	}
}

// TestRetryAfterThenOK runs Do against a server that answers 429 with a Retry-After, in
// seconds or as an HTTP date, then 200: the second request waits as long as it was told.
func TestRetryAfterThenOK(t *testing.T) {
	for _, form := range []string{"seconds", "date"} {
		t.Run(form, func(t *testing.T) {
			var mu sync.Mutex
			var at []time.Time
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				at = append(at, time.Now())
				n := len(at)
				mu.Unlock()
				if n == 1 {
					if form == "seconds" {
						w.Header().Set("Retry-After", "1")
					} else {
						// The date has whole seconds: two from now is at least one.
						w.Header().Set("Retry-After", time.Now().Add(2*time.Second).UTC().Format(http.TimeFormat))
					}
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				w.WriteHeader(http.StatusOK)
			}))
			defer srv.Close()

			var waited []time.Duration
			n, err := Do(context.Background(), Policy{Base: time.Millisecond}, func(ctx context.Context) error {
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, nil)
				if err != nil {
					return Final(err)
				}
				res, err := srv.Client().Do(req)
				if err != nil {
					return err
				}
				res.Body.Close()
				switch {
				case res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500:
					return Later(fmt.Errorf("status %d", res.StatusCode), After(res.Header, time.Now()))
				case res.StatusCode >= 300:
					return Final(fmt.Errorf("status %d", res.StatusCode))
				}
				return nil
			}, func(d time.Duration) { waited = append(waited, d) })
			if err != nil || n != 2 {
				t.Fatalf("Do: %d attempts, err %v; want 2, nil", n, err)
			}
			if len(waited) != 1 || waited[0] < 900*time.Millisecond {
				t.Errorf("waits %v, want one of about a second (the Retry-After, not the 1 ms backoff)", waited)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(at) != 2 {
				t.Fatalf("%d requests, want 2", len(at))
			}
			if gap := at[1].Sub(at[0]); gap < 900*time.Millisecond {
				t.Errorf("second request %v after the first, want about a second", gap)
			}
		})
	}
}

func TestSecondsTransport(t *testing.T) {
	date := time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"7", "7"},
		{"soon", "soon"},
		{date, "{2,3}"}, // whole seconds, rounded up, from a date with whole seconds
		{time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat), "0"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tc.in != "" {
				w.Header().Set("Retry-After", tc.in)
			}
			w.Header().Set("X-Other", "kept")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, "body")
		}))
		hc := &http.Client{Transport: SecondsTransport(srv.Client().Transport)}
		res, err := hc.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		got := res.Header.Get("Retry-After")
		ok := got == tc.want
		if tc.want == "{2,3}" {
			ok = got == "2" || got == "3"
		}
		if !ok || res.Header.Get("X-Other") != "kept" || res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("Retry-After %q became %q (want %s); status %d", tc.in, got, tc.want, res.StatusCode)
		}
		srv.Close()
	}
}

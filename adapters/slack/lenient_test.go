package slack

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// TestObjectValuedEventsAcknowledged: events whose user or channel is an object, not an id
// (im_created, user_change, user_profile_changed, the shared-channel invites; the payloads of
// slack-go's own test fixtures, in an event_callback envelope), are validly signed Slack
// requests: they are acknowledged with 200 and ignored, not refused (Slack would retry a
// refusal three times).
func TestObjectValuedEventsAcknowledged(t *testing.T) {
	files, err := filepath.Glob("testdata/events/*.json")
	if err != nil || len(files) < 7 {
		t.Fatalf("fixtures: %v %v", files, err)
	}
	h := newHarness(t)
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if w := h.do(EventsPath, body); w.Code != http.StatusOK {
			t.Errorf("%s: %d %q, want 200", filepath.Base(f), w.Code, w.Body.String())
		}
	}
	h.drain(t)
	if s := h.a.Stats(); s.Ignored != int64(len(files)) || s.Rejected != 0 || s.Accepted != 0 {
		t.Errorf("stats %+v, want %d ignored and none rejected", s, len(files))
	}
	if n := len(h.api.Attempts(pathPost)); n != 0 {
		t.Errorf("%d posts, want none", n)
	}
}

// TestLenientFields: a field of an unexpected JSON type is read as absent, never a reason to
// refuse a signed request; an object's "id" stands for it where an id is expected.
func TestLenientFields(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{`"U0ASKER001"`, "U0ASKER001"},
		{`{"id":"C12345678","name":"x"}`, "C12345678"},
		{`{"name":"x"}`, ""},
		{`12`, ""},
		{`null`, ""},
		{`[1,"a"]`, ""},
		{`true`, ""},
	} {
		var l lenient
		if err := l.UnmarshalJSON([]byte(tc.in)); err != nil || string(l) != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.in, l, err, tc.want)
		}
	}
}

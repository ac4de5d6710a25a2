package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"
)

func TestRun(t *testing.T) {
	const secret = "loadgen-test-secret"
	var good, bad atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/readyz" {
			return
		}
		body, _ := io.ReadAll(r.Body)
		if webhook.ValidateSignature(secret, r.Header.Get("X-Line-Signature"), body) {
			good.Add(1)
		} else {
			bad.Add(1)
		}
	}))
	defer srv.Close()
	var out bytes.Buffer
	err := run(context.Background(), []string{"-url", srv.URL + "/line/webhook", "-secret", secret,
		"-rate", "200", "-duration", "250ms", "-api", "127.0.0.1:0"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if good.Load() != 50 || bad.Load() != 0 {
		t.Errorf("the server got %d well-signed and %d badly signed webhooks, want 50 and 0", good.Load(), bad.Load())
	}
	for _, want := range []string{"status 200×50", "ack latency: p50 ", "replies 0"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRefusesRemoteTargets(t *testing.T) {
	err := run(context.Background(), []string{"-url", "http://192.0.2.1/line/webhook", "-secret", "s"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("err = %v, want a refusal of a non-loopback target", err)
	}
}

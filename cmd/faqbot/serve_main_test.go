package main

import (
	"context"
	"io"
	"maps"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// newMain is a Main with the environment env, its flags parsed from args, logging to log.
func newMain(t *testing.T, env map[string]string, log io.Writer, args ...string) *Main {
	t.Helper()
	m := NewMain(&environment{getenv: func(k string) string { return env[k] }, stdin: strings.NewReader(""),
		stdout: io.Discard, stderr: log})
	if err := m.ParseFlags(context.Background(), args); err != nil {
		t.Fatal(err)
	}
	return m
}

// freeAddr is a loopback address whose port no one listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// portFree fails the test unless addr can be listened on again.
func portFree(t *testing.T, what, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Errorf("%s %s is still taken: %v", what, addr, err)
		return
	}
	ln.Close()
}

// faqbotGoroutines counts the goroutines running faqbot's code or an HTTP server's accept loop,
// the test's own excepted.
func faqbotGoroutines() (int, string) {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n, which := 0, []string{}
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "testing.tRunner") || strings.Contains(g, "testing.(*T).Run") {
			continue
		}
		if strings.Contains(g, "github.com/faqbot/faqbot/") || strings.Contains(g, "net/http.(*Server).Serve(") {
			n++
			which = append(which, g)
		}
	}
	return n, strings.Join(which, "\n\n")
}

// goroutinesEnd fails the test unless the goroutines faqbotGoroutines counts fall back to
// before within a few seconds.
func goroutinesEnd(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, which := faqbotGoroutines()
		if n <= before {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%d goroutines left running (%d before):\n%s", n, before, which)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A start that fails after the port is open leaves nothing behind: the main port and the
// profiles' port are free again, and the goroutines of the server, the journal and the state
// end.
func TestRunFailureCleansUp(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string // in Run's error
	}{
		// The profiles refused: the main port was open already.
		{"profiles on a public address", map[string]string{"FAQBOT_DEBUG_ADDR": "0.0.0.0:0"}, "loopback"},
		// LINE refused once the profiles, the index, the state (in the journal), the web chat
		// and the editors' console run.
		{"LINE refused", map[string]string{
			"LINE_CHANNEL_SECRET": "cleanup-secret", "LINE_CHANNEL_ACCESS_TOKEN": "cleanup-token",
			"FAQBOT_LINE_API_URL": "http://%zz/", "FAQBOT_DEBUG_ADDR": "debug",
		}, "line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, debugAddr := freeAddr(t), freeAddr(t)
			env := map[string]string{"FAQBOT_ADDR": addr, "FAQBOT_DATA_DIR": t.TempDir()}
			for k, v := range tc.env {
				if v == "debug" {
					v = debugAddr
				}
				env[k] = v
			}
			before, _ := faqbotGoroutines()
			log := &serveLog{}
			m := newMain(t, env, log)
			err := m.Run(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				m.Close()
				t.Fatalf("Run: %v, want an error about %q\n%s", err, tc.want, log)
			}
			if !strings.Contains(log.String(), `"msg":"listening"`) {
				t.Fatalf("the server failed before it listened, not after:\n%s", log)
			}
			portFree(t, "the main port", addr)
			if env["FAQBOT_DEBUG_ADDR"] == debugAddr {
				if !strings.Contains(log.String(), `"msg":"profiles on"`) {
					t.Errorf("the profiles were not on before the failure:\n%s", log)
				}
				portFree(t, "the profiles' port", debugAddr)
			}
			goroutinesEnd(t, before)
			if err := m.Close(); err != nil {
				t.Errorf("Close after a failed Run: %v", err)
			}
		})
	}
}

// When the HTTP server stops serving on its own, Err says so, and Close then stops the
// platforms' workers, the state and the rest: nothing is left running.
func TestServeFailureCleansUp(t *testing.T) {
	before, _ := faqbotGoroutines()
	log := &serveLog{}
	m := newMain(t, map[string]string{
		"FAQBOT_ADDR": "127.0.0.1:0", "FAQBOT_DATA_DIR": t.TempDir(), "FAQBOT_DEBUG_ADDR": "127.0.0.1:0",
		"LINE_CHANNEL_SECRET": "cleanup-secret", "LINE_CHANNEL_ACCESS_TOKEN": "cleanup-token",
		"SLACK_SIGNING_SECRET": "cleanup-signing", "SLACK_BOT_TOKEN": "xoxb-cleanup",
	}, log)
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v\n%s", err, log)
	}
	addr := m.Addr().String()
	if n, _ := faqbotGoroutines(); n <= before {
		t.Fatalf("a running server shows no goroutines (%d, %d before): the check below could not fail", n, before)
	}
	m.ln.Close() // the listener fails under the server
	select {
	case err := <-m.Err():
		if err == nil {
			t.Error("Err received nil")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Err did not tell that the server stopped serving")
	}
	if err := m.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	portFree(t, "the main port", addr)
	goroutinesEnd(t, before)
}

// Close without Run does nothing; Close twice stops once and answers the same.
func TestMainCloseTwice(t *testing.T) {
	if err := newMain(t, nil, io.Discard).Close(); err != nil {
		t.Errorf("Close without Run: %v", err)
	}
	log := &serveLog{}
	m := newMain(t, map[string]string{"FAQBOT_ADDR": "127.0.0.1:0"}, log)
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v\n%s", err, log)
	}
	addr := m.Addr().String()
	if err := m.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("Close again: %v", err)
	}
	if n := strings.Count(log.String(), `"msg":"stopped"`); n != 1 {
		t.Errorf("stopped %d times, want once:\n%s", n, log)
	}
	portFree(t, "the main port", addr)
}

// The soft memory limit is --memory-limit while it runs, unless GOMEMLIMIT is set, and the
// runtime's limit as it was once it is closed.
func TestMainMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want int64
	}{
		{"flag", nil, []string{"--memory-limit", "4096"}, 4096 << 20},
		{"environment", map[string]string{"FAQBOT_MEMORY_LIMIT": "3072"}, nil, 3072 << 20},
		{"GOMEMLIMIT wins", map[string]string{"GOMEMLIMIT": "1GiB"}, []string{"--memory-limit", "4096"}, before},
		{"off", nil, []string{"--memory-limit", "0"}, before},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"FAQBOT_ADDR": "127.0.0.1:0", "FAQBOT_DATA_DIR": t.TempDir()}
			maps.Copy(env, tc.env)
			log := &serveLog{}
			m := newMain(t, env, log, tc.args...)
			if err := m.Run(context.Background()); err != nil {
				t.Fatalf("Run: %v\n%s", err, log)
			}
			got := debug.SetMemoryLimit(-1)
			if err := m.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if got != tc.want {
				t.Errorf("memory limit while serving: %d MiB, want %d MiB", got>>20, tc.want>>20)
			}
			if after := debug.SetMemoryLimit(-1); after != before {
				t.Errorf("memory limit after Close: %d, want %d as before", after, before)
			}
		})
	}
}

// Without --index, serve keeps the index and the cache of its build in the data directory: the
// first start builds them (and logs what it did not read), the next start of the same binary
// reads them; with the data directory unusable, the index is built in memory.
func TestServeIndexInDataDir(t *testing.T) {
	data := t.TempDir()
	start := func() string {
		t.Helper()
		log := &serveLog{}
		m := newMain(t, map[string]string{"FAQBOT_ADDR": "127.0.0.1:0", "FAQBOT_DATA_DIR": data}, log)
		if err := m.Run(context.Background()); err != nil {
			t.Fatalf("Run: %v\n%s", err, log)
		}
		if err := m.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		return log.String()
	}
	first := start()
	if !strings.Contains(first, `"msg":"engine cache not used: built again"`) || !strings.Contains(first, `"cache":"built"`) {
		t.Errorf("first start: the cache not reported built:\n%s", first)
	}
	if dirs, _ := filepath.Glob(filepath.Join(data, "index", "*", "cache-*.bin")); len(dirs) != 2 {
		t.Errorf("cache files in the data directory: %v", dirs)
	}
	second := start()
	if strings.Contains(second, "engine cache not used") || !strings.Contains(second, `"cache":"read"`) {
		t.Errorf("second start: the cache not read:\n%s", second)
	}

	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "index"), []byte("a file"), 0o644); err != nil {
		t.Fatal(err)
	}
	log := &serveLog{}
	m := newMain(t, map[string]string{"FAQBOT_ADDR": "127.0.0.1:0", "FAQBOT_DATA_DIR": bad}, log)
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("Run with an unusable index directory: %v\n%s", err, log)
	}
	m.Close()
	if !strings.Contains(log.String(), "the index is kept in memory") || !strings.Contains(log.String(), `"cache":"none"`) {
		t.Errorf("an unusable index directory: no warning, or not in memory:\n%s", log)
	}
}

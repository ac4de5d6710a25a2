// Package redistest runs a real redis-server for tests, on a free loopback port, without
// persistence. A test that needs it skips when redis-server is not installed, except in CI
// (the environment variable CI is not empty), where it fails instead.
package redistest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Server is a redis-server process. It is not safe for concurrent use.
type Server struct {
	// Addr is host:port; URL is "redis://" + Addr.
	Addr, URL string
	// SocketURL reaches the same server through its Unix socket ("unix://" + path), as a
	// Redis beside faqbot on the same host would be reached.
	SocketURL string
	path      string
	dir       string
	cmd       *exec.Cmd
	done      chan struct{}
}

// Start starts a redis-server on a free port; the test's cleanup stops it.
func Start(tb testing.TB) *Server {
	tb.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("redis-server is required in CI (apt-get install redis-server): %v", err)
		}
		tb.Skip("redis-server not installed (apt-get install redis-server); skipping")
	}
	s := &Server{path: path, dir: tb.TempDir()}
	var last error
	for range 5 { // another process may take the free port first
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		s.Addr = ln.Addr().String()
		ln.Close()
		s.URL = "redis://" + s.Addr
		if last = s.start(); last == nil {
			tb.Cleanup(s.Stop)
			return s
		}
	}
	tb.Fatalf("redistest: %v", last)
	return nil
}

func (s *Server) start() error {
	_, port, _ := net.SplitHostPort(s.Addr)
	sock := filepath.Join(s.dir, "redis.sock")
	s.SocketURL = "unix://" + sock
	s.cmd = exec.Command(s.path, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--unixsocket", sock, "--unixsocketperm", "700", "--dir", s.dir, "--loglevel", "warning")
	s.cmd.Dir = s.dir
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	s.done = make(chan struct{})
	go func() { s.cmd.Wait(); close(s.done) }()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		select {
		case <-s.done:
			return fmt.Errorf("redis-server on port %s exited at start", port)
		default:
		}
		if s.ping() == nil {
			return nil
		}
	}
	s.Stop()
	return fmt.Errorf("redis-server on port %s not up after 10 s", port)
}

// ping sends PING and expects PONG.
func (s *Server) ping() error {
	c, err := net.DialTimeout("tcp", s.Addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %s", strconv.Quote(line))
	}
	return nil
}

// Stop kills the server (its data is lost) and waits until it has exited. It does nothing when
// the server is not running.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.done:
	default:
		s.cmd.Process.Kill()
		<-s.done
	}
}

// Restart starts the server again, empty, on the same port.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		tb.Fatalf("redistest: restart: %v", err)
	}
}

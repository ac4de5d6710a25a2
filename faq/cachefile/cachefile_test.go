package cachefile

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func TestWriteRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.bin")
	key := Key("content", "part")
	if _, err := Read(path, key); !errors.Is(err, ErrMissing) {
		t.Errorf("no file: %v, want ErrMissing", err)
	}
	payload := []byte("the payload")
	if err := Write(path, key, payload); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path, key)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("Read = %q, %v", got, err)
	}
	for _, other := range [][32]byte{Key("content", "other part"), Key("other content", "part"), Key("contentpart"), Key("content", "part", "")} {
		if _, err := Read(path, other); !errors.Is(err, ErrStale) {
			t.Errorf("another key: %v, want ErrStale", err)
		}
	}
	data, _ := os.ReadFile(path)
	for n := range len(data) {
		if _, err := Parse(data[:n], key); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("cut to %d bytes: %v, want ErrCorrupt", n, err)
		}
	}
	for i := range data {
		spoilt := bytes.Clone(data)
		spoilt[i] ^= 1
		if _, err := Parse(spoilt, key); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("byte %d changed: %v, want ErrCorrupt", i, err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.tmp")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// Writers racing on one file (two replicas sharing a directory) leave a whole file of one of
// them; a reader meanwhile reads a whole payload or nothing.
func TestConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.bin")
	key := Key("k")
	payloads := map[string]bool{}
	for i := range 8 {
		payloads[strings.Repeat(fmt.Sprint(i), 50_000+i)] = true
	}
	var wg sync.WaitGroup
	for p := range payloads {
		wg.Go(func() {
			for range 5 {
				if err := Write(path, key, []byte(p)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for reading := true; reading; {
		select {
		case <-done:
			reading = false
		default:
		}
		got, err := Read(path, key)
		if err != nil && !errors.Is(err, ErrMissing) {
			t.Fatalf("read while written: %v", err)
		}
		if err == nil && !payloads[string(got)] {
			t.Fatalf("read %d bytes that no writer wrote", len(got))
		}
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.tmp")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestEncoderDecoder(t *testing.T) {
	var e Encoder
	e.Uint(0)
	e.Uint(math.MaxUint64)
	e.Int(-5)
	e.Int(math.MinInt64)
	e.Str("")
	e.Str("マイナンバー")
	e.Strings(nil)
	e.Strings([]string{})
	e.Strings([]string{"a", "", "b"})
	f32 := []float32{0, -0.0, 1.5, float32(math.Inf(-1)), math.SmallestNonzeroFloat32, float32(math.NaN())}
	f64 := []float64{math.Pi, math.MaxFloat64, -1e-300}
	e.Float32s(f32)
	e.Float64s(f64)
	d := NewDecoder(e.Bytes())
	if d.Uint() != 0 || d.Uint() != math.MaxUint64 || d.Int() != -5 || d.Int() != math.MinInt64 || d.Str() != "" || d.Str() != "マイナンバー" {
		t.Fatal("numbers or strings differ")
	}
	if s := d.Strings(); s != nil {
		t.Errorf("nil list read as %#v", s)
	}
	if s := d.Strings(); s == nil || len(s) != 0 {
		t.Errorf("empty list read as %#v", s)
	}
	if s := d.Strings(); !reflect.DeepEqual(s, []string{"a", "", "b"}) {
		t.Errorf("list read as %#v", s)
	}
	got32, got64 := d.Float32s(), d.Float64s()
	for i := range f32 {
		if math.Float32bits(got32[i]) != math.Float32bits(f32[i]) {
			t.Errorf("float32 %d: %v, want %v", i, got32[i], f32[i])
		}
	}
	if !reflect.DeepEqual(got64, f64) {
		t.Errorf("float64s %v, want %v", got64, f64)
	}
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	for n := range len(e.Bytes()) { // cut short: an error, never a panic
		d := NewDecoder(e.Bytes()[:n])
		d.Uint()
		d.Uint()
		d.Int()
		d.Int()
		d.Str()
		d.Str()
		d.Strings()
		d.Strings()
		d.Strings()
		d.Float32s()
		d.Float64s()
		if d.Err() == nil {
			t.Fatalf("cut to %d bytes: no error", n)
		}
	}
}

// FuzzDecoder: any input gives values or an error, never a panic or a huge allocation.
func FuzzDecoder(f *testing.F) {
	var e Encoder
	e.Strings([]string{"a", "b"})
	e.Float32s([]float32{1})
	f.Add(e.Bytes())
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDecoder(b)
		for range 4 {
			d.Strings()
			d.Float32s()
			d.Float64s()
			d.NilLen(2)
			d.Int()
		}
		d.Err()
	})
}

// BuildID is the Go build ID of the test binary, as `go tool buildid` reads it.
func TestBuildID(t *testing.T) {
	id := BuildID()
	if !strings.HasPrefix(id, "go:") {
		t.Fatalf("BuildID = %q, want the Go build ID", id)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "buildid", exe).Output()
	if err != nil {
		t.Skipf("go tool buildid: %v", err)
	}
	if want := "go:" + strings.TrimSpace(string(out)); id != want {
		t.Errorf("BuildID = %q, want %q", id, want)
	}
	if elfBuildID(os.Args[0]+".not-there") != "" {
		t.Error("a build id of a missing file")
	}
}

func TestRawBuildID(t *testing.T) {
	text := "\x00\x01\xff Go build ID: \"abc/def\"\n \xff\x00rest"
	if got := rawBuildID(strings.NewReader(text)); got != "abc/def" {
		t.Errorf("rawBuildID = %q", got)
	}
	if got := rawBuildID(strings.NewReader("no id here")); got != "" {
		t.Errorf("rawBuildID of no id = %q", got)
	}
}

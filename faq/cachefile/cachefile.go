// Package cachefile reads and writes the files in which faqbot keeps, beside an on-disk index,
// what building an engine computes (the analyses of the phrasings, the trained models), so that
// a later start of the same binary on the same content reads them instead of computing them.
//
// A file is framed with a key and a checksum and written atomically (a temporary file in the
// same directory, synced, then renamed over the old one): a crash mid-write, or two processes
// writing the same file at once, leave either the old file or a whole new one, never half of
// one that is read. A file that is missing, for another key, truncated or damaged is reported
// as such by Read and never returned. The key always includes BuildID: what a cache holds is
// what this binary's code computed.
//
// Encoder and Decoder are the little-endian primitives of the payloads. The package is a leaf:
// it imports no other faqbot package.
package cachefile

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sync"
)

// The frame, all little-endian:
//
//	magic "FQCACHE\x00", version uint32, key [32]byte, payload length uint64,
//	payload,
//	CRC-32C (Castagnoli) of everything before it, uint32.
const (
	magic      = "FQCACHE\x00"
	version    = 1
	headerSize = len(magic) + 4 + sha256.Size + 8
	maxPayload = 1 << 34
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// The reasons Read gives for a file it does not return; its errors wrap one of them.
var (
	ErrMissing = errors.New("missing")
	ErrStale   = errors.New("for another build or content")
	ErrCorrupt = errors.New("damaged")
)

// Key is the key of a cache: the binary's BuildID, then parts (the content's hash, the name
// of the part, the settings it was computed with), each length-prefixed so that no two lists
// of parts give the same key.
func Key(parts ...string) [sha256.Size]byte {
	h := sha256.New()
	for _, p := range append([]string{BuildID()}, parts...) {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		io.WriteString(h, p)
	}
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

// Write writes payload under key to path atomically. The directory must exist.
func Write(path string, key [sha256.Size]byte, payload []byte) error {
	frame := make([]byte, 0, headerSize+len(payload)+4)
	frame = append(frame, magic...)
	frame = binary.LittleEndian.AppendUint32(frame, version)
	frame = append(frame, key[:]...)
	frame = binary.LittleEndian.AppendUint64(frame, uint64(len(payload)))
	frame = append(frame, payload...)
	frame = binary.LittleEndian.AppendUint32(frame, crc32.Checksum(frame, castagnoli))
	// A name of its own per writer: two processes sharing the directory never write into the
	// same temporary file.
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*.tmp")
	if err != nil {
		return fmt.Errorf("cache: write %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.Write(frame)
	if err == nil {
		err = f.Sync() // the bytes are on disk before the name points at them
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cache: write %s: %w", path, err)
	}
	return nil
}

// Read returns the payload of the file at path written under key. Its errors wrap ErrMissing,
// ErrStale or ErrCorrupt (or are those of reading the file).
func Read(path string, key [sha256.Size]byte) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("cache: %w", ErrMissing)
	}
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	return Parse(data, key)
}

// Parse returns the payload of a file's bytes written under key (see Read).
func Parse(data []byte, key [sha256.Size]byte) ([]byte, error) {
	bad := func(why string) error { return fmt.Errorf("cache: %w: %s", ErrCorrupt, why) }
	if len(data) < headerSize+4 {
		return nil, bad("truncated")
	}
	if string(data[:len(magic)]) != magic {
		return nil, bad("not a cache file")
	}
	n := binary.LittleEndian.Uint64(data[headerSize-8:])
	if n > maxPayload || uint64(len(data)) != uint64(headerSize)+n+4 {
		return nil, bad(fmt.Sprintf("%d bytes for a payload of %d", len(data), n))
	}
	end := len(data) - 4
	if crc32.Checksum(data[:end], castagnoli) != binary.LittleEndian.Uint32(data[end:]) {
		return nil, bad("checksum mismatch")
	}
	if v := binary.LittleEndian.Uint32(data[len(magic):]); v != version {
		return nil, fmt.Errorf("cache: %w: format version %d", ErrStale, v)
	}
	if !bytes.Equal(data[len(magic)+4:headerSize-8], key[:]) {
		return nil, fmt.Errorf("cache: %w", ErrStale)
	}
	return data[headerSize:end], nil
}

// BuildID identifies the code of the running binary: the Go build ID of os.Executable() (the
// linker's hash of every package compiled into it and of the link; it changes with any change
// of the code, the embedded content or the build flags, and is the same for the same code,
// including the test binaries of `go test` and the binaries of `go run`). Where the
// executable has no readable Go build ID (a binary linked with -buildid=, a format without
// the ELF note), it is the SHA-256 of the executable's bytes: slower to compute, as exact.
// It is "" when the executable cannot be read; caches are then never found current.
var BuildID = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if id := elfBuildID(exe); id != "" {
		return "go:" + id
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	if id := rawBuildID(f); id != "" {
		return "go:" + id
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return ""
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
})

// rawBuildID returns the Go build ID that the linker writes at the start of the text of other
// formats than ELF (Mach-O, PE): `\xff Go build ID: "ID"\n \xff`, within the first 64 KiB.
func rawBuildID(r io.Reader) string {
	const prefix, suffix = "\xff Go build ID: \"", "\"\n \xff"
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(r, head)
	head = head[:n]
	i := bytes.Index(head, []byte(prefix))
	if i < 0 {
		return ""
	}
	rest := head[i+len(prefix):]
	j := bytes.Index(rest, []byte(suffix))
	if j <= 0 {
		return ""
	}
	return string(rest[:j])
}

// elfBuildID returns the Go build ID in the ELF note of the executable at path ("" when there
// is none): the note of type 4 named "Go" in section .note.go.buildid.
func elfBuildID(path string) string {
	f, err := elf.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	s := f.Section(".note.go.buildid")
	if s == nil {
		return ""
	}
	note, err := s.Data()
	if err != nil || len(note) < 16 {
		return ""
	}
	bo := f.ByteOrder
	nameSize, descSize, typ := bo.Uint32(note), bo.Uint32(note[4:]), bo.Uint32(note[8:])
	if nameSize != 4 || typ != 4 || string(note[12:16]) != "Go\x00\x00" || uint64(descSize) > uint64(len(note)-16) {
		return ""
	}
	return string(note[16 : 16+descSize])
}

// Encoder appends values to a payload. The zero Encoder is ready to use.
type Encoder struct{ b []byte }

// Bytes returns the payload.
func (e *Encoder) Bytes() []byte { return e.b }

// Uint appends a non-negative number.
func (e *Encoder) Uint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }

// Int appends a number.
func (e *Encoder) Int(v int64) { e.b = binary.AppendVarint(e.b, v) }

// Str appends a string.
func (e *Encoder) Str(s string) {
	e.Uint(uint64(len(s)))
	e.b = append(e.b, s...)
}

// Strings appends a list of strings; Decoder.Strings gives nil back for nil.
func (e *Encoder) Strings(ss []string) {
	if ss == nil {
		e.Uint(0)
		return
	}
	e.Uint(uint64(len(ss)) + 1)
	for _, s := range ss {
		e.Str(s)
	}
}

// Float32s appends numbers bit for bit.
func (e *Encoder) Float32s(fs []float32) {
	e.Uint(uint64(len(fs)))
	for _, f := range fs {
		e.b = binary.LittleEndian.AppendUint32(e.b, math.Float32bits(f))
	}
}

// Float64s appends numbers bit for bit.
func (e *Encoder) Float64s(fs []float64) {
	e.Uint(uint64(len(fs)))
	for _, f := range fs {
		e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(f))
	}
}

// Decoder reads the values an Encoder wrote, in the same order. After the first error (input
// that ends early or holds an impossible length) every method returns a zero value and Err
// reports it; a Decoder never panics. The strings it returns share the memory of the one
// string it reads.
type Decoder struct {
	s   string
	err error
}

// NewDecoder returns a Decoder of payload.
func NewDecoder(payload []byte) *Decoder { return &Decoder{s: string(payload)} }

// Err returns the first error, or an error when input is left over after the last value.
func (d *Decoder) Err() error {
	if d.err == nil && d.s != "" {
		return fmt.Errorf("cache: %w: %d bytes left over", ErrCorrupt, len(d.s))
	}
	return d.err
}

func (d *Decoder) fail() {
	if d.err == nil {
		d.err = fmt.Errorf("cache: %w: payload ends early or is inconsistent", ErrCorrupt)
	}
	d.s = ""
}

// Uint reads a number written by Encoder.Uint.
func (d *Decoder) Uint() uint64 {
	var v uint64
	var shift uint
	for i := 0; i < len(d.s) && i < binary.MaxVarintLen64; i++ {
		c := d.s[i]
		if c < 0x80 {
			d.s = d.s[i+1:]
			return v | uint64(c)<<shift
		}
		v |= uint64(c&0x7f) << shift
		shift += 7
	}
	d.fail()
	return 0
}

// Int reads a number written by Encoder.Int.
func (d *Decoder) Int() int64 {
	u := d.Uint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

// Len reads a length of items of at least size bytes each, failing when the rest of the input
// cannot hold them.
func (d *Decoder) Len(size int) int {
	n := d.Uint()
	if n > uint64(len(d.s)/max(size, 1)) {
		d.fail()
		return 0
	}
	return int(n)
}

// Str reads a string written by Encoder.Str.
func (d *Decoder) Str() string {
	n := d.Len(1)
	s := d.s[:n]
	d.s = d.s[n:]
	return s
}

// NilLen reads the length of a list of items of at least size bytes each written as Strings
// writes it (0 for nil, else the length plus 1), failing when the rest of the input cannot
// hold them.
func (d *Decoder) NilLen(size int) (n int, isNil bool) {
	u := d.Uint()
	if u == 0 {
		return 0, true
	}
	if u-1 > uint64(len(d.s)/max(size, 1)) {
		d.fail()
		return 0, true
	}
	return int(u - 1), false
}

// Strings reads a list written by Encoder.Strings.
func (d *Decoder) Strings() []string {
	n, isNil := d.NilLen(1) // each string takes at least its length's byte
	if isNil {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = d.Str()
	}
	return ss
}

// Float32s reads numbers written by Encoder.Float32s into a new slice.
func (d *Decoder) Float32s() []float32 {
	fs := make([]float32, d.Len(4))
	for i := range fs {
		fs[i] = math.Float32frombits(uint32le(d.s[4*i:]))
	}
	d.s = d.s[4*len(fs):]
	return fs
}

// Float64s reads numbers written by Encoder.Float64s into a new slice.
func (d *Decoder) Float64s() []float64 {
	fs := make([]float64, d.Len(8))
	for i := range fs {
		fs[i] = math.Float64frombits(uint64(uint32le(d.s[8*i:])) | uint64(uint32le(d.s[8*i+4:]))<<32)
	}
	d.s = d.s[8*len(fs):]
	return fs
}

// uint32le reads the little-endian number at the start of s (without copying s to bytes).
func uint32le(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

package importer

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
)

// Encodings are the names Options.Encoding accepts besides "" and "auto".
var Encodings = []string{"utf-8", "shift_jis", "cp932", "euc-jp"}

// encodingNames maps accepted spellings to the canonical name and the decoder (nil for UTF-8).
// golang.org/x/text's ShiftJIS is Windows-31J (CP932): it has the NEC and IBM extensions
// (①, Ⅲ, ㈱, 髙, 﨑) that Excel in Japan writes.
var encodingNames = map[string]struct {
	name string
	enc  encoding.Encoding
}{
	"utf-8": {"utf-8", nil}, "utf8": {"utf-8", nil},
	"shift_jis": {"shift_jis", japanese.ShiftJIS}, "shift-jis": {"shift_jis", japanese.ShiftJIS},
	"sjis": {"shift_jis", japanese.ShiftJIS}, "cp932": {"cp932", japanese.ShiftJIS},
	"windows-31j": {"cp932", japanese.ShiftJIS}, "ms932": {"cp932", japanese.ShiftJIS},
	"euc-jp": {"euc-jp", japanese.EUCJP}, "eucjp": {"euc-jp", japanese.EUCJP},
}

// encodingError is a source that is not text in its encoding, at a line.
type encodingError struct {
	line int
	msg  string
}

func (e *encodingError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

var (
	bomUTF8    = []byte("\xef\xbb\xbf")
	bomUTF16LE = []byte("\xff\xfe")
	bomUTF16BE = []byte("\xfe\xff")
)

// decode returns src as UTF-8 text without BOM, and the name of the encoding it was read in.
// Line breaks are kept, so lines of the text are lines of the source.
func decode(src []byte, name string) (text, used string, err error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" || name == "auto" {
		return detect(src)
	}
	e, ok := encodingNames[name]
	switch {
	case !ok:
		return "", "", fmt.Errorf("importer: unknown encoding %q (use %s)", name, strings.Join(Encodings, ", "))
	case e.enc == nil:
		return utf8Text(src)
	}
	return decodeWith(src, e.enc, e.name)
}

func detect(src []byte) (string, string, error) {
	switch {
	case bytes.HasPrefix(src, bomUTF8):
		return utf8Text(src)
	case bytes.HasPrefix(src, bomUTF16LE) || bytes.HasPrefix(src, bomUTF16BE):
		// Excel's "Unicode text" is UTF-16 with a BOM.
		return decodeWith(src, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "utf-16")
	case utf8.Valid(src):
		return string(src), "utf-8", nil
	}
	sj, _, errSJ := decodeWith(src, japanese.ShiftJIS, "shift_jis")
	eu, _, errEU := decodeWith(src, japanese.EUCJP, "euc-jp")
	switch {
	case errSJ == nil && errEU == nil:
		// Both decode: EUC-JP read as Shift_JIS is mostly half-width katakana, and the other
		// way round mostly rare kanji; the reading with fewer half-width katakana wins.
		if halfKana(eu) < halfKana(sj) {
			return eu, "euc-jp", nil
		}
		return sj, "shift_jis", nil
	case errSJ == nil:
		return sj, "shift_jis", nil
	case errEU == nil:
		return eu, "euc-jp", nil
	}
	return "", "", &encodingError{line: lineAt(src, invalidAt(src)),
		msg: "not UTF-8, Shift_JIS or EUC-JP text (name the file's encoding with --encoding)"}
}

func utf8Text(src []byte) (string, string, error) {
	src = bytes.TrimPrefix(src, bomUTF8)
	if !utf8.Valid(src) {
		return "", "", &encodingError{line: lineAt(src, invalidAt(src)),
			msg: "not valid UTF-8 (name the file's encoding with --encoding)"}
	}
	return string(src), "utf-8", nil
}

// decodeWith decodes src; the decoders of x/text turn bytes that are not in the encoding into
// U+FFFD, which no Japanese encoding can hold, so one in the output marks an invalid byte.
func decodeWith(src []byte, enc encoding.Encoding, name string) (string, string, error) {
	b, err := enc.NewDecoder().Bytes(src)
	if err != nil {
		return "", "", &encodingError{line: 1, msg: fmt.Sprintf("not valid %s: %v", name, err)}
	}
	if i := bytes.IndexRune(b, utf8.RuneError); i >= 0 {
		return "", "", &encodingError{line: lineAt(b, i),
			msg: fmt.Sprintf("not valid %s (name the file's encoding with --encoding)", name)}
	}
	return strings.TrimPrefix(string(b), "\ufeff"), name, nil
}

func lineAt(b []byte, i int) int { return 1 + bytes.Count(b[:i], []byte("\n")) }

func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

func halfKana(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0xff61 && r <= 0xff9f {
			n++
		}
	}
	return n
}

// Command genipa writes the flat IPA dictionary of package ipadict from the kagome-dict/ipa
// module that go.mod pins: `go generate ./faq/analysis/ipadict` after upgrading that module.
//
// The files are what package ipadict embeds and reads in place (see its package comment for
// the layout). genipa fails, rather than writing something ipadict would misread, when the
// dictionary's shape is not the one ipadict expects.
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"

	"github.com/ikawaha/kagome-dict/dict"
	"github.com/ikawaha/kagome-dict/ipa"
)

func main() {
	out := flag.String("out", "data", "directory to write the files to")
	flag.Parse()
	files, err := encode(ipa.Dict(), moduleVersion())
	if err == nil {
		err = write(*out, files)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genipa:", err)
		os.Exit(1)
	}
}

// module is the dictionary module the files are generated from.
const module = "github.com/ikawaha/kagome-dict/ipa"

// moduleVersion returns the version of module this program was built with.
func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == module {
				if m.Replace != nil {
					return m.Replace.Version
				}
				return m.Version
			}
		}
	}
	return "unknown"
}

func write(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Meta is the small part of the dictionary, decoded at load time (meta.json). The field names
// are ipadict's.
type Meta struct {
	Source      string     `json:"source"` // module@version the files were generated from
	Entries     int        `json:"entries"`
	Cells       int        `json:"cells"` // of the double array
	Dups        int        `json:"dups"`  // pairs in dup.bin
	ConnRows    int64      `json:"conn_rows"`
	ConnCols    int64      `json:"conn_cols"`
	CharClass   []string   `json:"char_class"`
	InvokeList  []bool     `json:"invoke"`
	GroupList   []bool     `json:"group"`
	Kinds       int        `json:"kinds"` // in kinds.bin
	UnkIndex    [][2]int32 `json:"unk_index"`
	UnkIndexDup [][2]int32 `json:"unk_index_dup"`
	UnkMorphs   [][3]int16 `json:"unk_morphs"`
	UnkFeatures [][]string `json:"unk_features"`
}

// The shape ipadict reads: a known word has four levels of part of speech and five further
// features (inflection type, inflection form, base form, reading, pronunciation).
const (
	posLevels    = 4
	contentWidth = 5
	recordSize   = 14 // kind uint16, base, reading, pronunciation: uint32 offsets into strings.bin
)

var wantMeta = dict.ContentsMeta{
	dict.POSStartIndex: 0, dict.POSHierarchy: posLevels, dict.InflectionalType: 4,
	dict.InflectionalForm: 5, dict.BaseFormIndex: 6, dict.ReadingIndex: 7, dict.PronunciationIndex: 8,
}

var wantUnkMeta = dict.ContentsMeta{dict.POSStartIndex: 0, dict.POSHierarchy: posLevels}

// encode returns the files of the flat dictionary, by name.
func encode(d *dict.Dict, version string) (map[string][]byte, error) {
	n := len(d.Morphs)
	if len(d.POSTable.POSs) != n || len(d.Contents) != n {
		return nil, fmt.Errorf("%d morphs, %d parts of speech, %d contents: want one of each per entry", n, len(d.POSTable.POSs), len(d.Contents))
	}
	if !mapsEqual(d.ContentsMeta, wantMeta) || !mapsEqual(d.UnkDict.ContentsMeta, wantUnkMeta) {
		return nil, fmt.Errorf("feature layout %v, unknown words %v: not the one ipadict reads", d.ContentsMeta, d.UnkDict.ContentsMeta)
	}
	if d.Connection.Row*d.Connection.Col != int64(len(d.Connection.Vec)) {
		return nil, errors.New("connection matrix size does not match its dimensions")
	}
	if n >= 1<<31 {
		return nil, errors.New("too many entries")
	}

	var strs bytes.Buffer
	offsets := map[string]uint32{}
	intern := func(s string) (uint32, error) {
		if off, ok := offsets[s]; ok {
			return off, nil
		}
		off := strs.Len()
		if off > 1<<32-1-binary.MaxVarintLen64-len(s) {
			return 0, errors.New("strings do not fit 32-bit offsets")
		}
		strs.Write(binary.AppendUvarint(nil, uint64(len(s))))
		strs.WriteString(s)
		offsets[s] = uint32(off)
		return uint32(off), nil
	}

	meta := Meta{
		Source: module + "@" + version, Entries: n, Cells: len(d.Index.Da),
		ConnRows: d.Connection.Row, ConnCols: d.Connection.Col,
		CharClass: d.CharClass, InvokeList: d.InvokeList, GroupList: d.GroupList,
	}
	kinds := map[string]uint16{} // distinct (4 levels of part of speech, inflection type, form)
	var kindsBin []byte
	records := make([]byte, 0, n*recordSize)
	for i := range n {
		pos, c := d.POSTable.POSs[i], d.Contents[i]
		if len(pos) != posLevels || len(c) != contentWidth {
			return nil, fmt.Errorf("entry %d: %d parts of speech and %d features, want %d and %d", i, len(pos), len(c), posLevels, contentWidth)
		}
		kind := make([]string, 0, posLevels+2)
		for _, id := range pos {
			if int(id) >= len(d.POSTable.NameList) {
				return nil, fmt.Errorf("entry %d: part of speech %d out of range", i, id)
			}
			kind = append(kind, d.POSTable.NameList[id])
		}
		kind = append(kind, c[0], c[1])
		key := fmt.Sprintf("%q", kind)
		k, ok := kinds[key]
		if !ok {
			if meta.Kinds >= 1<<16 {
				return nil, errors.New("more than 65536 kinds of word")
			}
			k = uint16(meta.Kinds)
			kinds[key] = k
			meta.Kinds++
			for _, s := range kind {
				off, err := intern(s)
				if err != nil {
					return nil, err
				}
				kindsBin = binary.LittleEndian.AppendUint32(kindsBin, off)
			}
		}
		records = binary.LittleEndian.AppendUint16(records, k)
		for _, s := range c[2:] {
			off, err := intern(s)
			if err != nil {
				return nil, err
			}
			records = binary.LittleEndian.AppendUint32(records, off)
		}
	}

	var da []byte
	for _, cell := range d.Index.Da {
		da = binary.LittleEndian.AppendUint32(da, uint32(cell.Base))
		da = binary.LittleEndian.AppendUint32(da, uint32(cell.Check))
	}
	dups := slices.Sorted(maps.Keys(d.Index.Dup))
	var dup []byte
	for _, k := range dups {
		dup = binary.LittleEndian.AppendUint32(dup, uint32(k))
		dup = binary.LittleEndian.AppendUint32(dup, uint32(d.Index.Dup[k]))
	}
	meta.Dups = len(dups)
	var morphs []byte
	for _, m := range d.Morphs {
		morphs = binary.LittleEndian.AppendUint16(morphs, uint16(m.LeftID))
		morphs = binary.LittleEndian.AppendUint16(morphs, uint16(m.RightID))
		morphs = binary.LittleEndian.AppendUint16(morphs, uint16(m.Weight))
	}
	var conn []byte
	for _, c := range d.Connection.Vec {
		conn = binary.LittleEndian.AppendUint16(conn, uint16(c))
	}

	for _, k := range slices.Sorted(maps.Keys(d.UnkDict.Index)) {
		meta.UnkIndex = append(meta.UnkIndex, [2]int32{k, d.UnkDict.Index[k]})
	}
	for _, k := range slices.Sorted(maps.Keys(d.UnkDict.IndexDup)) {
		meta.UnkIndexDup = append(meta.UnkIndexDup, [2]int32{k, d.UnkDict.IndexDup[k]})
	}
	for _, m := range d.UnkDict.Morphs {
		meta.UnkMorphs = append(meta.UnkMorphs, [3]int16{m.LeftID, m.RightID, m.Weight})
	}
	if len(d.UnkDict.Contents) != len(d.UnkDict.Morphs) {
		return nil, errors.New("unknown-word features and morphs differ in number")
	}
	for _, c := range d.UnkDict.Contents {
		if len(c) < posLevels {
			return nil, fmt.Errorf("unknown-word features %q: fewer than %d", c, posLevels)
		}
		meta.UnkFeatures = append(meta.UnkFeatures, c)
	}
	mj, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{
		"meta.json":   append(mj, '\n'),
		"da.bin":      da,
		"dup.bin":     dup,
		"morphs.bin":  morphs,
		"conn.bin":    conn,
		"chars.bin":   d.CharCategory,
		"entries.bin": records,
		"kinds.bin":   kindsBin,
		"strings.bin": strs.Bytes(),
	}, nil
}

func mapsEqual(a, b dict.ContentsMeta) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

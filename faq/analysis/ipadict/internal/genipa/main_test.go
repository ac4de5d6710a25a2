package main

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ikawaha/kagome-dict/ipa"
)

// TestCurrent regenerates the flat dictionary from the kagome-dict/ipa module in go.mod and
// compares it with the files package ipadict embeds: after an upgrade of that module it fails
// until `go generate ./faq/analysis/ipadict` has been run.
func TestCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not decoding kagome-dict/ipa to compare")
	}
	v := moduleVersion()
	if v == "unknown" {
		t.Fatalf("the test binary does not record the version of %s", module)
	}
	files, err := encode(ipa.Dict(), v)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "..", "data")
	for _, name := range slices.Sorted(maps.Keys(files)) {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%v (run go generate ./faq/analysis/ipadict)", err)
			continue
		}
		if !bytes.Equal(got, files[name]) {
			t.Errorf("data/%s (%d bytes) is not what %s@%s gives (%d bytes): run go generate ./faq/analysis/ipadict", name, len(got), module, v, len(files[name]))
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := files[e.Name()]; !ok && e.Name() != ".gitattributes" {
			t.Errorf("data/%s is not written by genipa: remove it", e.Name())
		}
	}
}

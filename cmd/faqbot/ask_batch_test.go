package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestAskBatchOrder: answers decided in any order are written in the order of the lines.
func TestAskBatchOrder(t *testing.T) {
	var in strings.Builder
	var want strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&in, "q%d\n", i)
		if i%7 == 0 {
			in.WriteString("  \n") // blank lines are skipped
		}
		fmt.Fprintf(&want, "a%d\n", i)
	}
	var out bytes.Buffer
	err := askBatch(context.Background(), strings.NewReader(in.String()), &out, 4, func(q string) ([]byte, error) {
		time.Sleep(time.Duration(rand.IntN(50)) * time.Microsecond)
		return []byte("a" + strings.TrimPrefix(q, "q") + "\n"), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != want.String() {
		t.Errorf("the answers are not in input order")
	}
}

// TestAskBatchError: an answer that fails stops the batch with its error, and nothing after
// the failed line is written before it.
func TestAskBatchError(t *testing.T) {
	in := strings.Repeat("ok\n", 500) + "bad\n" + strings.Repeat("ok\n", 5000)
	boom := errors.New("index failed")
	var out bytes.Buffer
	err := askBatch(context.Background(), strings.NewReader(in), &out, 3, func(q string) ([]byte, error) {
		if q == "bad" {
			return nil, boom
		}
		return []byte("answer\n"), nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	if n := strings.Count(out.String(), "\n"); n > 500 {
		t.Errorf("%d answers written, want at most the 500 before the failed line", n)
	}
}

// TestAskBatchSameAsArguments: --batch answers each line as ask answers an argument.
func TestAskBatchSameAsArguments(t *testing.T) {
	qs := []string{"マイナンバーは漏れましたか", "2", "パスワードの変え方", "はい", "How many records leaked?", "電話番号教えて"}
	args, _, err := runCmd(t, "", append([]string{"ask", "--json"}, qs...)...)
	if err != nil {
		t.Fatal(err)
	}
	batch, _, err := runCmd(t, strings.Join(qs, "\n")+"\n", "ask", "--json", "--batch", "--workers", "3")
	if err != nil {
		t.Fatal(err)
	}
	if batch != args || strings.Count(batch, "\n") != len(qs) {
		t.Errorf("ask --batch:\n%s\nwant, as arguments:\n%s", batch, args)
	}
}

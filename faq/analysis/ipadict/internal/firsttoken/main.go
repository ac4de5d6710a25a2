// Command firsttoken loads the Japanese dictionary, tokenises one sentence and reports how
// long that took since main started, the live heap after a collection and the process's
// resident memory: with -kagome, kagome-dict/ipa's zip decoded as before ipadict.
//
//	go build -o /tmp/firsttoken ./faq/analysis/ipadict/internal/firsttoken
//	time /tmp/firsttoken; time /tmp/firsttoken -kagome
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/faqbot/faqbot/faq/analysis/ipadict"
	"github.com/ikawaha/kagome-dict/ipa"
	"github.com/ikawaha/kagome/v2/tokenizer"
)

func main() {
	start := time.Now()
	useKagome := flag.Bool("kagome", false, "decode kagome-dict/ipa instead of using the embedded flat dictionary")
	flag.Parse()
	const s = "マイナンバーは漏えいしていないですか、念のため教えてください"
	var words int
	if *useKagome {
		k, err := tokenizer.New(ipa.Dict(), tokenizer.OmitBosEos())
		if err != nil {
			fmt.Fprintln(os.Stderr, "firsttoken:", err)
			os.Exit(1)
		}
		words = len(k.Tokenize(s))
	} else {
		words = len(ipadict.Tokenize(s))
	}
	took := time.Since(start)
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fmt.Printf("first tokenisation (%d words) %.1f ms after main; live heap %.1f MiB in %d objects; %s\n",
		words, float64(took.Microseconds())/1000, float64(m.HeapAlloc)/(1<<20), m.HeapObjects, rss())
}

// rss returns the resident set size lines of /proc/self/status, where there is one.
func rss() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "RSS unknown"
	}
	var out []string
	for _, line := range bytes.Split(b, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("VmRSS")) || bytes.HasPrefix(line, []byte("RssAnon")) || bytes.HasPrefix(line, []byte("RssFile")) {
			out = append(out, string(bytes.Join(bytes.Fields(line), []byte(" "))))
		}
	}
	return fmt.Sprint(out)
}

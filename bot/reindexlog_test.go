package bot_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
)

func TestReindexLog(t *testing.T) {
	l := bot.ReindexLog{Keep: 3}
	at := time.Date(2024, 6, 4, 10, 0, 0, 0, bot.JST)
	for i := range 5 {
		l.Add(context.Background(), bot.NewReindex(at.Add(time.Duration(i)*time.Minute), "admin", bot.ReloadResult{Version: fmt.Sprint(i), Changed: true}, nil))
	}
	broken := fmt.Errorf("reload: %w", faq.Problems{{File: "c/entries/a.yaml", Line: 3, Msg: "empty answer"}})
	l.Add(context.Background(), bot.NewReindex(at.Add(time.Hour), "console", bot.ReloadResult{}, broken))
	last := l.Last(context.Background())
	if len(last) != 3 || last[0].Via != "console" || last[1].Version != "4" || last[2].Version != "3" {
		t.Fatalf("last = %+v", last)
	}
	if last[0].Error == "" || len(last[0].Problems) != 1 || last[0].Problems[0] != "c/entries/a.yaml:3: empty answer" {
		t.Errorf("failed reindex = %+v", last[0])
	}
}

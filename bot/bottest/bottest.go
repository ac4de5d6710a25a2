// Package bottest is test support for whatever sits on a bot: a Bot over a small fixture FAQ
// (testdata/content: five entries in both languages — an answer, an entry with two follow-ups,
// a hand-off — and the shipped faqbot.yaml's messages under another brand), so that a test that
// needs "some FAQ" does not change when the shipped content does. The matcher's settings come
// from the shipped matcher.yaml. Tests that check the shipped content itself load it with
// faq.LoadEmbedded instead.
//
// It imports no adapter and no chat SDK; nothing here is used outside tests.
package bottest

import (
	"context"
	"embed"
	"io/fs"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/memstore"
	"github.com/faqbot/faqbot/faq"
)

//go:embed testdata/content
var fixture embed.FS

// The fixture's entries, for tests that ask about them.
const (
	Answer    = "leak-count"         // an answer
	Parent    = "change-password"    // an entry with follow-ups
	FollowupA = "change-password-pc" // Parent's first follow-up
	FollowupB = "change-password-app"
	Handoff   = "am-i-affected" // a hand-off entry
	Entries   = 5
)

// Questions that the fixture answers with each kind of entry, in English.
const (
	AnswerQuestion  = "How many records were leaked?"
	ParentQuestion  = "How do I change my password?"
	HandoffQuestion = "Was my data leaked?"
)

// FS is the fixture's content tree.
func FS() fs.FS {
	sub, err := fs.Sub(fixture, "testdata/content")
	if err != nil {
		panic(err) // the directory is embedded above
	}
	return sub
}

// Content loads the fixture content afresh.
func Content(tb testing.TB) *faq.Content {
	tb.Helper()
	c, err := faq.Load(FS(), "bottest")
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// Dir writes the fixture content tree into a new temporary directory and returns it, for tests
// that load content from disk or change it.
func Dir(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.CopyFS(dir, FS()); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// engine is the engine over the fixture, built once per test binary and never closed.
var engine = sync.OnceValues(func() (*bot.Engine, error) {
	c, err := faq.Load(FS(), "bottest")
	if err != nil {
		return nil, err
	}
	return bot.NewEngine(context.Background(), c, "")
})

// Engine returns the engine over the fixture, shared by the tests of a binary: callers must
// not close it nor change its content.
func Engine(tb testing.TB) *bot.Engine {
	tb.Helper()
	e, err := engine()
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// Now is a Tuesday morning in Japan: the desk is open.
func Now() time.Time { return time.Date(2024, 6, 4, 10, 0, 0, 0, bot.JST) }

// New returns a new Bot over the shared fixture engine, on the clock Now.
func New(tb testing.TB) *bot.Bot {
	tb.Helper()
	return bot.New(Engine(tb), Now)
}

// Chat returns a Chat of a new Bot for platform, with its conversation states in memory.
func Chat(tb testing.TB, platform string) *bot.Chat {
	tb.Helper()
	return New(tb).Chat(bot.ChatConfig{Platform: platform, Store: memstore.NewStore(time.Hour, Now)})
}

package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/faqbot/faqbot/adapters/web"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
)

// The chat mounted on a server's mux: a question, then the tap on one of the follow-ups it
// offers, in the same conversation, as a customer sees them (Config.Editor is nil: nobody sees
// the decision behind the replies).
func ExampleHandler_Register() {
	c, err := faq.LoadEmbedded()
	if err != nil {
		log.Fatal(err)
	}
	eng, err := bot.NewEngine(context.Background(), c, "")
	if err != nil {
		log.Fatal(err)
	}
	defer eng.Close()
	h, err := web.New(bot.New(eng, nil), web.Config{})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Register(mux)

	post := func(body string) (res struct {
		Entry, Conversation string
		ChoiceKind          string `json:"choice_kind"`
		Choices             []bot.Choice
		Action              *string // the decision: not sent to customers
	}) {
		req := httptest.NewRequest("POST", "/api/ask", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
			log.Fatalf("%d %s: %v", w.Code, w.Body, err)
		}
		return res
	}
	first := post(`{"query":"パスワードを変更したい"}`)
	fmt.Println(first.Entry, first.ChoiceKind, first.Choices[0].EntryID, first.Choices[1].EntryID, first.Action == nil)
	next := post(fmt.Sprintf(`{"choice":%q,"conversation":%q}`, first.Choices[1].EntryID, first.Conversation))
	fmt.Println(next.Entry, next.Conversation == first.Conversation)
	// Output:
	// change-password followups change-password-pc change-password-app true
	// change-password-app true
}

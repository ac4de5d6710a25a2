package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/faqbot/faqbot/adapters/web"
	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/faq"
)

// The console mounted on a server's mux: a question, then the tap on one of the follow-ups it
// offers, in the same conversation.
func ExampleHandler_Register() {
	c, _ := faq.LoadEmbedded()
	eng, _ := bot.NewEngine(context.Background(), c, "")
	defer eng.Close()
	h, _ := web.New(bot.New(eng, nil), web.Config{})
	mux := http.NewServeMux()
	h.Register(mux)

	post := func(body string) (res struct {
		Action, Entry, Conversation string
		Choices                     []bot.Choice
	}) {
		req := httptest.NewRequest("POST", "/api/ask", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		json.Unmarshal(w.Body.Bytes(), &res)
		return res
	}
	first := post(`{"query":"パスワードを変更したい"}`)
	fmt.Println(first.Action, first.Entry, first.Choices[0].EntryID, first.Choices[1].EntryID)
	next := post(fmt.Sprintf(`{"choice":%q,"conversation":%q}`, first.Choices[1].EntryID, first.Conversation))
	fmt.Println(next.Action, next.Entry, next.Conversation == first.Conversation)
	// Output:
	// ask_back change-password change-password-pc change-password-app
	// answer change-password-app true
}

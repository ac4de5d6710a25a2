package line

import (
	"context"
	"fmt"
	"net/http"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/faqbot/faqbot/adapters/internal/retry"
)

// api sends requests to the Messaging API, retrying 5xx and 429 answers. It is safe for
// concurrent use.
type api struct {
	hc       *http.Client
	endpoint string
	token    string
	policy   retry.Policy
}

// client returns a Messaging API client bound to ctx. The SDK's WithContext sets the context on
// the client itself, so a shared client would race: each call gets its own (they share hc and
// its connections, and cost a few small allocations).
func (c *api) client(ctx context.Context) (*messaging_api.MessagingApiAPI, error) {
	cl, err := messaging_api.NewMessagingApiAPI(c.token,
		messaging_api.WithHTTPClient(c.hc), messaging_api.WithEndpoint(c.endpoint))
	if err != nil {
		return nil, fmt.Errorf("line: api client: %w", err)
	}
	return cl.WithContext(ctx), nil
}

// The platforms that answer in the background (LINE here, Slack in serve_slack.go), and how
// they are drained when the server stops.

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/faqbot/faqbot/adapters/line"
)

// platform is an adapter that answers in the background and must be drained on shutdown.
type platform struct {
	name     string
	shutdown func(context.Context) error
	queued   func() int
	// lost counts the replies that did not go out since the adapter started: events dropped
	// and replies that failed.
	lost func() int64
}

// drain stops the server within grace plus a small constant, whatever the queues hold: the
// adapters stop taking events at once (their webhooks answer 503, for the platforms to deliver
// again elsewhere) and send the replies queued while the listener stays open, /readyz saying
// 503; when grace ends, the decisions and sends in progress are cancelled through their
// context and what is still queued is abandoned. Then the listener closes, the requests being
// served get a second to finish. It logs how many replies were not sent, and fails when any
// was lost.
func drain(log *slog.Logger, grace time.Duration, platforms []platform, srv *http.Server) error {
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	errs := make([]error, len(platforms))
	lost := make([]int64, len(platforms))
	var wg sync.WaitGroup
	for i, p := range platforms {
		before := p.lost()
		wg.Go(func() {
			if err := p.shutdown(sctx); err != nil {
				errs[i] = fmt.Errorf("%s: %w", p.name, err)
			}
			lost[i] = p.lost() - before
		})
	}
	wg.Wait()
	hctx, hcancel := context.WithTimeout(context.Background(), time.Second)
	defer hcancel()
	if err := srv.Shutdown(hctx); err != nil { // no new requests; the ones being read finish
		srv.Close()
	}
	var total int64
	attrs := []any{}
	for i, p := range platforms {
		total += lost[i]
		attrs = append(attrs, p.name+"_not_sent", lost[i])
	}
	if err := errors.Join(errs...); err != nil {
		log.Error("stopped before everything was sent", append(attrs, "replies_not_sent", total, "error", err)...)
		return fmt.Errorf("serve: shutdown: %w; %d replies not sent", err, total)
	}
	log.Info("stopped", append(attrs, "replies_not_sent", total)...)
	return nil
}

// startLine turns LINE on when its secret and token are set: POST /line/webhook on mux.
func (m *Main) startLine(st *state, mux *http.ServeMux) error {
	sc, log := &m.config, m.log
	if sc.lineSecret == "" || sc.lineToken == "" {
		lineOff(log, sc.lineSecret, sc.lineToken)
		return nil
	}
	lcfg := line.Config{ChannelSecret: sc.lineSecret, ChannelAccessToken: sc.lineToken, APIURL: sc.lineAPI,
		Logger: m.root, Store: st.store, Admitter: st.admit, Observer: st.observer, Feedback: st.feedback}
	la, err := line.New(m.bot, lcfg)
	if err != nil {
		return err
	}
	mux.Handle("POST /line/webhook", la)
	m.platforms = append(m.platforms, platform{"line", la.Shutdown, func() int { return la.Stats().Queued },
		func() int64 { s := la.Stats(); return s.Dropped + s.Failed }})
	log.Info("LINE is on", "path", "/line/webhook", "line", lcfg)
	return nil
}

// lineOff logs why LINE is off, naming the variable missing when only one of the two is set.
func lineOff(log *slog.Logger, secret, token string) {
	switch {
	case secret != "":
		log.Warn("LINE is off: LINE_CHANNEL_SECRET is set but LINE_CHANNEL_ACCESS_TOKEN is missing", "missing", "LINE_CHANNEL_ACCESS_TOKEN")
	case token != "":
		log.Warn("LINE is off: LINE_CHANNEL_ACCESS_TOKEN is set but LINE_CHANNEL_SECRET is missing", "missing", "LINE_CHANNEL_SECRET")
	default:
		log.Warn("LINE is off: set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN to turn it on")
	}
}

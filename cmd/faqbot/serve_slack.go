package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/faqbot/faqbot/adapters/slack"
)

// startSlack turns Slack on when its secrets are set: the HTTP endpoints on mux with a signing
// secret, Socket Mode (in the background, until Close) with an app token.
func (m *Main) startSlack(ctx context.Context, st *state, mux *http.ServeMux) error {
	sc, log, root, b, reindex := &m.config, m.log, m.root, m.bot, m.reindex
	if sc.slackBot == "" || (sc.slackSecret == "" && sc.slackApp == "") {
		slackOff(log, sc.slackBot, sc.slackSecret, sc.slackApp)
		return nil
	}
	cfg := slack.Config{
		SigningSecret: sc.slackSecret, BotToken: sc.slackBot, AppToken: sc.slackApp, APIURL: sc.slackAPI,
		Logger: root, Store: st.store, Seen: st.seen, Admitter: st.admit, Observer: st.observer, Feedback: st.feedback,
		Editors: splitList(sc.editors),
		Reindex: func(ctx context.Context) (string, error) {
			res, err := reindex(ctx, "slack")
			return res.String(), err
		},
	}
	a, err := slack.New(b, cfg)
	if err != nil {
		return err
	}
	m.platforms = append(m.platforms, platform{"slack", a.Shutdown, func() int { return a.Stats().Queued },
		func() int64 { s := a.Stats(); return s.Dropped + s.Failed }})
	if sc.slackSecret != "" {
		a.Register(mux)
		log.Info("Slack Events API is on", "paths", "/slack/events, /slack/commands, /slack/interactions", "slack", cfg)
	}
	if sc.slackApp != "" {
		sctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		m.stopBG = stop
		m.bg.Go(func() {
			if err := a.RunSocketMode(sctx); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("Slack Socket Mode stopped", "error", err)
			}
		})
		log.Info("Slack Socket Mode is on", "slack", cfg)
	}
	if len(cfg.Editors) == 0 {
		log.Info("no Slack editors: set FAQBOT_EDITORS to let users run /faq reindex")
	}
	return nil
}

// slackOff logs why Slack is off, naming the variable missing when only part of a way to connect
// is set: the bot token goes with a signing secret (Events API) or an app token (Socket Mode).
func slackOff(log *slog.Logger, botToken, signingSecret, appToken string) {
	switch {
	case botToken != "":
		log.Warn("Slack is off: SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET (Events API) nor SLACK_APP_TOKEN (Socket Mode)",
			"missing", "SLACK_SIGNING_SECRET or SLACK_APP_TOKEN")
	case signingSecret != "":
		log.Warn("Slack is off: SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is missing", "missing", "SLACK_BOT_TOKEN")
	case appToken != "":
		log.Warn("Slack is off: SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is missing", "missing", "SLACK_BOT_TOKEN")
	default:
		log.Warn("Slack is off: set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (Events API) or SLACK_APP_TOKEN (Socket Mode) to turn it on")
	}
}

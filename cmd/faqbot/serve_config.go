// The configuration of serve: flags whose defaults come from the environment, and secrets from
// the environment only.

package main

import (
	"flag"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/faqbot/faqbot/adapters/line"
)

// serveConfig is serve's configuration: flags whose defaults come from the environment, and
// secrets from the environment only.
type serveConfig struct {
	addr        string
	content     contentFlags
	grace       time.Duration
	logLevel    slog.Level
	userBurst   int
	userEvery   time.Duration
	ipBurst     int
	memLimit    int
	memHeadroom int
	debugAddr   string
	cache       int
	ipEvery     time.Duration
	lineAPI     string
	slackAPI    string
	editors     string
	debugDecide bool
	adminToken  string
	lineSecret  string
	lineToken   string
	slackSecret string
	slackBot    string
	slackApp    string
	shared      sharedFlags
}

func (sc *serveConfig) register(fs *flag.FlagSet, env *environment) {
	or := func(key, def string) string {
		if v := env.getenv(key); v != "" {
			return v
		}
		return def
	}
	dur := func(key string, def time.Duration) time.Duration {
		if d, err := time.ParseDuration(env.getenv(key)); err == nil {
			return d
		}
		return def
	}
	fs.StringVar(&sc.addr, "addr", or("FAQBOT_ADDR", ":8080"), "listen on `ADDR` (env FAQBOT_ADDR)")
	sc.content.register(fs, env, true)
	fs.Lookup("index").Usage = "keep the search index on disk in `DIR`, with the cache that makes a later start on the same " +
		"content fast (default: DIR/index of --data when there is one, else in memory; env FAQBOT_INDEX)"
	fs.DurationVar(&sc.grace, "shutdown-grace", dur("FAQBOT_SHUTDOWN_GRACE", 15*time.Second),
		"on SIGTERM, how long queued replies may take to go out (env FAQBOT_SHUTDOWN_GRACE)")
	_ = sc.logLevel.UnmarshalText([]byte(or("FAQBOT_LOG_LEVEL", "info")))
	fs.TextVar(&sc.logLevel, "log-level", sc.logLevel, "log `LEVEL`: debug, info, warn, error (env FAQBOT_LOG_LEVEL)")
	num := func(key string, def int) int {
		if n, err := strconv.Atoi(env.getenv(key)); err == nil {
			return n
		}
		return def
	}
	fs.IntVar(&sc.userBurst, "user-burst", num("FAQBOT_USER_BURST", 10),
		"messages one user (LINE, Slack, a web conversation) may send at once (env FAQBOT_USER_BURST)")
	fs.DurationVar(&sc.userEvery, "user-every", dur("FAQBOT_USER_EVERY", time.Second),
		"then one message per `DURATION`; 0: no limit (env FAQBOT_USER_EVERY)")
	fs.IntVar(&sc.ipBurst, "ip-burst", num("FAQBOT_IP_BURST", 60),
		"web requests one client address may send at once (env FAQBOT_IP_BURST)")
	fs.DurationVar(&sc.ipEvery, "ip-every", dur("FAQBOT_IP_EVERY", 100*time.Millisecond),
		"then one per `DURATION`; 0: no limit (env FAQBOT_IP_EVERY)")
	fs.StringVar(&sc.debugAddr, "debug-addr", env.getenv("FAQBOT_DEBUG_ADDR"),
		"serve Go's profiles (net/http/pprof) on `ADDR`, a loopback address kept apart from the main port; off when empty (env FAQBOT_DEBUG_ADDR)")
	fs.IntVar(&sc.memLimit, "memory-limit", num("FAQBOT_MEMORY_LIMIT", 100),
		"soft limit of the Go runtime's memory in `MiB` (runtime/debug.SetMemoryLimit; GOMEMLIMIT, when set, wins); 0: none (env FAQBOT_MEMORY_LIMIT)")
	fs.IntVar(&sc.memHeadroom, "memory-headroom", num("FAQBOT_MEMORY_HEADROOM", 50),
		"keep the memory limit at least this `PERCENT` of the live heap above it, so that a heap that outgrows the limit does not make the collector run back to back (env FAQBOT_MEMORY_HEADROOM)")
	fs.IntVar(&sc.cache, "decision-cache", num("FAQBOT_DECISION_CACHE", 10000),
		"remember the decisions of the last `N` distinct questions (never ones holding personal data); 0: off (env FAQBOT_DECISION_CACHE)")
	fs.StringVar(&sc.lineAPI, "line-api", or("FAQBOT_LINE_API_URL", line.DefaultAPIURL),
		"LINE Messaging API base `URL` (env FAQBOT_LINE_API_URL)")
	fs.StringVar(&sc.slackAPI, "slack-api", or("FAQBOT_SLACK_API_URL", "https://slack.com/api/"),
		"Slack Web API base `URL` (env FAQBOT_SLACK_API_URL)")
	fs.StringVar(&sc.editors, "editors", env.getenv("FAQBOT_EDITORS"),
		"comma-separated Slack user `IDS` allowed to run /faq reindex (env FAQBOT_EDITORS)")
	debugDecide, _ := strconv.ParseBool(env.getenv("FAQBOT_DEBUG_DECISIONS"))
	fs.BoolVar(&sc.debugDecide, "debug-decisions", debugDecide,
		"show everyone who opens the web chat the decision behind each reply, as editors see it: for a local run only (env FAQBOT_DEBUG_DECISIONS)")
	sc.shared.register(fs, env)
	sc.adminToken = env.getenv("FAQBOT_ADMIN_TOKEN")
	sc.lineSecret, sc.lineToken = env.getenv("LINE_CHANNEL_SECRET"), env.getenv("LINE_CHANNEL_ACCESS_TOKEN")
	sc.slackSecret, sc.slackBot, sc.slackApp = env.getenv("SLACK_SIGNING_SECRET"), env.getenv("SLACK_BOT_TOKEN"), env.getenv("SLACK_APP_TOKEN")
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

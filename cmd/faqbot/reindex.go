package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/faqbot/faqbot/bot"
)

// cmdReindex asks a running server to reload its content (POST /admin/reindex with the admin
// token). The server builds the new index beside the one serving and swaps it in; broken
// content is reported as file:line lines and the server keeps serving what it served.
func cmdReindex(ctx context.Context, env *environment, args []string) error {
	fs := env.flags("reindex", `reindex [--server URL]

Asks the running faqbot server to reload its content, without downtime. The admin token comes
from the environment (FAQBOT_ADMIN_TOKEN), as the server's does.`)
	def := env.getenv("FAQBOT_SERVER")
	if def == "" {
		def = "http://127.0.0.1" + portOf(env.getenv("FAQBOT_ADDR"))
	}
	server := fs.String("server", def, "the server's base `URL` (env FAQBOT_SERVER; default from FAQBOT_ADDR)")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after `DURATION`")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return exitError(2)
	}
	token := env.getenv("FAQBOT_ADMIN_TOKEN")
	if token == "" {
		fmt.Fprintln(env.stderr, "faqbot reindex: set FAQBOT_ADMIN_TOKEN to the server's admin token")
		return exitError(2)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(*server, "/")+"/admin/reindex", nil)
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	fmt.Fprintf(env.stderr, "reindexing %s …\n", *server)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	var out struct {
		bot.ReloadResult
		Error    string   `json:"error"`
		Code     string   `json:"code"`
		Problems []string `json:"problems"`
	}
	jsonErr := json.Unmarshal(body, &out)
	if resp.StatusCode == http.StatusNotFound {
		if jsonErr == nil && out.Code == adminOffCode {
			fmt.Fprintf(env.stderr, "faqbot reindex: the admin API of %s is off: start the server with FAQBOT_ADMIN_TOKEN set (or send it SIGHUP)\n", *server)
			return exitError(1)
		}
		// Not faqbot's answer: a wrong URL, a proxy, or a faqbot too old to say why.
		return fmt.Errorf("reindex: %s has no /admin/reindex (%s): is --server a faqbot server?", *server, resp.Status)
	}
	if jsonErr != nil {
		return fmt.Errorf("reindex: %s answered %s, not faqbot's JSON", *server, resp.Status)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		fmt.Fprintln(env.stdout, out.ReloadResult)
		return nil
	case http.StatusUnprocessableEntity:
		for _, p := range out.Problems {
			fmt.Fprintln(env.stderr, p)
		}
		fmt.Fprintf(env.stderr, "faqbot reindex: %s\n", out.Error)
		return exitError(1)
	case http.StatusUnauthorized:
		fmt.Fprintln(env.stderr, "faqbot reindex: the server refused the admin token")
		return exitError(1)
	}
	return fmt.Errorf("reindex: %s: %s", resp.Status, out.Error)
}

// portOf is the ":port" part of a listen address (":8080" when there is none).
func portOf(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i >= 0 && i < len(addr)-1 {
		return addr[i:]
	}
	return ":8080"
}

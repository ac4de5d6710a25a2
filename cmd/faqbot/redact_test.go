package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"redis://:s3cr3t@10.0.0.5:6379/0":                "redis://:***@10.0.0.5:6379/0",
		"redis://app:s3cr3t@redis.internal:6379/2":       "redis://app:***@redis.internal:6379/2",
		"rediss://default:p%40ss@host:6380":              "rediss://default:***@host:6380",
		"redis://127.0.0.1:6379/0":                       "redis://127.0.0.1:6379/0",
		"redis://host:6379/0?password=s3cr3t&protocol=3": "redis://host:6379/0?password=%2A%2A%2A&protocol=3",
		"redis://:s3cr3t@host:bad port":                  "(invalid URL)",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// The help of serve and report shows the default Redis URL, taken from the environment,
// with its password hidden.
func TestHelpHidesRedisPassword(t *testing.T) {
	for _, cmd := range []string{"serve", "report"} {
		var out, errOut bytes.Buffer
		getenv := func(k string) string {
			if k == "FAQBOT_REDIS_URL" {
				return "redis://:s3cr3t-pw@10.0.0.5:6379/0"
			}
			return ""
		}
		run(t.Context(), []string{cmd, "-h"}, getenv, strings.NewReader(""), &out, &errOut)
		help := out.String() + errOut.String()
		if strings.Contains(help, "s3cr3t") {
			t.Errorf("%s -h shows the password:\n%s", cmd, help)
		}
		if !strings.Contains(help, "redis://:***@10.0.0.5:6379/0") {
			t.Errorf("%s -h does not show the URL as redis://:***@…:\n%s", cmd, help)
		}
	}
}

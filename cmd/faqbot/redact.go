package main

import (
	"net/url"
	"strings"
)

// redisURLFlag is the value of --redis: its String, which -h prints as the default taken from
// FAQBOT_REDIS_URL, shows the password as "***".
type redisURLFlag struct{ p *string }

func (f redisURLFlag) String() string {
	if f.p == nil || *f.p == "" {
		return ""
	}
	return redactURL(*f.p)
}

func (f redisURLFlag) Set(s string) error {
	*f.p = s
	return nil
}

// redactURL is u with its password written "***" (redis://:***@host:6379/0), for logs and
// help texts; "(invalid URL)" when u does not parse (it may hold a password anywhere).
func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(invalid URL)"
	}
	user := ""
	if p.User != nil {
		if _, has := p.User.Password(); has {
			user = url.User(p.User.Username()).String() + ":***@" // url would escape the "*"
			p.User = nil
		}
	}
	q := p.Query()
	for k := range q {
		if k == "password" || k == "sentinel_password" {
			q.Set(k, "***")
		}
	}
	if len(q) > 0 {
		p.RawQuery = q.Encode()
	}
	if user == "" {
		return p.String()
	}
	return strings.Replace(p.String(), "://", "://"+user, 1)
}

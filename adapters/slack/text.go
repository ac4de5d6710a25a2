package slack

import "strings"

// unescape undoes Slack's escapes; built once (a Replacer is costly to build).
var unescape = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// plainQuestion turns the text of a Slack message into what the user typed: mentions go (the
// bot's own and others'), links become their label or their address (Slack turns e-mail
// addresses and phone numbers into mailto: and tel: links, which the personal-data detection
// must still see), and the escapes &lt; &gt; &amp; are undone.
func plainQuestion(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		b.WriteString(link(s[i+1 : i+j]))
		s = s[i+j+1:]
	}
	out := unescape.Replace(b.String())
	return strings.Join(strings.Fields(out), " ")
}

// link renders the inside of one <…> of Slack markup.
func link(in string) string {
	addr, label, labelled := strings.Cut(in, "|")
	switch {
	case strings.HasPrefix(addr, "@"), strings.HasPrefix(addr, "!"):
		return " " // a user, a user group, @here, @channel
	case strings.HasPrefix(addr, "#"):
		if labelled {
			return " #" + label + " "
		}
		return " "
	case labelled:
		return label
	}
	for _, scheme := range []string{"mailto:", "tel:"} {
		if rest, ok := strings.CutPrefix(addr, scheme); ok {
			return rest
		}
	}
	return addr
}

package nlu

import (
	"context"
	"sync"
	"testing"

	"github.com/faqbot/faqbot/faq"
	"github.com/faqbot/faqbot/faq/analysis"
)

// Shipped builds one matcher over the shipped content for all tests of the package, inside it
// and outside (nlu_test).
var Shipped = sync.OnceValues(func() (*Matcher, error) {
	c, err := faq.LoadEmbedded()
	if err != nil {
		return nil, err
	}
	ix, err := faq.NewIndex(context.Background(), c, "")
	if err != nil {
		return nil, err
	}
	return New(ix), nil
})

func shippedForTest(t *testing.T) *Matcher {
	t.Helper()
	m, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// reads checks a predicate on the analyses of questions, as Decide analyses them.
func reads(t *testing.T, m *Matcher, name string, f func(analysis.Analysis) bool, want map[string]bool) {
	t.Helper()
	for q, w := range want {
		if got := f(m.an.Analyze(analysis.Normalize(strip(q)))); got != w {
			t.Errorf("%s(%q) = %v, want %v", name, q, got, w)
		}
	}
}

// A question is about another organisation when it names one that the content never names
// (by its part of speech, or "another company" in so many words), unless it sets it aside;
// the content's own services (ポケトラ, an organisation to the dictionary) are not another's.
func TestElsewhere(t *testing.T) {
	m := shippedForTest(t)
	reads(t, m, "elsewhere", m.elsewhere, map[string]bool{
		"ヤフーのパスワードも変えたほうがいい?":                              true,
		"ドコモから情報漏えいのお知らせが来た":                               true,
		"他社の流出の件で聞きたい":                                     true,
		"another company had a breach, what about theirs?": true,
		"ドコモの話じゃなくて、御社の漏えい件数を知りたい":                         false,
		"ポケトラのパスワードを変えたい":                                  false,
		"パスワードを変えたい":                                       false,
		"was my address leaked?":                           false,
		"pwを変えたい":                                          false, // an unknown Latin word is an organisation to kagome
	})
}

// Every entry's confidence is cut for a question about another organisation: the out-of-scope
// examples are not, so they read it better.
func TestElsewhereFactor(t *testing.T) {
	m := shippedForTest(t)
	off := m.cfg
	off.ElsewhereFactor = 1
	q := "ヤフーのパスワードも変えたほうがいい?"
	cut, err := m.read(context.Background(), q, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	full, err := m.WithConfig(off).read(context.Background(), q, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := full.best.confidence * m.cfg.ElsewhereFactor; cut.best.confidence > want+1e-9 {
		t.Errorf("best entry's confidence %.3f, want at most %.3f (%.3f × elsewhere_factor)", cut.best.confidence, want, full.best.confidence)
	}
	if cut.outside != full.outside {
		t.Errorf("out-of-scope confidence %.3f, want %.3f: the factor is for entries only", cut.outside, full.outside)
	}
}

// A field is owned when someone in particular owns it in so many words, in any script the
// question is written in; a field or a person alone is not.
func TestOwnedField(t *testing.T) {
	m := shippedForTest(t)
	reads(t, m, "ownedField", m.ownedField, map[string]bool{
		"私の住所は漏れた?":                                    true,
		"母の携帯番号は流出しましたか":                               true,
		"ご本人のメールアドレスが漏えい対象か知りたいとのこと":                   true,
		"haha no denwa bangou wa moremashita ka":       true,
		"was my phone number leaked?":                  true,
		"cx wants to know if their own address leaked": true,
		"is my mom's email in the leak?":               true,
		"どんな情報が漏れたんですか":                                false,
		"私は対象ですか":                                      false,
		"what kind of information leaked?":             false,
		"i changed my password, did the address leak?": false,
	})
}

func TestContrasted(t *testing.T) {
	for in, want := range map[string]string{
		"年金機構の話じゃなくて、御社の件で漏れた人数は?": "御社の件で漏れた人数は?",
		"初期パスワードではなく今のパスワードは?":     "今のパスワードは?",
		"A じゃなくて B ではなくて C":        "C",
		"漏れたのは住所じゃなくて?":            "漏れたのは住所じゃなくて?", // nothing after it
		"パスワードは漏れた?":               "パスワードは漏れた?",
	} {
		if got := contrasted(in); got != want {
			t.Errorf("contrasted(%q) = %q, want %q", in, got, want)
		}
	}
}

// A request for a call-back quoted from a message the writer received is not the writer asking
// for a person; said in their own words, it is.
func TestQuotedRequestForPerson(t *testing.T) {
	m := shippedForTest(t)
	for q, want := range map[string]bool{
		"「担当者より至急お電話ください」という封書が届きました、本物ですか":                         false,
		"I got a text: \"call back our agent today\" - is it real?": false,
		"担当者と直接話したいです":                                              true,
		"can i talk to someone about \"the leak\"?":                 true,
	} {
		d, err := m.Decide(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Reason == "asked for a person"; got != want {
			t.Errorf("%q: asked for a person = %v (%s %s), want %v", q, got, d.Action, d.Reason, want)
		}
	}
	if got, want := unquoted("a「b」c“d”e\"f\"g「h"), "a c e g"; got != want {
		t.Errorf("unquoted = %q, want %q", got, want)
	}
}

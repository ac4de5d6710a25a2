package admin

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Cookies of the console. Both are scoped to /admin/.
const (
	// SessionCookie holds a signed session: when it ends and a random id.
	SessionCookie = "faqbot_admin"
	// signInCookie holds the random value the sign-in form must repeat (double submit), so
	// that a sign-in cannot be forged from another site either.
	signInCookie = "faqbot_admin_signin"
	cookiePath   = "/admin/"
)

// keys are derived from the admin token: every replica started with the same token accepts the
// sessions of the others, and changing the token signs everybody out.
type keys struct {
	token   []byte // "Bearer " is not part of it
	session []byte // signs session cookies
	csrf    []byte // derives a session's CSRF token
}

func newKeys(token string) keys {
	derive := func(purpose string) []byte {
		m := hmac.New(sha256.New, []byte(token))
		m.Write([]byte("faqbot admin console: " + purpose))
		return m.Sum(nil)
	}
	return keys{token: []byte(token), session: derive("session"), csrf: derive("csrf")}
}

// tokenOK compares a presented token with the admin token in constant time (in the length of
// the presented one: hashing both first keeps the length of the token out of the timing too).
func (k keys) tokenOK(presented string) bool {
	a, b := sha256.Sum256([]byte(presented)), sha256.Sum256(k.token)
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1 && len(k.token) > 0
}

func mac(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

var b64 = base64.RawURLEncoding

// session is a signed-in editor's session: an id and when it ends.
type session struct {
	id      []byte // 16 random bytes
	expires time.Time
}

// newSession returns a session ending after ttl.
func newSession(now time.Time, ttl time.Duration) session {
	id := make([]byte, 16)
	rand.Read(id)
	return session{id: id, expires: now.Add(ttl)}
}

// key names the session in a list of revoked sessions: its id, base64.
func (s session) key() string { return b64.EncodeToString(s.id) }

// localRevocations are the sessions signed out in this process, each until it would have ended.
// It is safe for concurrent use; the zero value is empty.
type localRevocations struct {
	mu    sync.Mutex
	until map[string]time.Time
}

func (l *localRevocations) add(key string, until, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.until == nil {
		l.until = map[string]time.Time{}
	}
	for k, t := range l.until { // forget those that ended anyway (sign-outs are rare)
		if !now.Before(t) {
			delete(l.until, k)
		}
	}
	l.until[key] = until
}

func (l *localRevocations) has(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	t, ok := l.until[key]
	return ok && now.Before(t)
}

// encode is the cookie value: base64(expiry ‖ id) "." base64(HMAC).
func (k keys) encode(s session) string {
	payload := binary.BigEndian.AppendUint64(nil, uint64(s.expires.Unix()))
	payload = append(payload, s.id...)
	return b64.EncodeToString(payload) + "." + b64.EncodeToString(mac(k.session, payload))
}

// decode checks a cookie value; ok is false when it is forged, malformed or expired.
func (k keys) decode(v string, now time.Time) (session, bool) {
	p, sig, found := strings.Cut(v, ".")
	if !found {
		return session{}, false
	}
	payload, err1 := b64.DecodeString(p)
	got, err2 := b64.DecodeString(sig)
	if err1 != nil || err2 != nil || len(payload) != 8+16 {
		return session{}, false
	}
	if !hmac.Equal(got, mac(k.session, payload)) {
		return session{}, false
	}
	s := session{expires: time.Unix(int64(binary.BigEndian.Uint64(payload)), 0), id: payload[8:]}
	if !now.Before(s.expires) {
		return session{}, false
	}
	return s, true
}

// csrfToken is the CSRF token of a session, which every form of the console carries.
func (k keys) csrfToken(s session) string {
	return b64.EncodeToString(mac(k.csrf, []byte("session"), s.id))
}

// signInToken is the CSRF token the sign-in form carries for the random value of its cookie.
func (k keys) signInToken(nonce string) string {
	return b64.EncodeToString(mac(k.csrf, []byte("sign-in"), []byte(nonce)))
}

// equal compares two tokens in constant time.
func equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 && a != ""
}

// failures limits failed sign-ins per client address: Burst at once, then one per Every. A
// client over the limit is refused before its token is even looked at. It is safe for
// concurrent use.
type failures struct {
	every time.Duration
	burst int

	mu    sync.Mutex
	keys  map[string]*rate.Limiter
	swept time.Time
}

func newFailures(every time.Duration, burst int) *failures {
	return &failures{every: every, burst: burst, keys: map[string]*rate.Limiter{}}
}

// blocked tells whether key may not try again at now, and when it may.
func (f *failures) blocked(key string, now time.Time) (bool, time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.keys[key]
	if l == nil || l.TokensAt(now) >= 1 {
		return false, 0
	}
	missing := 1 - l.TokensAt(now)
	return true, time.Duration(missing * float64(f.every))
}

// failed counts a failed sign-in of key at now.
func (f *failures) failed(key string, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if now.Sub(f.swept) > time.Duration(f.burst)*f.every {
		// Forget the addresses whose bucket is full again: memory follows the attackers.
		for k, l := range f.keys {
			if l.TokensAt(now) >= float64(f.burst) {
				delete(f.keys, k)
			}
		}
		f.swept = now
	}
	l := f.keys[key]
	if l == nil {
		l = rate.NewLimiter(rate.Every(f.every), f.burst)
		f.keys[key] = l
	}
	l.AllowN(now, 1)
}

// bearer is the token of an "Authorization: Bearer …" header ("" when none).
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

package bot

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/jp"

	"github.com/faqbot/faqbot/faq"
)

// JST is Japan Standard Time. Japan has no daylight saving time, so a fixed zone is exact and
// needs no time zone database.
var JST = time.FixedZone("JST", 9*60*60)

// DeskHours tells whether the customer desk is open: its hours on Japanese business days,
// closed on weekends and Japanese public holidays. It is safe for concurrent use.
type DeskHours struct {
	cal *cal.BusinessCalendar
}

// NewDeskHours returns the desk hours of d ("09:00"–"17:00" Japan time).
func NewDeskHours(d faq.Desk) *DeskHours {
	c := cal.NewBusinessCalendar()
	c.AddHoliday(jp.Holidays...)
	c.SetWorkHours(clock(d.Open, 9*time.Hour), clock(d.Close, 17*time.Hour))
	return &DeskHours{cal: c}
}

func clock(hhmm string, def time.Duration) time.Duration {
	h, m, ok := strings.Cut(hhmm, ":")
	if !ok {
		return def
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil {
		return def
	}
	return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute
}

// calMu serialises the use of rickar/cal's Japanese holidays: computing Vernal Equinox Day
// writes to the shared jp.VernalEquinoxDay (rickar/cal v2.1.13), a data race when two
// goroutines ask at once.
var calMu sync.Mutex

// Open reports whether the desk is open at t.
func (h *DeskHours) Open(t time.Time) bool {
	calMu.Lock()
	defer calMu.Unlock()
	return h.open(t.In(JST))
}

func (h *DeskHours) open(t time.Time) bool {
	return h.cal.IsWorkday(t) && h.cal.IsWorkTime(t)
}

// NextOpen returns when the desk next opens after t (t itself if it is open), in Japan time.
func (h *DeskHours) NextOpen(t time.Time) time.Time {
	calMu.Lock()
	defer calMu.Unlock()
	t = t.In(JST)
	if h.open(t) {
		return t
	}
	if h.cal.IsWorkday(t) {
		if start := h.cal.WorkdayStart(t); t.Before(start) {
			return start
		}
	}
	return h.cal.NextWorkdayStart(t)
}

var weekdaysJA = [...]string{"日", "月", "火", "水", "木", "金", "土"}

// formatNext renders an opening time relative to now, in lang.
func formatNext(next, now time.Time, lang faq.Lang) string {
	next, now = next.In(JST), now.In(JST)
	dayAfter := func(d int) bool {
		y, m, dd := now.AddDate(0, 0, d).Date()
		ny, nm, nd := next.Date()
		return y == ny && m == nm && dd == nd
	}
	if lang == faq.English {
		switch {
		case dayAfter(0):
			return "today at " + next.Format("15:04")
		case dayAfter(1):
			return "tomorrow at " + next.Format("15:04")
		}
		return next.Format("Monday 2 January at 15:04")
	}
	hm := fmt.Sprintf("%d:%02d", next.Hour(), next.Minute())
	switch {
	case dayAfter(0):
		return "本日" + hm
	case dayAfter(1):
		return "明日" + hm
	}
	return fmt.Sprintf("%d月%d日(%s)%s", next.Month(), next.Day(), weekdaysJA[next.Weekday()], hm)
}

package bot

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/jp"

	"github.com/faqbot/faqbot/faq"
)

// JST is Japan Standard Time. Japan has no daylight saving time, so a fixed zone is exact and
// needs no time zone database.
var JST = time.FixedZone("JST", 9*60*60)

// DeskHours tells whether the customer desk is open: its hours on Japanese business days,
// closed on weekends, Japanese public holidays and the company's closures. It is safe for
// concurrent use.
type DeskHours struct {
	cal *cal.BusinessCalendar
	// closures are the names of the company's closures, by the Name of their cal.Holiday days.
	closures map[string]faq.Localized
	// last remembers the last minute Open was asked about and its answer, as minute<<1 | open
	// (0: none): whether the desk is open changes only on the minute — its hours are whole
	// minutes, its closures and holidays whole days — and every hand-off reply asks.
	last atomic.Int64
}

// NewDeskHours returns the desk hours of d ("09:00"–"17:00" Japan time, and its closures).
func NewDeskHours(d faq.Desk) *DeskHours {
	c := cal.NewBusinessCalendar()
	c.AddHoliday(jp.Holidays...)
	c.SetWorkHours(clock(d.Open, 9*time.Hour), clock(d.Close, 17*time.Hour))
	h := &DeskHours{cal: c, closures: map[string]faq.Localized{}}
	for i, cl := range d.Closures {
		key := "closure:" + strconv.Itoa(i)
		h.closures[key] = cl.Name
		c.AddHoliday(closureDays(key, cl)...)
	}
	return h
}

// closureDays are the days of a closure as holidays: one per day of the month of an annual
// span (which may run into the next year), or of the year of a dated one.
func closureDays(key string, cl faq.Closure) []*cal.Holiday {
	annual := len(cl.From) == 5
	layout, ref := "2006-01-02", ""
	if annual {
		ref = "2000-" // a leap year, so that 02-29 is a day
	}
	from, err1 := time.Parse(layout, ref+cl.From)
	to, err2 := time.Parse(layout, ref+cl.To)
	if err1 != nil || err2 != nil { // faq.Load checked them: not reached
		return nil
	}
	if to.Before(from) {
		to = to.AddDate(1, 0, 0)
	}
	var out []*cal.Holiday
	for d := from; !d.After(to) && len(out) < 366; d = d.AddDate(0, 0, 1) {
		h := &cal.Holiday{Name: key, Type: cal.ObservanceOther, Month: d.Month(), Day: d.Day(), Func: dayOfMonth}
		if !annual {
			h.StartYear, h.EndYear = d.Year(), d.Year()
		}
		out = append(out, h)
	}
	return out
}

// dayOfMonth is the holiday's day in year, or none when the year has no such day: an annual
// 02-29 closes on leap years only (cal.CalcDayOfMonth would make it March 1st).
func dayOfMonth(h *cal.Holiday, year int) time.Time {
	d := cal.CalcDayOfMonth(h, year)
	if d.Day() != h.Day {
		return time.Time{}
	}
	return d
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
	minute := t.Truncate(time.Minute).Unix() / 60
	if last := h.last.Load(); last != 0 && last>>1 == minute {
		return last&1 == 1
	}
	calMu.Lock()
	open := h.open(t.In(JST))
	calMu.Unlock()
	last := minute << 1
	if open {
		last |= 1
	}
	h.last.Store(last)
	return open
}

// open: within the hours of a workday, closing time excluded (17:00:00 is closed; rickar/cal
// counts the end as work time).
func (h *DeskHours) open(t time.Time) bool {
	return h.cal.IsWorkday(t) && h.cal.IsWorkTime(t) && t.Before(h.cal.WorkdayEnd(t))
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

// Closure returns the name of the company closure, if any, among the days from t to next (the
// desk closed all along): what keeps the desk closed besides the night, weekends and holidays.
func (h *DeskHours) Closure(t, next time.Time) (faq.Localized, bool) {
	calMu.Lock()
	defer calMu.Unlock()
	t, next = t.In(JST), next.In(JST)
	for d := t; d.Before(next); d = d.AddDate(0, 0, 1) {
		if _, observed, hol := h.cal.IsHoliday(d); observed && hol != nil {
			if name, ok := h.closures[hol.Name]; ok {
				return name, true
			}
		}
	}
	return nil, false
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

// nextOpenText is when the desk opens next, relative to now, with the company closure that
// keeps it closed until then, if any: "1月4日(月)9:00(年末年始休業)".
func nextOpenText(h *DeskHours, now time.Time, lang faq.Lang) string {
	next := h.NextOpen(now)
	s := formatNext(next, now, lang)
	if name, ok := h.Closure(now, next); ok {
		if n := name.In(lang); n != "" {
			if lang == faq.English {
				return s + " (" + n + ")"
			}
			return s + "(" + n + ")"
		}
	}
	return s
}

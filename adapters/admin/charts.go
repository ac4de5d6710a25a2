package admin

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/faqbot/faqbot/bot"
	"github.com/faqbot/faqbot/bot/record"
)

// The charts are SVG written here, styled by classes of the style sheet (no inline style, which
// the content security policy forbids), each with a title and a text alternative.

// charts are the dashboard's charts, as markup.
type charts struct {
	Outcomes, Platforms, Handoffs, Helpful template.HTML
}

// series is one coloured part of a chart: its name and the class that colours it.
type series struct{ Name, Class string }

// outcomeSeries are the outcomes of a reply, in the order they are stacked.
var outcomeSeries = []series{
	{"answered", "c-answered"}, {"asked back", "c-asked"}, {"handed off", "c-handoff"}, {"unanswered", "c-unanswered"},
}

// platformClass is the class of a platform's colour.
func platformClass(p string) string {
	switch p {
	case "line", "slack", "web":
		return "c-" + p
	}
	return "c-other"
}

// Palette is every colour the charts use, by class, on the page's background (#ffffff): each
// has a contrast ratio of at least 4.5:1 with it (TestPalette).
var Palette = map[string]string{
	"c-answered":   "#1d6b38",
	"c-asked":      "#1f4e99",
	"c-handoff":    "#8c4600",
	"c-unanswered": "#a4162c",
	"c-line":       "#1d6b38",
	"c-slack":      "#6a2c91",
	"c-web":        "#1f4e99",
	"c-other":      "#595959",
	"c-rate":       "#1f4e99",
}

func dashboardCharts(r record.Report) charts {
	labels := make([]string, len(r.Buckets))
	layout := "01-02"
	if r.Step == "hour" {
		layout = "15:00"
	}
	for i, b := range r.Buckets {
		labels[i] = b.Start.In(bot.JST).Format(layout)
	}
	full := func(i int) string {
		if r.Step == "hour" {
			return r.Buckets[i].Start.In(bot.JST).Format("2006-01-02 15:00")
		}
		return r.Buckets[i].Start.In(bot.JST).Format("2006-01-02")
	}
	step := "day"
	if r.Step == "hour" {
		step = "hour"
	}

	byOutcome := make([][]int, len(r.Buckets))
	for i, b := range r.Buckets {
		var o record.Outcomes
		for _, po := range b.Platforms {
			o.Answered += po.Answered
			o.AskedBack += po.AskedBack
			o.HandedOff += po.HandedOff
			o.Unanswered += po.Unanswered
		}
		byOutcome[i] = []int{o.Answered, o.AskedBack, o.HandedOff, o.Unanswered}
	}
	var ps []series
	for _, p := range r.Platforms {
		ps = append(ps, series{p, platformClass(p)})
	}
	byPlatform := make([][]int, len(r.Buckets))
	for i, b := range r.Buckets {
		for _, p := range r.Platforms {
			byPlatform[i] = append(byPlatform[i], b.Platforms[p].Total())
		}
	}

	var ho []bar
	for _, h := range r.Handoffs {
		label := h.Entry
		if label == "" {
			label = "(no entry: " + h.Reason + ")"
		}
		ho = append(ho, bar{label, h.Count})
	}
	return charts{
		Outcomes:  stacked("chart-outcomes", "Questions per "+step+" by outcome", labels, full, outcomeSeries, byOutcome),
		Platforms: stacked("chart-platforms", "Questions per "+step+" by platform", labels, full, ps, byPlatform),
		Handoffs:  bars("chart-handoffs", "Hand-offs to the desk per entry", ho),
		Helpful:   rates("chart-helpful", "“Helpful” rate per entry, with its 95% Wilson interval", r.Helpful),
	}
}

// niceMax rounds n up to a number the axis can show in quarters.
func niceMax(n int) int {
	if n <= 4 {
		return 4
	}
	mag := int(math.Pow(10, math.Floor(math.Log10(float64(n)))))
	for _, m := range []int{1, 2, 4, 5, 8, 10} {
		if m*mag >= n && (m*mag)%4 == 0 {
			return m * mag
		}
	}
	return 10 * mag
}

var esc = template.HTMLEscapeString

// stacked is a chart of stacked bars: values[i][j] is series j of bar i.
func stacked(id, title string, labels []string, tip func(int) string, ser []series, values [][]int) template.HTML {
	const w, h, left, right, top, bottom = 760.0, 240.0, 44.0, 8.0, 12.0, 28.0
	max := 0
	for _, vs := range values {
		t := 0
		for _, v := range vs {
			t += v
		}
		max = int(math.Max(float64(max), float64(t)))
	}
	ym := niceMax(max)
	pw, ph := w-left-right, h-top-bottom
	var sb strings.Builder
	fmt.Fprintf(&sb, `<figure class="chart"><svg id="%s" class="chart" viewBox="0 0 %g %g" role="img" aria-labelledby="%s-t %s-d">`, id, w, h, id, id)
	fmt.Fprintf(&sb, `<title id="%s-t">%s</title>`, id, esc(title))
	total := 0
	for _, vs := range values {
		for _, v := range vs {
			total += v
		}
	}
	fmt.Fprintf(&sb, `<desc id="%s-d">%d questions in %d bars; the table below the chart has the totals.</desc>`, id, total, len(values))
	for q := 0; q <= 4; q++ {
		y := top + ph - ph*float64(q)/4
		fmt.Fprintf(&sb, `<line class="grid" x1="%g" x2="%g" y1="%.1f" y2="%.1f"/>`, left, w-right, y, y)
		fmt.Fprintf(&sb, `<text class="axis" x="%g" y="%.1f" text-anchor="end">%d</text>`, left-6, y+4, ym*q/4)
	}
	n := len(values)
	if n > 0 {
		slot := pw / float64(n)
		bw := slot * 0.75
		every := int(math.Ceil(float64(n) / 10))
		for i, vs := range values {
			x := left + slot*float64(i) + (slot-bw)/2
			y := top + ph
			for j, v := range vs {
				if v == 0 {
					continue
				}
				bh := ph * float64(v) / float64(ym)
				y -= bh
				fmt.Fprintf(&sb, `<rect class="bar %s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s: %s %d</title></rect>`,
					ser[j].Class, x, y, bw, bh, esc(tip(i)), esc(ser[j].Name), v)
			}
			if i%every == 0 {
				fmt.Fprintf(&sb, `<text class="axis" x="%.1f" y="%g" text-anchor="middle">%s</text>`, x+bw/2, h-8, esc(labels[i]))
			}
		}
	}
	if total == 0 {
		fmt.Fprintf(&sb, `<text class="empty" x="%g" y="%g" text-anchor="middle">No questions in this range</text>`, left+pw/2, top+ph/2)
	}
	sb.WriteString(`</svg>`)
	legend(&sb, ser)
	sb.WriteString(`</figure>`)
	return template.HTML(sb.String())
}

func legend(sb *strings.Builder, ser []series) {
	sb.WriteString(`<ul class="legend">`)
	for _, s := range ser {
		fmt.Fprintf(sb, `<li><svg class="swatch" viewBox="0 0 12 12" aria-hidden="true"><rect class="%s" width="12" height="12"/></svg>%s</li>`, s.Class, esc(s.Name))
	}
	sb.WriteString(`</ul>`)
}

type bar struct {
	Label string
	N     int
}

// rowLabel shortens a label to what the left column of a row chart holds.
func rowLabel(s string) string {
	if r := []rune(s); len(r) > 30 {
		return string(r[:29]) + "…"
	}
	return s
}

// bars is a chart of horizontal bars, one row each.
func bars(id, title string, rows []bar) template.HTML {
	const w, left, right, rowH, top = 760.0, 250.0, 50.0, 24.0, 6.0
	h := top*2 + rowH*math.Max(1, float64(len(rows)))
	max := 1
	for _, r := range rows {
		max = int(math.Max(float64(max), float64(r.N)))
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<figure class="chart"><svg id="%s" class="chart" viewBox="0 0 %g %g" role="img" aria-labelledby="%s-t">`, id, w, h, id)
	fmt.Fprintf(&sb, `<title id="%s-t">%s</title>`, id, esc(title))
	for i, r := range rows {
		y := top + rowH*float64(i)
		bw := (w - left - right) * float64(r.N) / float64(max)
		fmt.Fprintf(&sb, `<text class="label" x="%g" y="%.1f" text-anchor="end">%s</text>`, left-8, y+rowH/2+4, esc(rowLabel(r.Label)))
		fmt.Fprintf(&sb, `<rect class="bar c-handoff" x="%g" y="%.1f" width="%.1f" height="%g"><title>%s: %d</title></rect>`, left, y+4, bw, rowH-8, esc(r.Label), r.N)
		fmt.Fprintf(&sb, `<text class="value" x="%.1f" y="%.1f">%d</text>`, left+bw+6, y+rowH/2+4, r.N)
	}
	if len(rows) == 0 {
		fmt.Fprintf(&sb, `<text class="empty" x="%g" y="%g" text-anchor="middle">No hand-offs in this range</text>`, w/2, top+rowH/2+4)
	}
	sb.WriteString(`</svg></figure>`)
	return template.HTML(sb.String())
}

// rates is a chart of the helpful rate of each entry: a dot at the rate on a line across its
// interval.
func rates(id, title string, rows []record.HelpfulRate) template.HTML {
	const w, left, right, rowH, top, axis = 760.0, 250.0, 150.0, 24.0, 6.0, 22.0
	h := top + rowH*math.Max(1, float64(len(rows))) + axis
	pw := w - left - right
	x := func(f float64) float64 { return left + pw*f }
	var sb strings.Builder
	fmt.Fprintf(&sb, `<figure class="chart"><svg id="%s" class="chart" viewBox="0 0 %g %g" role="img" aria-labelledby="%s-t">`, id, w, h, id)
	fmt.Fprintf(&sb, `<title id="%s-t">%s</title>`, id, esc(title))
	base := top + rowH*math.Max(1, float64(len(rows)))
	for q := 0; q <= 4; q++ {
		xx := x(float64(q) / 4)
		fmt.Fprintf(&sb, `<line class="grid" x1="%.1f" x2="%.1f" y1="%g" y2="%g"/>`, xx, xx, top, base)
		fmt.Fprintf(&sb, `<text class="axis" x="%.1f" y="%g" text-anchor="middle">%d%%</text>`, xx, base+16, q*25)
	}
	for i, r := range rows {
		y := top + rowH*float64(i) + rowH/2
		n := r.Helpful + r.NotHelpful
		tip := fmt.Sprintf("%s: %.0f%% helpful (95%% interval %.0f–%.0f%%), %d answers", r.Entry, r.Rate*100, r.Low*100, r.High*100, n)
		fmt.Fprintf(&sb, `<text class="label" x="%g" y="%.1f" text-anchor="end">%s</text>`, left-8, y+4, esc(rowLabel(r.Entry)))
		fmt.Fprintf(&sb, `<g class="rate"><title>%s</title>`, esc(tip))
		fmt.Fprintf(&sb, `<line class="interval c-rate" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, x(r.Low), x(r.High), y, y)
		fmt.Fprintf(&sb, `<line class="interval c-rate" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, x(r.Low), x(r.Low), y-5, y+5)
		fmt.Fprintf(&sb, `<line class="interval c-rate" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, x(r.High), x(r.High), y-5, y+5)
		fmt.Fprintf(&sb, `<circle class="point c-rate" cx="%.1f" cy="%.1f" r="5"/></g>`, x(r.Rate), y)
		fmt.Fprintf(&sb, `<text class="value" x="%g" y="%.1f">%.0f%% (%.0f–%.0f), n=%d</text>`, w-right+8, y+4, r.Rate*100, r.Low*100, r.High*100, n)
	}
	if len(rows) == 0 {
		fmt.Fprintf(&sb, `<text class="empty" x="%g" y="%g" text-anchor="middle">No feedback in this range</text>`, w/2, top+rowH/2+4)
	}
	sb.WriteString(`</svg></figure>`)
	return template.HTML(sb.String())
}

package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/faqbot/faqbot/bot"
)

// rgb is a colour of the sRGB space, 0–255 per channel.
type rgb struct{ r, g, b uint8 }

// defaultBrand is the page's colour when the content names none.
var defaultBrand = rgb{0x1f, 0x4e, 0x79}

var (
	white = rgb{0xff, 0xff, 0xff}
	black = rgb{0, 0, 0}
	// inkGround is the darkest background the brand's ink (links, outlined buttons) is drawn
	// on: the page behind the bubbles. Bubbles, buttons and the notice are lighter.
	inkGround = rgb{0xe9, 0xee, 0xf4}
)

// minContrast is WCAG 2's AA ratio for normal text.
const minContrast = 4.5

// parseHex reads "#rrggbb" (the form bot.Brand.Color is checked to have).
func parseHex(s string) (rgb, bool) {
	if len(s) != 7 || s[0] != '#' {
		return rgb{}, false
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return rgb{}, false
	}
	return rgb{uint8(v >> 16), uint8(v >> 8), uint8(v)}, true
}

func (c rgb) hex() string { return fmt.Sprintf("#%02x%02x%02x", c.r, c.g, c.b) }

// luminance is the relative luminance of c (WCAG 2).
func (c rgb) luminance() float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.r) + 0.7152*lin(c.g) + 0.0722*lin(c.b)
}

// contrast is the WCAG 2 contrast ratio of two colours, from 1 to 21.
func contrast(a, b rgb) float64 {
	la, lb := a.luminance(), b.luminance()
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// onColor is the text colour for a background: white or black, whichever contrasts more. The
// better of the two is always at least 4.58:1, so any brand colour gets readable text.
func onColor(bg rgb) rgb {
	if contrast(white, bg) >= contrast(black, bg) {
		return white
	}
	return black
}

// ink is c darkened, in steps towards black, until text of it reads at minContrast on
// ground: the brand colour itself when it already does. White text on ink reads at least as
// well, ground being lighter than ink.
func ink(c, ground rgb) rgb {
	for i := 0; i <= 100; i++ {
		f := 1 - float64(i)/100
		d := rgb{uint8(math.Round(float64(c.r) * f)), uint8(math.Round(float64(c.g) * f)), uint8(math.Round(float64(c.b) * f))}
		if contrast(d, ground) >= minContrast {
			return d
		}
	}
	return black
}

// palette is the colours the page takes from the brand.
type palette struct {
	brand, onBrand, ink rgb
}

func brandPalette(b bot.Brand) palette {
	c, ok := parseHex(b.Color)
	if !ok {
		c = defaultBrand
	}
	return palette{brand: c, onBrand: onColor(c), ink: ink(c, inkGround)}
}

// css is the style sheet of the brand: custom properties that style.css uses.
func (p palette) css() string {
	var b strings.Builder
	b.WriteString("/* The brand of faqbot.yaml; text colours chosen for a contrast of at least 4.5:1. */\n:root {\n")
	fmt.Fprintf(&b, "  --brand: %s;\n  --on-brand: %s;\n  --ink: %s;\n  --on-ink: #ffffff;\n", p.brand.hex(), p.onBrand.hex(), p.ink.hex())
	b.WriteString("}\n")
	return b.String()
}

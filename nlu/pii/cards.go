// Card numbers ([Card]) and My Numbers ([MyNumber]): groupings, the Luhn check, the My Number
// check digit and the keywords before a My Number.

package pii

import (
	"slices"
	"strings"
)

// cardGrouping accepts groups of four (the last one may be shorter) and the 4-6-5 and 4-6-4
// groupings of American Express and Diners Club.
func cardGrouping(lens []int) bool {
	if len(lens) == 1 || slices.Equal(lens, []int{4, 6, 5}) || slices.Equal(lens, []int{4, 6, 4}) {
		return true
	}
	for _, l := range lens[:len(lens)-1] {
		if l != 4 {
			return false
		}
	}
	last := lens[len(lens)-1]
	return last >= 1 && last <= 4
}

func luhn(digits string) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		v := int(digits[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// validMyNumber checks the check digit of a 12-digit individual number: the first eleven
// digits are weighted 6,5,4,3,2,7,6,5,4,3,2 from the left; with r = sum mod 11 the check
// digit is 0 when r <= 1 and 11-r otherwise.
func validMyNumber(digits string) bool {
	if len(digits) != 12 {
		return false
	}
	weights := [11]int{6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i, w := range weights {
		sum += int(digits[i]-'0') * w
	}
	check := 0
	if r := sum % 11; r > 1 {
		check = 11 - r
	}
	return int(digits[11]-'0') == check
}

var myNumberKeywords = []string{"マイナンバー", "個人番号", "my number", "mynumber", "individual number"}

const myNumberWindow = 10 // runes between a keyword and the number

// myNumberKeyword reports whether a My Number keyword ends within myNumberWindow runes
// before offset start.
func myNumberKeyword(s string, start int) bool {
	w := start
	for c := 0; c < myNumberWindow && w > 0; c++ {
		_, n := runeBefore(s, w)
		w -= n
	}
	lo := w
	for c := 0; c < 20 && lo > 0; c++ {
		_, n := runeBefore(s, lo)
		lo -= n
	}
	region := asciiLower(s[lo:start])
	for _, kw := range myNumberKeywords {
		for from := 0; ; {
			i := strings.Index(region[from:], kw)
			if i < 0 {
				break
			}
			if lo+from+i+len(kw) >= w {
				return true
			}
			from += i + 1
		}
	}
	return false
}

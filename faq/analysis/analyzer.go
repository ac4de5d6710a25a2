package analysis

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/faqbot/faqbot/faq/analysis/ipadict"
	"github.com/kljensen/snowball/english"
)

// Field names the ways an utterance is turned into terms.
type Field string

// The fields of the FAQ index. Each one is produced by Analyzer.Terms.
const (
	// Japanese content words: kagome (IPA) base forms of nouns, verbs and adjectives, folded.
	JA Field = "ja"
	// Character unigrams and bigrams of the folded text, and whole ASCII words: robust to typos
	// and to words the dictionary does not know.
	Gram Field = "gram"
	// Bigrams of the katakana reading of the text: kana-only questions meet kanji FAQ text.
	Yomi Field = "yomi"
	// English words, stop words removed, snowball-stemmed.
	EN Field = "en"
)

// Fields lists every field in a fixed order.
var Fields = []Field{JA, Gram, Yomi, EN}

// Synonyms are groups of variants that the index treats as one word. In each group the first
// term is canonical. JA groups apply to the Japanese fields (they may contain ASCII words such as
// "pw"), EN groups to the English field.
type Synonyms struct {
	JA [][]string `yaml:"ja" json:"ja,omitempty"`
	EN [][]string `yaml:"en" json:"en,omitempty"`
}

// Rewrite is one row of a rewriting stage: From, wherever it occurs in normalised text, becomes
// To. Dialect and colloquial forms are rewritten to standard ones this way (the content's
// normalize.yaml).
type Rewrite struct {
	From, To string
}

// Analyzer turns text into index terms. It is safe for concurrent use.
type Analyzer struct {
	colloquial *strings.Replacer // nil without rows
	ja, en     *rewriter
}

// New returns an Analyzer that rewrites the colloquial rows (longest From first) and then
// applies syn. The Japanese dictionary is loaded once per process, on first use (see Warm).
func New(syn Synonyms, colloquial ...Rewrite) *Analyzer {
	a := &Analyzer{ja: newRewriter(syn.JA), en: newRewriter(syn.EN)}
	rows := make([]Rewrite, 0, len(colloquial))
	for _, r := range colloquial {
		if from := Normalize(r.From); from != "" {
			rows = append(rows, Rewrite{from, Normalize(r.To)})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return len(rows[i].From) > len(rows[j].From) })
	if len(rows) > 0 {
		flat := make([]string, 0, 2*len(rows))
		for _, r := range rows {
			flat = append(flat, r.From, r.To)
		}
		a.colloquial = strings.NewReplacer(flat...)
	}
	return a
}

// normalize is Normalize followed by the colloquial stage and, for text that reads as romaji,
// its kana: the form every field of a question or phrasing is analysed from.
func (a *Analyzer) normalize(s string) string {
	n, _ := a.normalizeRomaji(s)
	return n
}

// normalizeRomaji is normalize, and whether the text read as romaji.
func (a *Analyzer) normalizeRomaji(s string) (n string, romaji bool) {
	n = Normalize(s)
	if IsASCII(n) {
		if kana, ok := Romaji(n); ok {
			n, romaji = kana, true
		}
	}
	return a.colloquialForm(n), romaji
}

// colloquialForm applies the colloquial stage to normalised text. Word lists and keywords are
// read this way, without the romaji reading: a short English term ("a human", "me") is not
// Japanese written in Latin letters.
func (a *Analyzer) colloquialForm(n string) string {
	if a.colloquial != nil {
		n = a.colloquial.Replace(n)
	}
	return n
}

// Warm loads the Japanese dictionary now rather than on the first question.
func Warm() { ipadict.Warm() }

// Terms holds the terms of one text, per field.
type Terms map[Field][]string

// KanaOnly reports whether the text was written without kanji (its readings are then the best
// clue to what was meant).
func (t Terms) KanaOnly() bool { return len(t[script]) > 0 && t[script][0] == "kana" }

// script is a pseudo-field of Terms that records how the text was written.
const script Field = "script"

func writtenIn(n string) []string {
	for _, r := range n {
		if unicode.Is(unicode.Han, r) {
			return []string{"kanji"}
		}
	}
	return []string{"kana"}
}

// English reports whether the analysed text has English words and no Japanese.
func (t Terms) English() bool {
	if len(t[EN]) == 0 {
		return false
	}
	for _, g := range t[Gram] {
		if !IsASCII(g) {
			return false
		}
	}
	return true
}

// Terms analyses s for every field.
func (a *Analyzer) Terms(s string) Terms { return a.Analyze(s).Terms }

// Analysis is everything the matcher reads from one text, computed once.
type Analysis struct {
	// Norm is Normalize(s) after the colloquial stage (and as kana when s reads as romaji).
	Norm  string
	JA    string // Norm with the Japanese synonyms applied (Rewrite)
	EN    string // Norm with the English synonyms applied (CanonicalEN)
	Terms Terms
	// Tokens are every word of JA as kagome splits it (surface forms, folded), function words
	// included: word lists are matched against them.
	Tokens []string
	// Readings are the folded katakana readings of the content words of JA: a word written
	// with the wrong kanji of the same reading (voice input, a slip of the IME) meets the
	// right one here.
	Readings []string
	// Yomi is the folded katakana reading of the whole of JA.
	Yomi string
	// Romaji is set when Normalize(s) read as romaji (Romaji's ok): Norm is its kana.
	Romaji bool
}

// Analyze analyses s once for every use: its normal form, its rewritten forms and its terms.
func (a *Analyzer) Analyze(s string) Analysis { return a.AnalyzeMemo(s, nil) }

// AnalyzeMemo is Analyze with the words of the Japanese form tokenised through memo, which may
// remember them from another reader of the same text (the personal-data scan).
func (a *Analyzer) AnalyzeMemo(s string, memo *ipadict.Memo) Analysis {
	n, romaji := a.normalizeRomaji(s)
	ja, en := a.ja.apply(n), a.en.apply(n)
	var jw japaneseWords
	if IsASCII(ja) {
		jw.words = asciiWords(ja) // what kagome makes of ASCII text, without running it
		jw.tokens = strings.FieldsFunc(ja, func(r rune) bool { return !isWordByte(byte(r)) })
	} else {
		jw = japaneseOf(morphemes(memo.Tokenize(ja)))
	}
	words, yomi := jw.words, jw.yomi
	return Analysis{Norm: n, JA: ja, EN: en, Tokens: jw.tokens, Readings: jw.readings, Yomi: yomi, Romaji: romaji, Terms: Terms{
		script: writtenIn(n),
		JA:     words,
		Gram:   grams(ja),
		Yomi:   bigrams(yomi),
		EN:     englishTerms(en),
	}}
}

// asciiWords returns the words of ASCII text that are not English stop words.
func asciiWords(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool {
		return !(r < utf8.RuneSelf && isWordChar(byte(r)))
	}) {
		if !isEnglishStop(w) {
			out = append(out, w)
		}
	}
	return out
}

// Field analyses s for one field.
func (a *Analyzer) Field(f Field, s string) []string {
	n := a.normalize(s)
	switch f {
	case JA:
		ja := a.ja.apply(n)
		if IsASCII(ja) {
			return asciiWords(ja)
		}
		return japanese(ja).words
	case Yomi:
		return bigrams(japanese(a.ja.apply(n)).yomi)
	case Gram:
		return grams(a.ja.apply(n))
	case EN:
		return englishTerms(a.en.apply(n))
	}
	return nil
}

// Canonical applies the Japanese synonyms to normalised text and folds it: the key under which
// editors' word lists (keywords, signals) are compared with a question.
func (a *Analyzer) Canonical(s string) string {
	return Fold(a.ja.apply(a.colloquialForm(Normalize(s))))
}

// Rewrite applies the Japanese synonyms to normalised text without folding it: hiragana stay
// hiragana, so that a word list's どれ does not match the ドレ inside アドレス.
func (a *Analyzer) Rewrite(s string) string {
	return a.ja.apply(a.colloquialForm(Normalize(s)))
}

// CanonicalEN applies the English synonyms to normalised text.
func (a *Analyzer) CanonicalEN(s string) string {
	return a.en.apply(a.colloquialForm(Normalize(s)))
}

// Tokens returns the words of s as kagome splits its rewritten Japanese form (folded surface
// forms, function words included), or its ASCII words.
func (a *Analyzer) Tokens(s string) []string {
	ja := a.Rewrite(s)
	if IsASCII(ja) {
		return strings.FieldsFunc(ja, func(r rune) bool { return !isWordByte(byte(r)) })
	}
	return japanese(ja).tokens
}

// jaStop are content words (dictionary base forms) that carry no topic: verbs of politeness
// and of asking.
var jaStop = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`する ある いる なる できる 出来る いう 言う おる くださる 下さる
		いただく 頂く ござる 思う 存じる 知る わかる 分かる 教える いい よい 良い ない 無い こと 事 もの 物
		よう そう ところ 所 ため やる くれる もらう 貰う いく 行く くる 来る ほしい 欲しい たい
		おねがい お願い 願う 伺う うかがう 聞く きく 尋ねる`) {
		jaStop[w] = true
	}
}

// japaneseWords is what kagome makes of a text.
type japaneseWords struct {
	words    []string // folded content words (base forms)
	tokens   []string // folded surface forms of every word but punctuation
	readings []string // folded readings of the content words
	yomi     string   // folded reading of the whole text
}

// morpheme is what the analysis reads of one word as kagome (IPA) splits a text.
type morpheme struct {
	surface       string
	unknown       bool     // not in the dictionary
	pos           []string // part of speech, four levels
	base, reading string   // "" where the dictionary has none
}

// morphemes reads the words of a normalised text as ipadict tokenises it (the embedded IPA
// dictionary, kagome's lattice).
func morphemes(toks []ipadict.Token) []morpheme {
	out := make([]morpheme, len(toks))
	for i, tok := range toks {
		out[i] = morpheme{surface: tok.Surface, unknown: tok.Unknown, pos: tok.POS()}
		out[i].base, _ = tok.BaseForm()
		out[i].reading, _ = tok.Reading()
	}
	return out
}

// japanese analyses normalised text.
func japanese(n string) japaneseWords { return japaneseOf(morphemes(ipadict.Tokenize(n))) }

// japaneseOf analyses the words of a text.
func japaneseOf(ms []morpheme) japaneseWords {
	var jw japaneseWords
	var y strings.Builder
	for _, tok := range ms {
		surface := tok.surface
		if isPunct(surface) {
			continue
		}
		pos := tok.pos
		if len(pos) > 0 && pos[0] == "記号" {
			continue
		}
		jw.tokens = append(jw.tokens, Fold(surface))
		if IsASCII(surface) {
			if !isEnglishStop(surface) {
				jw.words = append(jw.words, surface)
			}
			continue
		}
		reading := tok.reading
		if reading == "*" || reading == "" {
			reading = surface
		}
		y.WriteString(reading)
		if !contentWord(tok.unknown, pos) {
			continue
		}
		base := tok.base
		if base == "*" || base == "" {
			base = surface
		}
		if jaStop[base] {
			continue
		}
		if w := Fold(base); w != "" {
			w = kanjiSkeleton(w)
			jw.words = append(jw.words, w)
			jw.readings = append(jw.readings, Fold(reading))
		}
	}
	jw.yomi = Fold(y.String())
	return jw
}

func contentWord(unknown bool, pos []string) bool {
	if unknown {
		return true
	}
	if len(pos) == 0 {
		return false
	}
	switch pos[0] {
	case "名詞":
		if len(pos) > 1 && (pos[1] == "非自立" || pos[1] == "代名詞" || pos[1] == "接尾" && len(pos) > 2 && pos[2] == "助数詞") {
			return false
		}
		return true
	case "動詞", "形容詞":
		return len(pos) < 2 || pos[1] == "自立"
	case "接頭詞":
		return false
	}
	return false
}

func isPunct(s string) bool {
	for _, r := range s {
		if !unicode.IsPunct(r) && !unicode.IsSymbol(r) && !unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// grams returns, for normalised text, the folded bigrams of every run of non-ASCII letters
// except those written in hiragana only (inflections and particles), the unigrams of its kanji
// (and of one-letter runs), and each ASCII word that is not an English stop word.
func grams(n string) []string {
	var out []string
	var run []rune
	var at []int // where each rune of run is in n
	// piece is run[i:j] as a substring of n when its runes lie side by side there (no copy).
	piece := func(i, j int) string {
		size := 0
		for _, r := range run[i:j] {
			size += utf8.RuneLen(r)
		}
		if at[j-1]+utf8.RuneLen(run[j-1])-at[i] == size {
			return n[at[i] : at[i]+size]
		}
		return string(run[i:j])
	}
	flush := func() {
		for i, r := range run {
			if unicode.Is(unicode.Han, r) || len(run) == 1 {
				out = append(out, piece(i, i+1)) // kanji carry meaning alone; kana don't
			}
			if i+1 < len(run) && !(isHiragana(r) && isHiragana(run[i+1])) {
				out = append(out, Fold(piece(i, i+2)))
			}
		}
		run, at = run[:0], at[:0]
	}
	var word strings.Builder
	flushWord := func() {
		if w := word.String(); w != "" && !isEnglishStop(w) {
			out = append(out, w)
		}
		word.Reset()
	}
	for off, r := range n {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			flush()
			word.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			flushWord()
			if r != 'ー' {
				run, at = append(run, r), append(at, off)
			}
		default:
			flush()
			flushWord()
		}
	}
	flush()
	flushWord()
	return out
}

// bigrams returns the character bigrams of s (its one character, if it has only one).
func bigrams(s string) []string {
	n := utf8.RuneCountInString(s)
	if n == 1 {
		return []string{s}
	}
	out := make([]string, 0, n)
	for i := 0; i < len(s); {
		_, a := utf8.DecodeRuneInString(s[i:])
		if i+a >= len(s) {
			break
		}
		_, b := utf8.DecodeRuneInString(s[i+a:])
		out = append(out, s[i:i+a+b]) // a substring of s: no copy
		i += a
	}
	return out
}

// englishTerms returns the snowball stems of the ASCII words of n that are not stop words: the
// matches of [a-z0-9]+(?:'[a-z]+)? found from left to right, cut at the apostrophe.
func englishTerms(n string) []string {
	var out []string
	for i := 0; i < len(n); {
		if !isWordChar(n[i]) {
			i++
			continue
		}
		j := i
		for j < len(n) && isWordChar(n[j]) {
			j++
		}
		w := n[i:j] // what's → what, customer's → customer
		if j+1 < len(n) && n[j] == '\'' && 'a' <= n[j+1] && n[j+1] <= 'z' {
			for j++; j < len(n) && 'a' <= n[j] && n[j] <= 'z'; j++ {
			}
		}
		i = j
		if isEnglishStop(w) {
			continue
		}
		out = append(out, englishStem(w))
	}
	return out
}

// isWordChar reports an ASCII lower-case letter or digit.
func isWordChar(b byte) bool { return 'a' <= b && b <= 'z' || '0' <= b && b <= '9' }

func isEnglishStop(w string) bool { return english.IsStopWord(w) || relayWords[w] }

// relayWords are the words staff use to relay a customer's question ("customer asks whether
// …", "what's the official wording on …"): they say nothing about the topic.
var relayWords = map[string]bool{
	"customer": true, "customers": true, "client": true, "clients": true, "user": true, "users": true,
	"ask": true, "asks": true, "asked": true, "asking": true, "official": true,
	"answer": true, "line": true, "tell": true, "says": true, "say": true, "want": true,
	"wants": true, "know": true, "question": true, "please": true, "guidance": true, "whether": true,
}

func englishStem(w string) string {
	if strings.IndexFunc(w, unicode.IsDigit) >= 0 {
		return w
	}
	return english.Stem(w, true)
}

// rewriter replaces every variant of a synonym group with the group's canonical term. ASCII
// variants (of one or more words) match whole words only; others match anywhere, longest
// first.
type rewriter struct {
	kana     *strings.Replacer
	canon    map[string]string // ASCII variant → canonical term
	maxWords int               // words in the longest ASCII variant
}

func newRewriter(groups [][]string) *rewriter {
	rw := &rewriter{canon: map[string]string{}}
	type pair struct{ old, new string }
	var ps []pair
	for _, g := range groups {
		if len(g) == 0 {
			continue
		}
		canon := Normalize(g[0])
		for _, v := range g {
			v = Normalize(v)
			if v == "" {
				continue
			}
			if IsASCII(v) {
				rw.canon[v] = canon
				rw.maxWords = max(rw.maxWords, len(strings.Fields(v)))
				continue
			}
			for _, kv := range kanaVariants(v) {
				ps = append(ps, pair{kv, canon})
			}
		}
	}
	// strings.Replacer tries old strings in argument order at each position: longest first.
	sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].old) > len(ps[j].old) })
	flat := make([]string, 0, 2*len(ps))
	for _, p := range ps {
		flat = append(flat, p.old, p.new)
	}
	if len(flat) > 0 {
		rw.kana = strings.NewReplacer(flat...)
	}
	return rw
}

func (rw *rewriter) apply(s string) string {
	if rw.kana != nil {
		s = rw.kana.Replace(s)
	}
	if len(rw.canon) == 0 || !hasASCIILetter(s) {
		return s
	}
	// ASCII words with their byte spans; a variant matches a run of whole words.
	type span struct{ start, end int }
	var words []span
	for i := 0; i < len(s); {
		if !isWordByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isWordByte(s[j]) {
			j++
		}
		words = append(words, span{i, j})
		i = j
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(words); {
		matched := 0
		for n := min(rw.maxWords, len(words)-i); n >= 1; n-- {
			if c, ok := rw.canon[s[words[i].start:words[i+n-1].end]]; ok {
				b.WriteString(s[last:words[i].start])
				b.WriteString(c)
				last = words[i+n-1].end
				matched = n
				break
			}
		}
		if matched == 0 {
			matched = 1
		}
		i += matched
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// isWordByte reports whether b is part of an ASCII word for synonyms ("e-mail" is one word).
func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-' || b == '\''
}

// kanaVariants returns v and, when v is written in kana only, its hiragana and katakana forms,
// so that a group listing マイナンバー also rewrites まいなんばー.
func kanaVariants(v string) []string {
	out := []string{v}
	hira, kata := []rune(v), []rune(v)
	for i, r := range hira {
		switch {
		case isKatakana(r) && r <= 'ヶ':
			hira[i] = r - ('ァ' - 'ぁ')
		case isHiragana(r):
			kata[i] = r + ('ァ' - 'ぁ')
		case r == 'ー':
		default:
			return out
		}
	}
	for _, s := range []string{string(hira), string(kata)} {
		if s != v && s != out[len(out)-1] {
			out = append(out, s)
		}
	}
	return out
}

// IsASCII reports whether s holds only ASCII characters.
func IsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func hasASCIILetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			return true
		}
	}
	return false
}

// kanjiSkeleton returns a folded word that starts with a kanji without its kana when at least
// two kanji remain: the okurigana that writers add or leave out (申し込み, 申込み, 申込; 引っ越し,
// 引越し) and the inflection of a verb and its noun (申し込む, 申し込み) meet. Other words are
// returned unchanged.
func kanjiSkeleton(w string) string {
	first, _ := utf8.DecodeRuneInString(w)
	if !unicode.Is(unicode.Han, first) {
		return w
	}
	kanji, kana := 0, 0
	for _, r := range w {
		switch {
		case unicode.Is(unicode.Han, r):
			kanji++
		case isKatakana(r) || r == 'ー':
			kana++
		default:
			return w // digits, Latin letters: not a Japanese word
		}
	}
	if kanji < 2 || kana == 0 {
		return w
	}
	var b strings.Builder
	for _, r := range w {
		if unicode.Is(unicode.Han, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Bare reports whether a text names at most something and says nothing of it: Japanese with no
// verb and no adjective (テスト, テストメッセージ, メッセージです; not パスワードを忘れた, 来ない),
// English with at most one word that is not a stop word ("test", "just testing"; not "forgot
// password"). It reads the text's words, not what they mean.
func Bare(s string) bool {
	n := Normalize(s)
	if IsASCII(n) {
		return len(englishTerms(n)) <= 1
	}
	for _, m := range morphemes(ipadict.Tokenize(n)) {
		if len(m.pos) > 0 && (m.pos[0] == "動詞" || m.pos[0] == "形容詞") {
			return false
		}
	}
	return true
}

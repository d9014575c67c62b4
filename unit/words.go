package unit

import (
	"errors"
	"fmt"
	"strings"
)

// ExtractFlags control how words are split and unescaped, as systemd's
// EXTRACT_* flags (src/basic/extract-word.h). With no flags, quotes are
// ordinary characters and a backslash makes the next character literal.
type ExtractFlags uint

const (
	// ExtractRelax allows unbalanced quotes and drops a trailing backslash.
	ExtractRelax ExtractFlags = 1 << iota
	// ExtractCUnescape decodes C escapes (see [CUnescape]).
	ExtractCUnescape
	// ExtractUnescapeRelax keeps unknown escape sequences and an unquoted
	// trailing backslash verbatim.
	ExtractUnescapeRelax
	// ExtractUnescapeSeparators lets a backslash escape a separator or a
	// backslash (with ExtractCUnescape, only where no C escape applies).
	ExtractUnescapeSeparators
	// ExtractKeepQuote makes '…' and "…" protect separators and keeps the
	// quotes in the word.
	ExtractKeepQuote
	// ExtractUnquote makes '…' and "…" protect separators and removes the
	// quotes.
	ExtractUnquote
	// ExtractDontCoalesceSeparators makes each separator end a word, so
	// adjacent separators give empty words.
	ExtractDontCoalesceSeparators
	// ExtractRetainEscape makes a backslash an ordinary character.
	ExtractRetainEscape
	// ExtractRetainSeparators leaves the separator after a word in the rest
	// rather than skipping it.
	ExtractRetainSeparators
)

// blanks is systemd's WHITESPACE, the default word separators.
const blanks = " \t\n\r"

// Problems ExtractWord reports; both wrap ErrBadValue.
var (
	errBadEscape  = fmt.Errorf("%w: invalid escape sequence", ErrBadValue)
	errUnbalanced = fmt.Errorf("%w: unbalanced quoting", ErrBadValue)
	errBadFlags   = fmt.Errorf("%w: ExtractKeepQuote and ExtractUnquote together", ErrBadValue)
)

// WordReader reads words from a string one at a time, as successive calls
// of systemd's extract_first_word on one pointer do. It keeps the one bit
// of state a plain rest string cannot: whether the pointer has run off the
// end (then no more words come) or stands at an empty string (with
// ExtractDontCoalesceSeparators, one more empty word comes).
type WordReader struct {
	rest string
	done bool
}

// NewWordReader returns a reader positioned at the start of s. s is read up
// to its first NUL byte, as systemd reads a C string.
func NewWordReader(s string) *WordReader { return &WordReader{rest: cutNUL(s)} }

// Rest returns the text not read yet.
func (r *WordReader) Rest() string { return r.rest }

// Done reports whether the input is used up (systemd's pointer is NULL).
func (r *WordReader) Done() bool { return r.done }

// Next reads the next word. separators lists the characters that separate
// words; "" means blanks (space, tab, newline, carriage return). ok is
// false when there are no more words. On error the reader stays where it
// was.
func (r *WordReader) Next(separators string, flags ExtractFlags) (word string, ok bool, err error) {
	if r.done {
		return "", false, nil
	}
	if flags&ExtractKeepQuote != 0 && flags&ExtractUnquote != 0 {
		return "", false, errBadFlags
	}
	if separators = cutNUL(separators); separators == "" {
		separators = blanks
	}
	res := extractWord(r.rest, separators, flags)
	if res.err != nil {
		return "", false, res.err
	}
	r.rest, r.done = res.rest, res.end
	return res.word, res.found, nil
}

// ExtractWord returns the first word of s and the rest after it and the
// separators that follow, as systemd's extract_first_word. ok is false
// when s holds no word. separators "" means blanks. An error (an unknown
// escape sequence with ExtractCUnescape, unbalanced quotes, a trailing
// backslash) wraps [ErrBadValue]. To read further words use a
// [WordReader], which also tells a used-up string from one that ended in
// a separator under ExtractDontCoalesceSeparators.
func ExtractWord(s, separators string, flags ExtractFlags) (word, rest string, ok bool, err error) {
	r := NewWordReader(s)
	word, ok, err = r.Next(separators, flags)
	if err != nil {
		return "", s, false, err
	}
	return word, r.rest, ok, nil
}

// SplitWords splits s into all its words, as systemd's strv_split_full.
// separators "" means blanks. On error it returns the words read before
// the bad one, and the error.
func SplitWords(s, separators string, flags ExtractFlags) ([]string, error) {
	r := NewWordReader(s)
	var words []string
	for {
		w, ok, err := r.Next(separators, flags)
		if err != nil {
			return words, err
		}
		if !ok {
			return words, nil
		}
		words = append(words, w)
	}
}

// extractResult is one step of extractWord: the word, the rest, and
// whether systemd's pointer would now be NULL (end).
type extractResult struct {
	word  string
	found bool
	rest  string
	end   bool
	err   error
}

// extractWord is systemd's extract_first_word on a non-NULL pointer; s
// holds no NUL byte.
func extractWord(s, seps string, flags ExtractFlags) extractResult {
	var (
		buf       []byte
		started   = flags&ExtractDontCoalesceSeparators != 0
		quote     byte // 0, '\'' or '"'
		backslash bool
		i         int
	)
	at := func(i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	isSep := func(c byte) bool { return strings.IndexByte(seps, c) >= 0 }
	// The word so far ends here and the pointer runs off the end.
	terminate := func() extractResult {
		if !started {
			return extractResult{end: true}
		}
		return extractResult{word: string(buf), found: true, end: true}
	}
	// The word ends here and the pointer stays at i.
	next := func() extractResult {
		return extractResult{word: string(buf), found: true, rest: s[i:]}
	}
	keepQuotes := flags&(ExtractKeepQuote|ExtractUnquote) != 0
	escapes := flags&ExtractRetainEscape == 0

	for ; ; i++ {
		c := at(i)
		if c == 0 {
			return terminate()
		}
		if !isSep(c) {
			started = true
			break
		}
		if flags&ExtractDontCoalesceSeparators != 0 {
			if flags&ExtractRetainSeparators == 0 {
				i++
			}
			return next()
		}
	}

	for ; ; i++ {
		c := at(i)
		switch {
		case backslash:
			if c == 0 {
				if flags&ExtractUnescapeRelax != 0 && (quote == 0 || flags&ExtractRelax != 0) {
					buf = append(buf, '\\')
					return terminate()
				}
				if flags&ExtractRelax != 0 {
					return terminate()
				}
				if quote != 0 {
					return extractResult{err: errUnbalanced, rest: s[i:]}
				}
				return extractResult{err: fmt.Errorf("%w: trailing backslash", errBadEscape), rest: s[i:]}
			}
			if flags&(ExtractCUnescape|ExtractUnescapeSeparators) != 0 {
				code, eightBit, n, ok := uint32(0), false, 0, false
				if flags&ExtractCUnescape != 0 {
					code, eightBit, n, ok = cunescapeOne(s[i:], false)
				}
				switch {
				case ok:
					var b strings.Builder
					writeUnichar(&b, code, eightBit)
					buf = append(buf, b.String()...)
					i += n - 1
				case flags&ExtractUnescapeSeparators != 0 && (isSep(c) || c == '\\'):
					buf = append(buf, c)
				case flags&ExtractUnescapeRelax != 0:
					buf = append(buf, '\\', c)
				default:
					return extractResult{err: errBadEscape, rest: s[i:]}
				}
			} else {
				buf = append(buf, c)
			}
			backslash = false

		case quote != 0:
			for ; ; i++ {
				c = at(i)
				if c == 0 {
					if flags&ExtractRelax != 0 {
						return terminate()
					}
					return extractResult{err: errUnbalanced, rest: s[i:]}
				}
				if c == quote {
					quote = 0
					if flags&ExtractUnquote != 0 {
						break
					}
				} else if c == '\\' && escapes {
					backslash = true
					break
				}
				buf = append(buf, c)
				if quote == 0 {
					break
				}
			}

		default:
			for ; ; i++ {
				c = at(i)
				if c == 0 {
					return terminate()
				}
				if (c == '\'' || c == '"') && keepQuotes {
					quote = c
					if flags&ExtractUnquote != 0 {
						break
					}
				} else if c == '\\' && escapes {
					backslash = true
					break
				} else if isSep(c) {
					if flags&ExtractDontCoalesceSeparators != 0 {
						if flags&ExtractRetainSeparators == 0 {
							i++
						}
						return next()
					}
					if flags&ExtractRetainSeparators == 0 {
						for ; ; i++ {
							c = at(i)
							if c == 0 {
								return terminate()
							}
							if !isSep(c) {
								break
							}
						}
					}
					return next()
				}
				buf = append(buf, c)
				if quote != 0 {
					break
				}
			}
		}
	}
}

// readWordAndWarn reads a word as systemd's extract_first_word_and_warn:
// when an unknown escape sequence makes the strict read fail, it reads
// again keeping such sequences verbatim and reports a warning. A read that
// still fails is unbalanced quoting; line is the value named in that
// message.
func readWordAndWarn(r *WordReader, flags ExtractFlags, line string) (word string, ok bool, warning, err error) {
	save := *r
	word, ok, err = r.Next("", flags)
	if err == nil {
		return word, ok, nil, nil
	}
	if flags&ExtractUnescapeRelax != 0 {
		return "", false, nil, err
	}
	*r = save
	word, ok, err = r.Next("", flags|ExtractUnescapeRelax)
	if err == nil {
		return word, ok, fmt.Errorf("%w: ignoring unknown escape sequences: %q", ErrBadValue, word), nil
	}
	if errors.Is(err, ErrBadValue) {
		return "", false, nil, fmt.Errorf("%w: unbalanced quoting, ignoring: %q", ErrBadValue, line)
	}
	return "", false, nil, err
}

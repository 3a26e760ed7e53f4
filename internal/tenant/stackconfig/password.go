package stackconfig

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// passwordPolicy is what an Auth0 password strength policy asks of a password.
type passwordPolicy struct {
	minLen   int
	classes  int  // of lower case, upper case, digits, others, how many at least
	lowUpDig bool // lower case, upper case and a digit (fair)
	maxRun   int  // most identical characters in a row; 0 for no limit
}

// passwordPolicies are Auth0's password strength policies.
var passwordPolicies = map[string]passwordPolicy{
	"none":      {minLen: 1},
	"low":       {minLen: 6},
	"fair":      {minLen: 8, lowUpDig: true},
	"good":      {minLen: 8, classes: 3},
	"excellent": {minLen: 10, classes: 3, maxRun: 2},
}

// problem says what password lacks under the policy, without showing it.
func (p passwordPolicy) problem(password string) string {
	var lower, upper, digit, other bool
	run, longest := 0, 0
	var prev rune = -1
	for _, r := range password {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
		if r == prev {
			run++
		} else {
			run = 1
		}
		prev, longest = r, max(longest, run)
	}
	classes := 0
	for _, has := range []bool{lower, upper, digit, other} {
		if has {
			classes++
		}
	}
	switch {
	case utf8.RuneCountInString(password) < p.minLen:
		return fmt.Sprintf("at least %d characters", p.minLen)
	case p.lowUpDig && !(lower && upper && digit):
		return "a lower-case letter, an upper-case letter and a digit"
	case classes < p.classes:
		return fmt.Sprintf("%d of these: lower case, upper case, digits, other characters", p.classes)
	case p.maxRun > 0 && longest > p.maxRun:
		return fmt.Sprintf("no more than %d identical characters in a row", p.maxRun)
	}
	return ""
}

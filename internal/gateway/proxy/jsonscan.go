package proxy

import "bytes"

// jsonScanner follows a JSON text just enough to capture the value of its
// top-level "usage" key: nesting depth, strings and escapes, top-level
// keys. "usage" inside a string or a nested object is not it.
type jsonScanner struct {
	depth     int
	topObject bool // the text is an object
	inString  bool
	escaped   bool
	expectKey bool // at depth 1, the next string is a key
	inKey     bool
	afterKey  bool // a key was read; its colon comes next
	key       [len("usage") + 1]byte
	keyLen    int
	capturing bool
	captured  []byte
	done      bool // the usage value was captured (or was too big)

	// parsed's answer, kept: the budgets and the ledger both ask for it.
	parsedOnce bool
	parsedU    usage
	parsedOK   bool
}

func (j *jsonScanner) feed(p []byte) {
	for i := 0; i < len(p); i++ {
		if j.inString && !j.escaped && !j.inKey {
			// Most bytes are inside strings: skip to the next quote or backslash.
			k := i
			for k < len(p) && p[k] != '"' && p[k] != '\\' {
				k++
			}
			j.keep(p[i:k])
			if i = k; i == len(p) {
				return
			}
		} else if !j.inString && j.depth > 1 {
			// Inside nested values (numbers of embeddings, choices), only
			// strings and brackets matter.
			k := i
			for k < len(p) && !nested[p[k]] {
				k++
			}
			j.keep(p[i:k])
			if i = k; i == len(p) {
				return
			}
		}
		j.feedByte(p[i])
	}
}

// nested are the bytes that matter in a value nested in the top object.
var nested = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true}

// keep adds bytes of the usage value being captured.
func (j *jsonScanner) keep(p []byte) {
	if !j.capturing {
		return
	}
	if len(j.captured)+len(p) > maxUsageBytes {
		j.capturing, j.done, j.captured = false, true, nil
		return
	}
	j.captured = append(j.captured, p...)
}

func (j *jsonScanner) feedByte(c byte) {
	j.keep([]byte{c})
	if j.inString {
		switch {
		case j.escaped:
			j.escaped = false
		case c == '\\':
			j.escaped = true
		case c == '"':
			j.inString = false
			if j.inKey {
				j.inKey, j.afterKey = false, true
			}
			return
		}
		if j.inKey && j.keyLen < len(j.key) {
			j.key[j.keyLen] = c
			j.keyLen++
		}
		return
	}
	switch c {
	case '"':
		j.inString = true
		if j.depth == 1 && j.topObject && j.expectKey {
			j.inKey, j.expectKey, j.keyLen = true, false, 0
		}
	case ':':
		if j.depth == 1 && j.afterKey {
			j.afterKey = false
			if string(j.key[:j.keyLen]) == "usage" && !j.done {
				j.capturing, j.captured = true, j.captured[:0]
			}
		}
	case '{', '[':
		if j.depth == 0 && c == '{' {
			j.topObject, j.expectKey = true, true
		}
		j.depth++
	case '}', ']':
		j.depth--
		if j.depth == 0 {
			j.endValue()
		}
	case ',':
		if j.depth == 1 {
			j.endValue()
			j.expectKey = true
		}
	}
}

// endValue ends the capture of the usage value at the , or } after it.
func (j *jsonScanner) endValue() {
	if j.capturing {
		j.capturing, j.done = false, true
		j.captured = j.captured[:len(j.captured)-1]
	}
}

// parsed is the usage object captured, with its prompt and completion
// tokens apart (the ledger keeps both).
func (j *jsonScanner) parsed() (usage, bool) {
	if !j.done || j.capturing {
		return usage{}, false // more bytes may come: nothing to keep yet
	}
	if !j.parsedOnce {
		j.parsedU, j.parsedOK = j.parse()
		j.parsedOnce = true
	}
	return j.parsedU, j.parsedOK
}

func (j *jsonScanner) parse() (usage, bool) {
	if len(j.captured) == 0 {
		return usage{}, false
	}
	if v := bytes.TrimSpace(j.captured); string(v) == "null" {
		return usage{}, false // as streams send before their last event
	}
	return parseUsage(j.captured)
}

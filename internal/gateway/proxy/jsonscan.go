package proxy

import "bytes"

// jsonScanner follows a JSON text just enough to capture the value of its
// top-level "usage" key, or, in a stream's event, of the "usage" key of its
// top-level "response" object (the Responses API's events: {"type":
// "response.completed", "response": {..., "usage": {...}}}): nesting
// depth, strings and escapes, the keys of those objects. "usage" anywhere
// else (inside a string, a message, a tool call) is not it.
type jsonScanner struct {
	event     bool // the text is a stream's event: "response" is read too
	depth     int
	topObject bool // the text is an object
	inString  bool
	escaped   bool
	expectKey bool // at a key level, the next string is a key
	inKey     bool
	afterKey  bool // a key was read; its colon comes next
	key       [len("response") + 1]byte
	keyLen    int
	// The top level's "response" key was read (its value comes next), and
	// its value is the object being read, at depth 2.
	responseNext, inResponse bool
	capturing                bool
	captured                 []byte
	done                     bool // the usage value was captured (or was too big)

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
		} else if !j.inString && j.depth > 1 && !j.atKeyLevel() {
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
		if j.atKeyLevel() && j.expectKey {
			j.inKey, j.expectKey, j.keyLen = true, false, 0
		}
	case ':':
		if j.atKeyLevel() && j.afterKey {
			j.afterKey = false
			switch key := string(j.key[:j.keyLen]); {
			case key == "usage" && !j.done:
				j.capturing, j.captured = true, j.captured[:0]
			case key == "response" && j.depth == 1 && j.event:
				j.responseNext = true
			}
		}
	case '{', '[':
		if j.depth == 0 && c == '{' {
			j.topObject, j.expectKey = true, true
		}
		if j.depth == 1 && j.responseNext {
			j.responseNext, j.inResponse, j.expectKey = false, c == '{', c == '{'
		}
		j.depth++
	case '}', ']':
		j.depth--
		if j.depth == 0 || (j.depth == 1 && j.inResponse) {
			j.endValue()
			j.inResponse = false
		}
	case ',':
		if j.atKeyLevel() {
			j.endValue()
			j.expectKey, j.responseNext = true, false
		}
	}
}

// atKeyLevel reports whether the scanner is in an object whose keys it
// reads: the top-level object, or its "response" object.
func (j *jsonScanner) atKeyLevel() bool {
	return (j.depth == 1 && j.topObject) || (j.depth == 2 && j.inResponse)
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

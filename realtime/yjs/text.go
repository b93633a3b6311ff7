package yjs

import (
	"sort"
	"strings"
	"unicode/utf16"
)

// PlainText is the text of every root type, roots in name order and
// separated by a blank line: a snapshot for people and search.
func (u *Update) PlainText() string {
	m := u.Text()
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = m[k]
	}
	return strings.Join(parts, "\n\n")
}

// tnode is one clock tick of an item, placed by integration (YATA, as
// Yjs's Item.integrate does) to recover the document order.
type tnode struct {
	id          ID
	origin      *ID
	rightOrigin *ID
	rootKey     string // parent when the item names a root type
	parentID    *ID    // parent when the item names a nested type
	hasParent   bool   // rootKey or parentID is set
	parent      *tlist
	left, right *tnode
	char        uint16 // a UTF-16 unit of string content
	isChar      bool
	isType      bool // a nested type (its children follow in the text)
	deleted     bool
	mapEntry    bool
	done        bool
	splitAfter  bool // Yjs splits its item after this tick
}

// tlist is the sequence of one parent type.
type tlist struct{ start *tnode }

// Text returns the plain text of every root-level type that holds
// strings, by root name; nested types (XML elements, embedded texts)
// contribute their text in place, separated by newlines. Map entries,
// formatting and embeds are left out.
func (u *Update) Text() map[string]string {
	t := &textDoc{nodes: map[ID]*tnode{}, roots: map[string]*tlist{}, nested: map[ID]*tlist{}, waiting: map[ID][]*tnode{}}
	t.explode(u)
	t.integrateAll()
	out := map[string]string{}
	for name, l := range t.roots {
		var b []uint16
		t.write(l, &b)
		if s := strings.TrimSpace(string(utf16.Decode(b))); s != "" {
			out[name] = string(utf16.Decode(b))
		}
	}
	return out
}

type textDoc struct {
	nodes   map[ID]*tnode
	order   []*tnode
	roots   map[string]*tlist
	nested  map[ID]*tlist
	waiting map[ID][]*tnode
}

func (t *textDoc) explode(u *Update) {
	for _, c := range sortedClients(u.Structs) {
		for _, s := range u.Structs[c] {
			if !s.isItem() {
				continue
			}
			del := s.Ref == refDeleted
			for i := uint64(0); i < s.Len(); i++ {
				n := &tnode{id: ID{c, s.ID.Clock + i}, rightOrigin: s.RightOrigin, mapEntry: s.parentSub}
				if i == 0 {
					n.origin = s.Origin
					if s.Origin == nil && s.RightOrigin == nil {
						n.hasParent = true
						d := &decoder{b: s.parent}
						if k, _ := d.uint(); k == 1 {
							key, _ := d.bytes()
							n.rootKey = string(key)
						} else if id, err := decodeID(d); err == nil {
							n.parentID = id
						}
					}
				} else {
					n.origin = &ID{c, s.ID.Clock + i - 1}
				}
				switch s.Ref {
				case refString:
					n.char, n.isChar = s.str[i], true
				case refType:
					n.isType = true
				}
				n.deleted = del || covered(u.Deletes[c], n.id.Clock, 1)
				t.nodes[n.id] = n
				t.order = append(t.order, n)
			}
		}
	}
}

// integrateAll integrates every node after the nodes it depends on.
func (t *textDoc) integrateAll() {
	t.markSplits()
	for _, n := range t.order {
		t.try(n)
	}
}

func (t *textDoc) try(n *tnode) {
	queue := []*tnode{n}
	for len(queue) > 0 {
		n := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if n.done {
			continue
		}
		if dep, ok := t.missing(n); ok {
			if _, exists := t.nodes[dep]; exists {
				t.waiting[dep] = append(t.waiting[dep], n)
			}
			continue
		}
		t.integrate(n)
		n.done = true
		queue = append(queue, t.waiting[n.id]...)
		delete(t.waiting, n.id)
	}
}

// markSplits records where Yjs splits items: after an origin another
// item points at, before a right origin, at the edges of deleted ranges.
// A surrogate pair split there becomes two U+FFFD, as in Yjs.
func (t *textDoc) markSplits() {
	for _, n := range t.order {
		if n.origin != nil && *n.origin != (ID{n.id.Client, n.id.Clock - 1}) {
			if o := t.nodes[*n.origin]; o != nil {
				o.splitAfter = true
			}
		}
		if n.rightOrigin != nil && n.rightOrigin.Clock > 0 {
			if o := t.nodes[ID{n.rightOrigin.Client, n.rightOrigin.Clock - 1}]; o != nil {
				o.splitAfter = true
			}
		}
		if next := t.nodes[ID{n.id.Client, n.id.Clock + 1}]; next != nil && next.deleted != n.deleted {
			n.splitAfter = true
		}
	}
}

// missing returns a dependency of n not integrated yet.
func (t *textDoc) missing(n *tnode) (ID, bool) {
	for _, id := range []*ID{n.origin, n.rightOrigin} {
		if id != nil {
			if d, ok := t.nodes[*id]; !ok || !d.done {
				return *id, true
			}
		}
	}
	return ID{}, false
}

func (t *textDoc) parentOf(n *tnode) *tlist {
	switch {
	case n.hasParent && n.parentID != nil:
		l := t.nested[*n.parentID]
		if l == nil {
			l = &tlist{}
			t.nested[*n.parentID] = l
		}
		return l
	case n.hasParent:
		l := t.roots[n.rootKey]
		if l == nil {
			l = &tlist{}
			t.roots[n.rootKey] = l
		}
		return l
	case n.origin != nil:
		return t.nodes[*n.origin].parent
	case n.rightOrigin != nil:
		return t.nodes[*n.rightOrigin].parent
	}
	return nil
}

func sameID(a, b *ID) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

// integrate places n in its parent's list as Yjs does.
func (t *textDoc) integrate(n *tnode) {
	n.parent = t.parentOf(n)
	if n.parent == nil || n.mapEntry {
		return
	}
	var left, right *tnode
	if n.origin != nil {
		left = t.nodes[*n.origin]
	}
	if n.rightOrigin != nil {
		right = t.nodes[*n.rightOrigin]
	}
	if (left == nil && (right == nil || right.left != nil)) || (left != nil && left.right != right) {
		o := n.parent.start
		if left != nil {
			o = left.right
		}
		conflicting, before := map[*tnode]bool{}, map[*tnode]bool{}
		for o != nil && o != right {
			before[o], conflicting[o] = true, true
			if sameID(n.origin, o.origin) {
				if o.id.Client < n.id.Client {
					left = o
					clear(conflicting)
				} else if sameID(n.rightOrigin, o.rightOrigin) {
					break
				}
			} else if o.origin != nil && before[t.nodes[*o.origin]] {
				if !conflicting[t.nodes[*o.origin]] {
					left = o
					clear(conflicting)
				}
			} else {
				break
			}
			o = o.right
		}
	}
	n.left = left
	if left != nil {
		n.right, left.right = left.right, n
	} else {
		n.right, n.parent.start = n.parent.start, n
	}
	if n.right != nil {
		n.right.left = n
	}
}

// unit is n's UTF-16 unit, or U+FFFD for half a surrogate pair that Yjs
// has split.
func (t *textDoc) unit(n *tnode) uint16 {
	switch {
	case n.char >= 0xD800 && n.char <= 0xDBFF && n.splitAfter:
		return 0xFFFD
	case n.char >= 0xDC00 && n.char <= 0xDFFF && n.id.Clock > 0:
		if prev := t.nodes[ID{n.id.Client, n.id.Clock - 1}]; prev != nil && prev.splitAfter {
			return 0xFFFD
		}
	}
	return n.char
}

// write appends the text of a list, descending into nested types.
func (t *textDoc) write(l *tlist, b *[]uint16) {
	for n := l.start; n != nil; n = n.right {
		if n.deleted {
			continue
		}
		switch {
		case n.isChar:
			*b = append(*b, t.unit(n))
		case n.isType:
			if c := t.nested[n.id]; c != nil {
				if len(*b) > 0 && (*b)[len(*b)-1] != '\n' {
					*b = append(*b, '\n')
				}
				t.write(c, b)
			}
		}
	}
}

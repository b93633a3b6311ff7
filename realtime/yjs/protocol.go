package yjs

// y-protocols message types (as y-websocket frames them).
const (
	MsgSync           = 0
	MsgAwareness      = 1
	MsgAuth           = 2
	MsgQueryAwareness = 3
)

// Sync sub-types.
const (
	SyncStep1  = 0 // payload: a state vector
	SyncStep2  = 1 // payload: an update
	SyncUpdate = 2 // payload: an update
)

// Message is one y-protocols message.
type Message struct {
	Type    uint64
	Sub     uint64 // sync sub-type
	Payload []byte // state vector, update or awareness update
}

// ReadMessages parses every message of a binary frame. Unknown message
// types are returned with an empty payload and end the parse, since their
// length is not known.
func ReadMessages(b []byte) ([]Message, error) {
	d := &decoder{b: b}
	var out []Message
	for !d.done() {
		t, err := d.uint()
		if err != nil {
			return nil, err
		}
		m := Message{Type: t}
		switch t {
		case MsgSync:
			if m.Sub, err = d.uint(); err != nil {
				return nil, err
			}
			if m.Sub > SyncUpdate {
				return nil, ErrMalformed
			}
			m.Payload, err = d.bytes()
		case MsgAwareness:
			m.Payload, err = d.bytes()
		case MsgQueryAwareness:
		default:
			return append(out, m), nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// SyncMessage frames a sync message.
func SyncMessage(sub uint64, payload []byte) []byte {
	return appendBytes(appendUint(appendUint(nil, MsgSync), sub), payload)
}

// AwarenessMessage frames an awareness update.
func AwarenessMessage(update []byte) []byte {
	return appendBytes(appendUint(nil, MsgAwareness), update)
}

// AwarenessEntry is one client's state in an awareness update.
type AwarenessEntry struct {
	Client, Clock uint64
	State         []byte // JSON text; "null" when the client left
}

// DecodeAwareness parses an awareness update.
func DecodeAwareness(b []byte) ([]AwarenessEntry, error) {
	d := &decoder{b: b}
	n, err := d.uint()
	if err != nil || n > maxCount {
		return nil, ErrMalformed
	}
	out := make([]AwarenessEntry, 0, min(n, 1024))
	for i := uint64(0); i < n; i++ {
		var e AwarenessEntry
		if e.Client, err = d.uint(); err != nil {
			return nil, err
		}
		if e.Clock, err = d.uint(); err != nil {
			return nil, err
		}
		if e.State, err = d.bytes(); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if !d.done() {
		return nil, ErrMalformed
	}
	return out, nil
}

// EncodeAwareness writes an awareness update.
func EncodeAwareness(entries []AwarenessEntry) []byte {
	b := appendUint(nil, uint64(len(entries)))
	for _, e := range entries {
		b = appendBytes(appendUint(appendUint(b, e.Client), e.Clock), e.State)
	}
	return b
}

// TextInsert builds the update of one insertion into the root text type
// root: text typed by client at clock, after the character origin (nil:
// at the start). For tests and load generators.
func TextInsert(client, clock uint64, origin *ID, root, text string) []byte {
	s := &Struct{ID: ID{client, clock}, Ref: refString, str: toUTF16([]byte(text)), Origin: origin}
	if origin == nil {
		s.parent = appendBytes(appendUint(nil, 1), []byte(root))
	}
	u := &Update{Structs: map[uint64][]*Struct{client: {s}}, Deletes: DeleteSet{}}
	return u.Encode(nil)
}

// First returns the id of the first struct of an update (of its highest
// client, the first Yjs writes), for tests that match relayed updates.
func (u *Update) First() (ID, bool) {
	for _, c := range sortedClients(u.Structs) {
		if l := u.Structs[c]; len(l) > 0 {
			return l[0].ID, true
		}
	}
	return ID{}, false
}

// LogUpdates reads a Daptin room log (each record a varint length and one
// y-protocols message) and returns the updates of its SyncStep2 and Update
// messages; state vectors and other messages are skipped.
func LogUpdates(b []byte) ([][]byte, error) {
	d := &decoder{b: b}
	var out [][]byte
	for !d.done() {
		rec, err := d.bytes()
		if err != nil {
			return nil, err
		}
		msgs, err := ReadMessages(rec)
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			if m.Type == MsgSync && m.Sub != SyncStep1 {
				out = append(out, m.Payload)
			}
		}
	}
	if len(out) == 0 {
		return nil, ErrMalformed
	}
	return out, nil
}

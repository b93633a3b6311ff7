package dav

import (
	"bytes"
	"io"
	"strings"

	"github.com/emersion/go-vcard"
)

// cardInfo is what is extracted from a vCard into searchable columns.
type cardInfo struct {
	uid, fullName, emails string
}

// parseVCard decodes and validates one address object resource (RFC 6352
// §5.1): exactly one vCard with VERSION, FN and UID.
func parseVCard(data []byte) (vcard.Card, cardInfo, *davError) {
	var info cardInfo
	dec := vcard.NewDecoder(bytes.NewReader(data))
	card, err := dec.Decode()
	if err != nil {
		return nil, info, cardError("invalid vCard data: " + err.Error())
	}
	if _, err := dec.Decode(); err != io.EOF {
		return nil, info, cardError("invalid address object: exactly one vCard per resource")
	}
	if v := card.Value(vcard.FieldVersion); v != "3.0" && v != "4.0" {
		return nil, info, cardError("invalid vCard data: VERSION must be 3.0 or 4.0")
	}
	info.uid = card.Value(vcard.FieldUID)
	info.fullName = card.Value(vcard.FieldFormattedName)
	if info.uid == "" {
		return nil, info, cardError("invalid address object: the vCard has no UID")
	}
	if info.fullName == "" {
		return nil, info, cardError("invalid vCard data: FN is required")
	}
	info.emails = strings.Join(card.Values(vcard.FieldEmail), ",")
	if len(info.emails) > 1000 {
		info.emails = info.emails[:1000]
	}
	if len(info.fullName) > 500 {
		info.fullName = info.fullName[:500]
	}
	return card, info, nil
}

func cardError(msg string) *davError {
	return &davError{status: 400, msg: msg, cond: "<cr:valid-address-data/>"}
}

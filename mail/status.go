package mail

import (
	"context"

	"github.com/apiary/apiary/mail/store"
	"github.com/apiary/apiary/resource"
)

// BoxStatus is one row of the mail_box status action.
type BoxStatus struct {
	MailBoxID     string `json:"mail_box_id"`
	MailAccountID string `json:"mail_account_id"`
	Name          string `json:"name"`
	Messages      int    `json:"messages"`
	Recent        int    `json:"recent"`
	Unseen        int    `json:"unseen"`
	UIDNext       uint32 `json:"uidnext"`
	UIDValidity   uint32 `json:"uidvalidity"`
}

// Status reports the mailboxes the caller (the principal on ctx) may
// read, optionally of one account or one mailbox, a page at a time; total
// counts every matching mailbox.
func (s *Service) Status(ctx context.Context, accountRef, boxRef string, pageSize, page int) ([]BoxStatus, int64, error) {
	q := resource.Query{PageSize: pageSize, PageNumber: page, Sort: []resource.SortKey{{Column: "id"}}}
	if accountRef != "" {
		q.RelFilters = map[string][]string{"mail_account_id": {accountRef}}
	}
	var rows []resource.Row
	var total int64
	if boxRef != "" {
		r, err := s.o.Res().Get(ctx, store.TableBox, boxRef, resource.Query{})
		if err != nil {
			return nil, 0, err
		}
		rows, total = []resource.Row{r}, 1
	} else {
		p, err := s.o.Res().List(ctx, store.TableBox, q)
		if err != nil {
			return nil, 0, err
		}
		rows, total = p.Rows, p.Total
	}
	out := make([]BoxStatus, 0, len(rows))
	for _, r := range rows {
		b := store.BoxOf(r)
		msgs, err := s.store.Messages(ctx, b)
		if err != nil {
			return nil, 0, err
		}
		st := BoxStatus{MailBoxID: r.RefID, MailAccountID: str(r.Attrs["mail_account_id"]), Name: b.Name,
			Messages: len(msgs), UIDNext: max(b.NextUID, 1), UIDValidity: b.UIDValidity}
		for _, m := range msgs {
			if !store.HasFlag(m.Flags, store.FlagSeen) {
				st.Unseen++
			}
			if m.Recent {
				st.Recent++
			}
		}
		out = append(out, st)
	}
	return out, total, nil
}

func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

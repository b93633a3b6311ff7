package auth

import (
	"strings"
	"testing"
)

// The matrix principals. The object is owned by user 7 and linked to group 5.
var (
	mGuest  = Guest()
	mOwner  = Principal{UserID: 7, Groups: []Group{{ID: 6}}}
	mMember = Principal{UserID: 8, Groups: []Group{{ID: 6}, {ID: 5}}}
	mOther  = Principal{UserID: 9, Groups: []Group{{ID: 6}}}
	mAdmin  = Principal{UserID: 10, Admin: true}
)

// allowed renders which of the seven ops (in bit order p r c u d x f) p may
// perform on obj; a dash is a refusal.
func allowed(p Principal, obj Object) string {
	var b strings.Builder
	for i, o := range Ops() {
		if Can(p, o, obj) {
			b.WriteByte("prcudxf"[i])
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

func TestCanMatrix(t *testing.T) {
	t.Parallel()
	const all, none = "prcudxf", "-------"
	scenarios := []struct {
		name                               string
		perm                               Permission
		guest, owner, member, other, admin string
	}{
		{"default 561441", DefaultPermission, "p----x-", "pr---x-", "pr---x-", "p----x-", all},
		{"allow all 2097151", AllowAll, all, all, all, all, all},
		{"none 0", None, none, none, none, none, all},
		{"authenticated execute 2097152", AuthenticatedExecute, none, "-----x-", "-----x-", "-----x-", all},
		{"guest crud 95", GuestCRUD, "prcud-f", "prcud-f", "prcud-f", "prcud-f", all},
		{"user crud 12160", UserCRUD, none, "prcud-f", none, none, all},
		{"group crud 1556480", GroupCRUD, none, none, "prcud-f", none, all},
		{"group read+execute 557056", GroupRead | GroupExecute, none, none, "-r---x-", none, all},
		{"group refer only", GroupRefer, none, none, "------f", none, all},
		{"audit gate 66048", AuditTableGate, none, "--c----", "--c----", none, all},
		{"audit row 33024", AuditRowDefault, none, "-r-----", "-r-----", none, all},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			// The link row carries the same permission as the object here, so
			// every audience is exercised by one value.
			obj := Object{OwnerID: 7, Permission: s.perm, Groups: []ObjectGroup{{GroupID: 5, Permission: s.perm}}}
			for _, c := range []struct {
				who  string
				p    Principal
				want string
			}{
				{"guest", mGuest, s.guest},
				{"owner", mOwner, s.owner},
				{"member", mMember, s.member},
				{"other", mOther, s.other},
				{"admin", mAdmin, s.admin},
				{"system", System(), all},
			} {
				if got := allowed(c.p, obj); got != c.want {
					t.Errorf("%s: got %s, want %s", c.who, got, c.want)
				}
			}
		})
	}
}

func TestCanGroupBitsComeFromLink(t *testing.T) {
	t.Parallel()
	// The object's own Group bits do not help a member; the link's do.
	obj := Object{OwnerID: 7, Permission: GroupCRUD, Groups: []ObjectGroup{{GroupID: 5, Permission: None}}}
	if got := allowed(mMember, obj); got != "-------" {
		t.Errorf("object group bits leaked to member: %s", got)
	}
	obj = Object{OwnerID: 7, Permission: None, Groups: []ObjectGroup{{GroupID: 5, Permission: GroupRead}}}
	if got := allowed(mMember, obj); got != "-r-----" {
		t.Errorf("link group bits ignored: %s", got)
	}
	// Guest and owner bits on a link row mean nothing.
	obj = Object{OwnerID: 7, Permission: None, Groups: []ObjectGroup{{GroupID: 5, Permission: GuestCRUD | UserCRUD}}}
	if got := allowed(mMember, obj); got != "-------" {
		t.Errorf("link guest/owner bits applied: %s", got)
	}
	// Several links: any one that matches is enough.
	obj = Object{Permission: None, Groups: []ObjectGroup{
		{GroupID: 6, Permission: GroupPeek}, {GroupID: 5, Permission: GroupDelete}, {GroupID: 99, Permission: AllowAll},
	}}
	if got := allowed(mMember, obj); got != "p---d--" {
		t.Errorf("several links: %s", got)
	}
}

func TestCanOwnerlessRows(t *testing.T) {
	t.Parallel()
	// Daptin lets a guest "own" a row whose owner is NULL; Apiary does not.
	obj := Object{OwnerID: 0, Permission: UserCRUD | UserExecute}
	for _, p := range []Principal{mGuest, mOwner, mOther} {
		if got := allowed(p, obj); got != "-------" {
			t.Errorf("user %d on ownerless row: %s", p.UserID, got)
		}
	}
	if got := allowed(mAdmin, obj); got != "prcudxf" {
		t.Errorf("admin on ownerless row: %s", got)
	}
}

func TestCanInvalidOp(t *testing.T) {
	t.Parallel()
	obj := Object{Permission: AllowAll | AuthenticatedExecute}
	for _, p := range []Principal{mGuest, mOwner, mAdmin, System()} {
		if Can(p, 0, obj) || Can(p, 8, obj) {
			t.Errorf("invalid op allowed for %+v", p)
		}
	}
}

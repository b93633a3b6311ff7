package auth

import "testing"

func TestNamedPermissions(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name string
		got  Permission
		want int64
	}{
		{"None", None, 0},
		{"GuestCRUD", GuestCRUD, 95},
		{"UserCRUD", UserCRUD, 12160},
		{"GroupCRUD", GroupCRUD, 1556480},
		{"DefaultPermission", DefaultPermission, 561441},
		{"AllowAll", AllowAll, 2097151},
		{"AuditTableGate", AuditTableGate, 66048},
		{"AuditRowDefault", AuditRowDefault, 33024},
		{"GroupRefer", GroupRefer, 1048576},
		{"AuthenticatedExecute", AuthenticatedExecute, 2097152},
	}
	for _, s := range scenarios {
		if int64(s.got) != s.want {
			t.Errorf("%s = %d, want %d", s.name, s.got, s.want)
		}
	}
}

func TestOpBits(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		op                  Op
		name                string
		guest, owner, group Permission
	}{
		{OpPeek, "peek", GuestPeek, UserPeek, GroupPeek},
		{OpRead, "read", GuestRead, UserRead, GroupRead},
		{OpCreate, "create", GuestCreate, UserCreate, GroupCreate},
		{OpUpdate, "update", GuestUpdate, UserUpdate, GroupUpdate},
		{OpDelete, "delete", GuestDelete, UserDelete, GroupDelete},
		{OpExecute, "execute", GuestExecute, UserExecute, GroupExecute},
		{OpRefer, "refer", GuestRefer, UserRefer, GroupRefer},
	}
	var all Permission
	for _, s := range scenarios {
		if s.op.GuestBit() != s.guest || s.op.OwnerBit() != s.owner || s.op.GroupBit() != s.group {
			t.Errorf("%v bits = %d/%d/%d, want %d/%d/%d", s.op, s.op.GuestBit(), s.op.OwnerBit(),
				s.op.GroupBit(), s.guest, s.owner, s.group)
		}
		if s.op.String() != s.name {
			t.Errorf("%d.String() = %q, want %q", s.op, s.op.String(), s.name)
		}
		if got, ok := ParseOp(s.name); !ok || got != s.op {
			t.Errorf("ParseOp(%q) = %v, %v", s.name, got, ok)
		}
		all |= s.guest | s.owner | s.group
	}
	if all != AllowAll {
		t.Errorf("union of all bits = %d, want AllowAll", all)
	}
	if len(Ops()) != len(scenarios) {
		t.Errorf("Ops() has %d entries", len(Ops()))
	}
}

func TestOpInvalid(t *testing.T) {
	t.Parallel()
	for _, o := range []Op{0, -1, 8, 100} {
		if o.Valid() || o.GuestBit() != None || o.OwnerBit() != None || o.GroupBit() != None {
			t.Errorf("Op(%d) should be invalid with no bits", int(o))
		}
	}
	if got := Op(0).String(); got != "Op(0)" {
		t.Errorf("Op(0).String() = %q", got)
	}
	if o, ok := ParseOp(" READ "); !ok || o != OpRead {
		t.Errorf("ParseOp is not case-insensitive: %v %v", o, ok)
	}
	for _, s := range []string{"", "write", "Op(0)", "peeks"} {
		if _, ok := ParseOp(s); ok {
			t.Errorf("ParseOp(%q) accepted", s)
		}
	}
}

func TestPermissionHas(t *testing.T) {
	t.Parallel()
	if !DefaultPermission.Has(GuestPeek|UserRead) || DefaultPermission.Has(GuestRead|UserRead) {
		t.Error("Has does not require every bit")
	}
	if !None.Has(None) {
		t.Error("None.Has(None) should be true")
	}
}

package auth

import (
	"strconv"
	"strings"
)

// Permission is a Daptin permission value: 7 operation bits for each of the
// guest, owner ("user") and group audiences, plus AuthenticatedExecute.
type Permission int64

// Guest bits apply to every caller, logged in or not.
const (
	GuestPeek    Permission = 1
	GuestRead    Permission = 2
	GuestCreate  Permission = 4
	GuestUpdate  Permission = 8
	GuestDelete  Permission = 16
	GuestExecute Permission = 32
	GuestRefer   Permission = 64
)

// User bits apply to the owner of the object (its user_account_id).
const (
	UserPeek    Permission = 128
	UserRead    Permission = 256
	UserCreate  Permission = 512
	UserUpdate  Permission = 1024
	UserDelete  Permission = 2048
	UserExecute Permission = 4096
	UserRefer   Permission = 8192
)

// Group bits apply to members of a group linked to the object; they are read
// from the link row's permission, not from the object's own permission.
const (
	GroupPeek    Permission = 16384
	GroupRead    Permission = 32768
	GroupCreate  Permission = 65536
	GroupUpdate  Permission = 131072
	GroupDelete  Permission = 262144
	GroupExecute Permission = 524288
	GroupRefer   Permission = 1048576
)

// AuthenticatedExecute lets any logged-in (non-guest) user execute.
const AuthenticatedExecute Permission = 2097152

// Named permission values of contract §4.1.
const (
	// None grants nothing.
	None Permission = 0
	// GuestCRUD is peek, read, create, update, delete and refer for guests (95).
	GuestCRUD = GuestPeek | GuestRead | GuestCreate | GuestUpdate | GuestDelete | GuestRefer
	// UserCRUD is peek, read, create, update, delete and refer for the owner (12160).
	UserCRUD = UserPeek | UserRead | UserCreate | UserUpdate | UserDelete | UserRefer
	// GroupCRUD is peek, read, create, update, delete and refer for group members (1556480).
	GroupCRUD = GroupPeek | GroupRead | GroupCreate | GroupUpdate | GroupDelete | GroupRefer
	// DefaultPermission is the row and table default once an instance has users (561441).
	DefaultPermission = GuestPeek | GuestExecute | UserRead | UserExecute | GroupRead | GroupExecute
	// AllowAll is every guest, owner and group bit, the bootstrap default (2097151).
	AllowAll Permission = 1<<21 - 1
	// AuditTableGate is the table permission of *_audit tables after an admin exists (66048).
	AuditTableGate = UserCreate | GroupCreate
	// AuditRowDefault is the row default of *_audit tables after an admin exists (33024).
	AuditRowDefault = UserRead | GroupRead
)

// Has reports whether every bit of bits is set in p.
func (p Permission) Has(bits Permission) bool { return p&bits == bits }

// Op is one of the seven operations a permission can grant. The zero Op is
// invalid and is never allowed, so an uninitialised Op fails closed.
type Op int

// The operations, in bit order.
const (
	OpPeek Op = iota + 1
	OpRead
	OpCreate
	OpUpdate
	OpDelete
	OpExecute
	OpRefer
)

// Ops returns every valid operation in bit order.
func Ops() []Op {
	return []Op{OpPeek, OpRead, OpCreate, OpUpdate, OpDelete, OpExecute, OpRefer}
}

// Valid reports whether o is one of the seven operations.
func (o Op) Valid() bool { return o >= OpPeek && o <= OpRefer }

// GuestBit returns the guest bit of o, or None for an invalid Op.
func (o Op) GuestBit() Permission {
	if !o.Valid() {
		return None
	}
	return 1 << (o - 1)
}

// OwnerBit returns the owner ("user") bit of o, or None for an invalid Op.
func (o Op) OwnerBit() Permission { return o.GuestBit() << 7 }

// GroupBit returns the group bit of o, or None for an invalid Op.
func (o Op) GroupBit() Permission { return o.GuestBit() << 14 }

// String returns the lower-case name of o ("peek", "read", ...), or
// "Op(n)" for an invalid value.
func (o Op) String() string {
	switch o {
	case OpPeek:
		return "peek"
	case OpRead:
		return "read"
	case OpCreate:
		return "create"
	case OpUpdate:
		return "update"
	case OpDelete:
		return "delete"
	case OpExecute:
		return "execute"
	case OpRefer:
		return "refer"
	}
	return "Op(" + strconv.Itoa(int(o)) + ")"
}

// ParseOp returns the operation named s (case-insensitive, as written by
// Op.String) and whether the name is known.
func ParseOp(s string) (Op, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, o := range Ops() {
		if o.String() == s {
			return o, true
		}
	}
	return 0, false
}

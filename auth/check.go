package auth

// Object is what a permission check needs to know about a table (its world
// row) or a row: who owns it, its permission, and the groups it is shared with.
type Object struct {
	OwnerID    int64 // user_account_id of the object; 0 when it has no owner
	Permission Permission
	Groups     []ObjectGroup
}

// ObjectGroup is one group an object is shared with. Permission is the link
// row's permission, whose Group bits apply to members of GroupID. For a
// usergroup row, pass the group itself with the row's own permission.
type ObjectGroup struct {
	GroupID    int64
	Permission Permission
}

// Can reports whether p may perform op on obj (contract §4.3). It is true when
// any of these holds:
//
//   - p is an administrator or the system;
//   - obj.Permission has the guest bit of op (applies to everyone);
//   - p is a user (UserID != 0) who owns obj and obj.Permission has the owner bit;
//   - p belongs to a group linked to obj whose link permission has the group bit;
//   - op is OpExecute, p is not a guest and obj.Permission has AuthenticatedExecute.
//
// Unlike Daptin, a guest never owns an ownerless row (OwnerID 0): Daptin
// compares the caller's id with the row's NULL owner and lets owner bits
// apply to guests, which exposes rows nobody meant to share. Here owner bits
// need a signed-in owner. An invalid op is never allowed.
func Can(p Principal, op Op, obj Object) bool {
	if !op.Valid() {
		return false
	}
	if p.IsAdmin() {
		return true
	}
	if obj.Permission&op.GuestBit() != 0 {
		return true
	}
	if p.UserID != 0 && p.UserID == obj.OwnerID && obj.Permission&op.OwnerBit() != 0 {
		return true
	}
	if op == OpExecute && !p.IsGuest() && obj.Permission&AuthenticatedExecute != 0 {
		return true
	}
	bit := op.GroupBit()
	for _, g := range obj.Groups {
		if g.Permission&bit != 0 && p.InGroup(g.GroupID) {
			return true
		}
	}
	return false
}

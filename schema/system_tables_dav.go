package schema

// System tables and columns for CalDAV and CardDAV (package dav): a
// `collection` row is a calendar or an address book, a `calendar` row one
// iCalendar object, a `vcard` row one vCard, and a `dav_tombstone` row
// remembers a deleted object so sync-collection can report it.

// sysDAVCollectionColumns are the DAV columns of `collection`.
func sysDAVCollectionColumns() []Column {
	return []Column{
		sysColDef("dav_kind", "label", "varchar(20)", "''", sysIndex),
		sysCol("display_name", "label", "varchar(500)", sysNull),
		sysCol("color", "color", "varchar(20)", sysNull),
		sysDAVDeadProps(),
	}
}

// sysDAVCalendarColumns are the searchable columns extracted from the
// iCalendar object of a `calendar` row. start_at and end_at span every
// instance of a recurring event (end_at is null when it never ends).
func sysDAVCalendarColumns() []Column {
	return []Column{
		sysCol("file_name", "label", "varchar(500)", sysNull|sysIndex),
		sysCol("uid", "label", "varchar(500)", sysNull|sysIndex),
		sysCol("summary", "label", "varchar(1000)", sysNull),
		sysCol("component", "label", "varchar(20)", sysNull),
		sysCol("start_at", "datetime", "timestamp", sysNull|sysIndex),
		sysCol("end_at", "datetime", "timestamp", sysNull|sysIndex),
		sysColDef("recurring", "truefalse", "bool", "false", 0),
		sysDAVDeadProps(),
	}
}

// sysDAVTables returns vcard and dav_tombstone.
func sysDAVTables() []Table {
	return []Table{
		davOwned(sysAdminTable("vcard", "fa-address-card",
			sysCol("rpath", "label", "varchar(500)", sysUnique),
			sysCol("file_name", "label", "varchar(500)", sysNull|sysIndex),
			sysCol("content", "content", "mediumtext", 0),
			sysCol("uid", "label", "varchar(500)", sysNull|sysIndex),
			sysCol("full_name", "label", "varchar(500)", sysNull|sysIndex),
			sysCol("emails", "label", "varchar(1000)", sysNull),
			sysDAVDeadProps(),
		)),
		davOwned(sysAdminTable("dav_tombstone", "fa-trash",
			sysCol("file_name", "label", "varchar(500)", 0),
		)),
	}
}

// davOwnerDefault is the row permission of DAV rows: peek, read, create,
// update, delete, refer and execute for the owner and nothing for anyone
// else (auth.UserCRUD | auth.UserExecute). Calendars and contacts are
// private; members of a usergroup the collection is linked to get the
// link's group bits.
const davOwnerDefault = 128 | 256 | 512 | 1024 | 2048 | 4096 | 8192

// davOwned gives t the private row default.
func davOwned(t Table) Table {
	t.DefaultPermission = davOwnerDefault
	return t
}

// sysDAVDeadProps holds the WebDAV properties clients set with PROPPATCH
// (a JSON object of "{namespace}name" to the property's inner XML).
func sysDAVDeadProps() Column { return sysCol("dead_props", "content", "text", sysNull) }

package schema

// The built-in system schema (contract core.md §3): the tables every
// instance has, their declared relations and the built-in actions. Only the
// declared columns are listed here; Compile adds the standard columns
// (§2.7), the implicit owner and usergroup relations (§2.6), foreign-key
// columns and join tables. The plain `_config` table (§9.2) is created
// separately and is not part of this schema.

// SystemFile returns the built-in schema: every system table of contract §3 with
// its declared columns and its declared relations (NOT the standard columns id,
// reference_id, version, created_at, updated_at, permission, and NOT the implicit
// owner/usergroup relations — a compile step adds those to every table), and the built-in action definitions.
// Each call returns a fresh value that the caller may modify.
func SystemFile() File {
	var tables []Table
	tables = append(tables, sysCoreTables()...)
	tables = append(tables, sysContentTables()...)
	tables = append(tables, sysOAuthTables()...)
	tables = append(tables, sysMailTables()...)
	tables = append(tables, sysMeteringTables()...)
	tables = append(tables, systemServiceTables()...)
	tables = append(tables, sysDAVTables()...)
	return File{
		Tables:    tables,
		Relations: sysRelations(),
		Actions:   sysActions(),
	}
}

// sysFlag switches on the boolean properties of a system column.
type sysFlag uint8

const (
	sysNull   sysFlag = 1 << iota // IsNullable
	sysUnique                     // IsUnique
	sysIndex                      // IsIndexed
	sysHide                       // ExcludeFromApi
)

// sysCol builds a declared column whose Name equals its ColumnName. Without
// sysNull the column is NOT NULL, as in Daptin where IsNullable defaults to
// false.
func sysCol(name, colType, dataType string, flags sysFlag) Column {
	return Column{
		Name:           name,
		ColumnName:     name,
		ColumnType:     colType,
		DataType:       dataType,
		IsNullable:     flags&sysNull != 0,
		IsUnique:       flags&sysUnique != 0,
		IsIndexed:      flags&sysIndex != 0,
		ExcludeFromApi: flags&sysHide != 0,
	}
}

// sysColDef is sysCol with an SQL default, written as a literal ("'draft'",
// "0", "false", "current_timestamp").
func sysColDef(name, colType, dataType, def string, flags sysFlag) Column {
	c := sysCol(name, colType, dataType, flags)
	c.DefaultValue = def
	return c
}

// sysAdmins is the DefaultGroups of most system tables: new rows are shared
// with the administrators group.
func sysAdmins() GroupRefs { return GroupRefs{{Name: GroupAdmins}} }

// sysAdminTable is a visible table whose rows default to the administrators
// group, the shape of most system tables.
func sysAdminTable(name, icon string, cols ...Column) Table {
	return Table{TableName: name, Icon: icon, DefaultGroups: sysAdmins(), Columns: cols}
}

// sysHiddenAdminTable is sysAdminTable with IsHidden set.
func sysHiddenAdminTable(name, icon string, cols ...Column) Table {
	t := sysAdminTable(name, icon, cols...)
	t.IsHidden = true
	return t
}

// sysRel is a relation with the default names {Subject}_id / {Object}_id.
func sysRel(subject, kind, object string) Relation {
	return Relation{Subject: subject, Relation: kind, Object: object}
}

// sysRelCascade is a relation whose subject rows are deleted with the
// object row (a collection's objects and tombstones go with it, whichever
// API deletes it).
func sysRelCascade(subject, kind, object string) Relation {
	return Relation{Subject: subject, Relation: kind, Object: object, OnDelete: OnDeleteCascade}
}

// sysRelNamed is a relation with explicit names: the column (and
// subject-side API relation) objectName, and the reverse name subjectName.
func sysRelNamed(subject, kind, object, subjectName, objectName string) Relation {
	return Relation{Subject: subject, Relation: kind, Object: object, SubjectName: subjectName, ObjectName: objectName}
}

// sysRelations are the declared relations between system tables (contract
// §3, "Relations" column).
func sysRelations() []Relation {
	return []Relation{
		sysRel(TableWorld, HasMany, TableSMD),
		sysRel(TableAction, BelongsTo, TableWorld),
		sysRelNamed("user_otp_account", BelongsTo, TableUser, "primary_user_otp", "otp_of_account"),
		sysRelCascade("calendar", HasOne, "collection"),
		sysRelCascade("vcard", HasOne, "collection"),
		sysRelCascade("dav_tombstone", HasOne, "collection"),
		sysRel("feed", BelongsTo, "stream"),
		sysRelNamed("task", HasOne, TableUser, "task_executed", "as_user_id"),
		sysRel("timeline", BelongsTo, TableWorld),
		sysRel("data_exchange", HasOne, "oauth_token"),
		sysRelNamed("data_exchange", HasOne, TableUser, "user_data_exchange", "as_user_id"),
		sysRel("oauth_token", HasOne, "oauth_connect"),
		sysRel("oauth_state", HasOne, "oauth_connect"),
		sysRel("oauth_code", BelongsTo, "oauth_app"),
		sysRel("oauth_access", BelongsTo, "oauth_app"),
		sysRel("oauth_refresh", BelongsTo, "oauth_app"),
		sysRel("oauth_grant", BelongsTo, "oauth_app"),
		sysRel("cloud_store", HasOne, "credential"),
		sysRel("site", HasOne, "cloud_store"),
		sysRel("mail_account", BelongsTo, "mail_server"),
		sysRel("mail_box", BelongsTo, "mail_account"),
		sysRel("mail", BelongsTo, "mail_box"),
		sysRel("outbox", BelongsTo, "mail_server"),
		sysRel("llm_provider", HasOne, "credential"),
		sysRel("api_member", HasOne, "api_plan"),
		sysRel("api_usage", HasOne, "api_plan"),
		sysRel("api_usage", HasOne, "api_member"),
		sysRel("api_quota", HasOne, "api_plan"),
		sysRel("api_quota", HasOne, "api_member"),
	}
}

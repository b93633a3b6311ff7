package schema

// System tables for the model itself and for users (contract core.md §3):
// world, action, smd, user_account, usergroup, user_otp_account, then the
// content tables document … data_exchange.

// sysCoreTables returns world, action, smd, user_account, usergroup and
// user_otp_account.
func sysCoreTables() []Table {
	world := sysAdminTable(TableWorld, "fa-globe",
		sysCol("table_name", "name", "varchar(200)", sysUnique|sysIndex),
		sysCol("world_schema_json", "json", "text", 0),
		sysColDef("is_top_level", "truefalse", "bool", "true", 0),
		sysColDef("is_hidden", "truefalse", "bool", "false", 0),
		sysColDef("is_join_table", "truefalse", "bool", "false", 0),
		sysColDef("is_state_tracking_enabled", "truefalse", "bool", "false", 0),
		sysColDef("default_order", "value", "varchar(100)", "'+id'", sysNull),
		sysColDef("icon", "label", "varchar(20)", "'fa-star'", sysNull),
	)
	world.DefaultOrder = "+table_name"

	action := sysAdminTable(TableAction, "fa-bolt",
		sysCol("action_name", "label", "varchar(100)", sysIndex),
		sysCol("label", "label", "varchar(100)", sysIndex),
		sysColDef("instance_optional", "truefalse", "bool", "true", 0),
		sysCol("action_schema", "json", "text", sysHide),
	)
	action.CompositeKeys = [][]string{{"action_name", "world_id"}}

	smd := sysAdminTable(TableSMD, "fa-project-diagram",
		sysCol("name", "label", "varchar(100)", sysIndex),
		sysCol("label", "label", "varchar(100)", 0),
		sysCol("initial_state", "label", "varchar(100)", 0),
		sysCol("events", "json", "text", 0),
	)

	user := Table{
		TableName: TableUser,
		Icon:      "fa-user",
		// The users-group link is the membership row. It carries no group
		// bits, so being in "users" does not let every user read every other
		// user's row and email (a Daptin leak we fix).
		DefaultGroups: GroupRefs{{Name: GroupUsers, Permission: MembershipPermission}},
		Columns: []Column{
			sysCol("name", "label", "varchar(80)", sysIndex),
			sysCol("email", "email", "varchar(80)", sysUnique|sysIndex),
			sysCol("password", "password", "varchar(100)", sysNull),
			sysColDef("confirmed", "truefalse", "bool", "false", 0),
			sysColDef("auth_version", "measurement", "int(11)", "1", sysHide),
			// Dexie Cloud user fields (issue 21): the /users dialect reads
			// and writes them; deactivated (a time) refuses sign-in and tokens.
			sysColDef("user_type", "label", "varchar(10)", "'prod'", 0),
			sysCol("valid_until", "datetime", "timestamp", sysNull),
			sysCol("eval_days_left", "measurement", "int(11)", sysNull),
			sysCol("last_login", "datetime", "timestamp", sysNull),
			sysCol("user_data", "json", "text", sysNull),
			sysCol("deactivated", "datetime", "timestamp", sysNull),
			// daybed_id is the Hawk credentials id of the user's Daybed token
			// (not a secret: the key is derived from a server secret).
			sysCol("daybed_id", "label", "varchar(64)", sysNull|sysIndex),
		},
		Validations: []ColumnTag{
			{ColumnName: "email", Tags: "email"},
			{ColumnName: "password", Tags: "required"},
			{ColumnName: "name", Tags: "required"},
		},
		Conformations: []ColumnTag{{ColumnName: "email", Tags: "email"}},
	}

	usergroup := Table{
		TableName: TableUsergroup,
		Icon:      "fa-users",
		IsHidden:  true,
		Columns:   []Column{sysCol("name", "label", "varchar(80)", sysUnique|sysIndex)},
	}

	otp := Table{
		TableName: "user_otp_account",
		Icon:      "fa-sms",
		Columns: []Column{
			sysCol("mobile_number", "label", "varchar(20)", sysNull|sysIndex),
			sysCol("otp_secret", "encrypted", "varchar(100)", sysIndex|sysHide),
			sysColDef("verified", "truefalse", "bool", "false", 0),
		},
	}
	return []Table{world, action, smd, user, usergroup, otp}
}

// sysContentTables returns document, calendar, collection, credential,
// certificate, feed, stream, integration, task, template, json_schema,
// timeline and data_exchange.
func sysContentTables() []Table {
	return []Table{
		sysAdminTable("document", "fa-file",
			sysCol("document_name", "label", "varchar(768)", sysIndex),
			sysCol("document_path", "label", "varchar(2048)", 0),
			sysCol("document_extension", "label", "varchar(100)", sysIndex),
			sysCol("mime_type", "label", "varchar(255)", sysIndex),
			sysCol("document_content", "file.*", "longblob", 0),
		),
		davOwned(sysAdminTable("calendar", "fa-calendar-alt", append([]Column{
			sysCol("rpath", "label", "varchar(500)", sysUnique),
			sysCol("content", "file.ical", "longblob", 0),
		}, sysDAVCalendarColumns()...)...)),
		davOwned(sysAdminTable("collection", "fa-folder-open", append([]Column{
			sysCol("name", "label", "varchar(500)", sysIndex),
			sysCol("description", "label", "text", 0),
		}, sysDAVCollectionColumns()...)...)),
		sysAdminTable("credential", "fa-key",
			sysCol("name", "label", "varchar(500)", sysIndex),
			sysCol("content", "encrypted", "text", 0),
		),
		sysAdminTable("certificate", "fa-certificate",
			sysCol("hostname", "label", "varchar(100)", sysUnique|sysIndex),
			sysColDef("issuer", "label", "varchar(100)", "'self'", 0),
			sysCol("generated_at", "datetime", "timestamp", sysNull),
			sysCol("certificate_pem", "content", "text", sysNull),
			sysCol("root_certificate", "content", "text", sysNull),
			sysCol("private_key_pem", "encrypted", "text", sysNull),
			sysCol("public_key_pem", "content", "text", sysNull),
		),
		sysAdminTable("feed", "fa-rss",
			sysCol("feed_name", "label", "varchar(100)", sysUnique|sysIndex),
			sysColDef("title", "label", "varchar(500)", "''", 0),
			sysCol("description", "label", "text", 0),
			sysColDef("link", "label", "varchar(1000)", "''", 0),
			sysColDef("author_name", "label", "varchar(500)", "''", 0),
			sysColDef("author_email", "label", "varchar(500)", "''", 0),
			sysColDef("enable", "truefalse", "bool", "false", 0),
			sysColDef("enable_atom", "truefalse", "bool", "true", 0),
			sysColDef("enable_json", "truefalse", "bool", "true", 0),
			sysColDef("enable_rss", "truefalse", "bool", "true", 0),
			sysColDef("page_size", "measurement", "int(11)", "1000", 0),
		),
		sysAdminTable("stream", "fa-stream",
			sysCol("stream_name", "label", "varchar(100)", sysIndex),
			sysColDef("enable", "truefalse", "bool", "true", 0),
			sysCol("stream_contract", "json", "text", 0),
		),
		sysAdminTable("integration", "fa-exchange-alt",
			sysCol("name", "label", "varchar(100)", sysUnique|sysIndex),
			sysCol("specification_language", "label", "varchar(20)", 0),
			sysColDef("specification_format", "label", "varchar(10)", "'json'", 0),
			sysCol("specification", "content", "mediumtext", 0),
			sysCol("authentication_type", "label", "varchar(100)", 0),
			sysCol("authentication_specification", "encrypted", "text", 0),
			sysColDef("enable", "truefalse", "bool", "true", 0),
		),
		sysAdminTable("task", "fa-tasks",
			sysCol("name", "label", "varchar(100)", sysIndex),
			sysCol("action_name", "label", "varchar(100)", 0),
			sysCol("entity_name", "label", "varchar(100)", 0),
			sysCol("schedule", "label", "varchar(100)", 0),
			sysCol("active", "truefalse", "bool", 0),
			sysCol("attributes", "json", "text", 0),
			sysCol("job_type", "label", "varchar(100)", 0),
			sysCol("last_run", "datetime", "timestamp", sysNull),
			sysCol("next_run", "datetime", "timestamp", sysNull),
			sysCol("last_error", "content", "text", sysNull),
		),
		sysAdminTable("template", "fa-file-alt",
			sysCol("name", "label", "varchar(500)", sysUnique|sysIndex),
			sysCol("content", "content", "text", 0),
			sysColDef("action_config", "json", "text", "'{}'", sysNull),
			sysColDef("cache_config", "json", "text", "'{}'", sysNull),
			sysCol("mime_type", "label", "varchar(500)", 0),
			sysCol("headers", "json", "text", sysNull),
			sysCol("url_pattern", "json", "text", 0),
		),
		sysAdminTable("json_schema", "fa-code",
			sysCol("schema_name", "label", "varchar(100)", 0),
			sysCol("json_schema", "json", "text", 0),
		),
		sysAdminTable("timeline", "fa-history",
			sysCol("event_type", "label", "varchar(50)", 0),
			sysCol("title", "label", "varchar(50)", sysIndex),
			sysCol("payload", "content", "text", sysNull),
		),
		sysAdminTable("data_exchange", "fa-sync",
			sysCol("name", "label", "varchar(200)", sysUnique|sysIndex),
			sysCol("source_attributes", "json", "text", 0),
			sysCol("source_type", "label", "varchar(100)", 0),
			sysCol("target_attributes", "json", "text", 0),
			sysCol("attributes", "json", "text", 0),
			sysCol("target_type", "label", "varchar(100)", 0),
			sysCol("options", "json", "text", 0),
		),
	}
}

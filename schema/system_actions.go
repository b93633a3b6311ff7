package schema

// Built-in action definitions (contract core.md §6.7). Only the interface
// is declared here — name, label, table, whether an instance is needed,
// typed inputs, validations and permissions. OutFields stay nil: the
// actions executor supplies the behaviour of a built-in action by name.

// Action permissions that differ from the default (contract §4.4).
const (
	// sysAuthenticatedExecute lets any signed-in user execute, never guests.
	sysAuthenticatedExecute int64 = 2097152
	// sysGroupExecute is the administrators link permission of admin-only
	// actions.
	sysGroupExecute int64 = 524288
)

// sysActions returns every built-in action.
func sysActions() []Action {
	var out []Action
	out = append(out, sysUserActions()...)
	out = append(out, sysOAuthActions()...)
	out = append(out, sysWorldActions()...)
	out = append(out, sysStoreActions()...)
	return out
}

// sysField is an action input whose Name equals its ColumnName. DataType
// stays empty, as Daptin reports it for action inputs.
func sysField(name, colType string, flags sysFlag) Column {
	return sysFieldNamed(name, name, colType, flags)
}

// sysFieldNamed is an action input with a display name that differs from
// the attribute key.
func sysFieldNamed(display, name, colType string, flags sysFlag) Column {
	c := sysCol(name, colType, "", flags)
	c.Name = display
	return c
}

// sysAct is an action that runs without a subject row (InstanceOptional).
func sysAct(name, label, onType string, in ...Column) Action {
	return Action{Name: name, Label: label, OnType: onType, InstanceOptional: true, InFields: append([]Column{}, in...)}
}

// sysInstAct is an action that needs {onType}_id naming its subject row.
func sysInstAct(name, label, onType string, in ...Column) Action {
	a := sysAct(name, label, onType, in...)
	a.InstanceOptional = false
	return a
}

// sysAuthenticated restricts an action to signed-in users.
func sysAuthenticated(a Action) Action {
	a.Permission = sysAuthenticatedExecute
	return a
}

// sysAdminOnly gives an action no permission of its own (an explicit 0)
// and execute permission to the administrators group only.
func sysAdminOnly(a Action) Action {
	a.Permission, a.ExplicitPermission = 0, true
	a.AccessGroups = GroupRefs{{Name: GroupAdmins, Permission: sysGroupExecute}}
	return a
}

// sysTags builds a Validations or Conformations list from column/tag pairs.
func sysTags(pairs ...string) []ColumnTag {
	out := make([]ColumnTag, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, ColumnTag{ColumnName: pairs[i], Tags: pairs[i+1]})
	}
	return out
}

// sysUserActions are sign-up, sign-in, password reset and OTP actions.
func sysUserActions() []Action {
	signup := sysAct("signup", "Sign up", TableUser,
		sysField("name", "label", 0),
		sysField("email", "email", 0),
		sysField("mobile", "label", sysNull),
		sysField("password", "password", 0),
		sysFieldNamed("Password Confirm", "passwordConfirm", "password", 0),
	)
	signup.Validations = sysTags(
		"email", "email",
		"name", "required",
		"password", "eqfield=InnerStructField[passwordConfirm],min=8",
	)
	signup.Conformations = sysTags("email", "email", "name", "trim", "mobile", "trim")

	reset := sysAct("reset-password", "Reset password", TableUser, sysField("email", "email", 0))
	reset.Validations = sysTags("email", "email")
	reset.Conformations = sysTags("email", "email")

	resetVerify := sysAct("reset-password-verify", "Reset password verify code", TableUser,
		sysField("email", "email", 0),
		sysField("otp", "value", 0),
	)
	resetVerify.Validations = sysTags("email", "email")
	resetVerify.Conformations = sysTags("email", "email")

	return []Action{
		signup,
		sysAct("signin", "Sign in", TableUser,
			sysField("email", "email", 0),
			sysField("password", "password", 0),
		),
		reset,
		resetVerify,
		sysInstAct("register_otp", "Register Mobile Number", TableUser,
			sysField("mobile_number", "label", 0),
		),
		sysAuthenticated(sysAct("send_otp", "Send OTP to mobile", "user_otp_account",
			sysField("mobile_number", "label", 0),
			sysField("email", "label", 0),
		)),
		sysAuthenticated(sysAct("verify_mobile_number", "Verify Mobile Number", "user_otp_account",
			sysField("mobile_number", "label", 0),
			sysField("email", "label", 0),
			sysField("otp", "label", 0),
		)),
		sysAuthenticated(sysAct("verify_otp", "Login with OTP", TableUser,
			sysField("otp", "label", 0),
			sysField("mobile_number", "label", 0),
			sysField("email", "label", 0),
		)),
	}
}

// sysOAuthActions are the OAuth client login flow and the management
// actions of the built-in OAuth provider.
func sysOAuthActions() []Action {
	clientFields := func(required sysFlag) []Column {
		return []Column{
			sysField("name", "label", required),
			sysField("redirect_uris", "content", required),
			sysField("scopes", "content", sysNull),
			sysField("grants", "label", sysNull),
			sysField("is_confidential", "truefalse", sysNull),
		}
	}
	return []Action{
		sysInstAct("oauth_login_begin", "Authenticate via OAuth", "oauth_connect"),
		sysAct("oauth.login.response", "Handle OAuth login response code and state", "oauth_token",
			sysField("code", "hidden", 0),
			sysField("state", "hidden", 0),
			sysField("authenticator", "hidden", 0),
		),
		sysInstAct("get_token", "Get decrypted OAuth token", "oauth_token"),
		sysAct("register_client", "Register OAuth client", "oauth_app", clientFields(0)...),
		sysInstAct("update_client", "Update OAuth client", "oauth_app", clientFields(sysNull)...),
		sysInstAct("rotate_client_secret", "Rotate OAuth client secret", "oauth_app"),
		sysInstAct("disable_client", "Disable OAuth client", "oauth_app"),
		sysInstAct("enable_client", "Enable OAuth client", "oauth_app"),
		sysInstAct("revoke_client_tokens", "Revoke OAuth client tokens", "oauth_app"),
	}
}

// sysWorldActions are the administration actions on world: becoming
// administrator, schema upload/download, import/export and table changes.
func sysWorldActions() []Action {
	csvUpload := sysAct("upload_csv_to_system_schema", "Upload CSV to entity", TableWorld,
		sysFieldNamed("CSV file", "data_csv_file", "file.csv", 0),
		sysFieldNamed("Entity name", "entity_name", "label", 0),
		sysDefault(sysFieldNamed("Create entity if not exists", "create_if_not_exists", "truefalse", sysNull), "false"),
		sysDefault(sysFieldNamed("Add missing columns", "add_missing_columns", "truefalse", sysNull), "false"),
	)
	csvUpload.Validations = sysTags("entity_name", "required")

	xlsUpload := sysAct("upload_xls_to_system_schema", "Upload xls to entity", TableWorld,
		sysFieldNamed("XLSX file", "data_xls_file", "file.xls|xlsx", 0),
		sysFieldNamed("Entity name", "entity_name", "label", 0),
		sysFieldNamed("Create entity if not exists", "create_if_not_exists", "truefalse", 0),
		sysFieldNamed("Add missing columns", "add_missing_columns", "truefalse", 0),
	)
	xlsUpload.Validations = sysTags("entity_name", "required")

	random := sysAct("generate_random_data", "Generate random data", TableWorld,
		sysFieldNamed("Number of records", "count", "measurement", 0),
		sysFieldNamed("Table name", "table_name", "label", 0),
	)
	random.Validations = sysTags("count", "gt=0")

	return []Action{
		sysAct("become_an_administrator", "Become Daptin Administrator", TableWorld),
		sysAdminOnly(sysAct("restart_daptin", "Restart system", TableWorld)),
		sysAdminOnly(sysAct("upload_system_schema", "Upload features", TableWorld,
			sysFieldNamed("Schema file", "schema_file", "file.json|yaml|toml|hcl", 0),
		)),
		sysAct("download_system_schema", "Download system schema", TableWorld),
		csvUpload,
		xlsUpload,
		sysAdminOnly(sysAct("export_data", "Export data for backup", TableWorld,
			sysField("table_name", "label", 0),
			sysDefault(sysField("format", "label", 0), "json"),
			sysField("columns", "label", 0),
			sysField("include_headers", "truefalse", 0),
		)),
		sysAdminOnly(sysAct("export_csv_data", "Export CSV data", TableWorld,
			sysField("table_name", "label", 0),
		)),
		sysAdminOnly(sysInstAct("import_data", "Import data from dump", TableWorld,
			sysFieldNamed("Import file", "dump_file", "file.json|yaml|toml|hcl|csv|docx|xlsx|pdf|html", 0),
			sysField("truncate_before_insert", "truefalse", 0),
			sysField("batch_size", "measurement", 0),
		)),
		sysAdminOnly(random),
		sysAdminOnly(sysInstAct("remove_table", "Delete table", TableWorld)),
		sysAdminOnly(sysInstAct("remove_column", "Delete column", TableWorld,
			sysField("column_name", "label", 0),
		)),
		sysAdminOnly(sysAct("rename_column", "Rename column", TableWorld,
			sysField("table_name", "label", 0),
			sysField("column_name", "label", 0),
			sysField("new_column_name", "label", 0),
		)),
		sysAdminOnly(sysAct("sync_column_storage", "Sync column storage", TableWorld,
			sysFieldNamed("Table name", "table_name", "label", 0),
			sysFieldNamed("Column name", "column_name", "label", 0),
			sysFieldNamed("Credential name", "credential_name", "label", 0),
		)),
		sysAdminOnly(sysInstAct("import_files_from_store", "Import files data to a table", TableWorld,
			sysField("table_name", "label", 0),
		)),
		sysAct("publish_to_topic", "Publish message to topic", TableWorld,
			sysField("topicName", "label", 0),
			sysField("message", "content", 0),
		),
		sysAdminOnly(sysInstAct("add_exchange", "Add new data exchange", TableWorld,
			sysField("name", "label", 0),
			sysField("sheet_id", "alias", 0),
			sysFieldNamed("app_key Key", "app_key", "alias", 0),
		)),
	}
}

// sysDefault sets the default of an action input (a plain value, not an
// SQL literal).
func sysDefault(c Column, value string) Column {
	c.DefaultValue = value
	return c
}

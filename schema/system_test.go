package schema

import (
	"slices"
	"testing"
)

func TestSystemFileTableOrder(t *testing.T) {
	want := []string{
		"world", "action", "smd", "user_account", "usergroup", "user_otp_account",
		"document", "calendar", "collection", "credential", "certificate", "feed",
		"stream", "integration", "task", "template", "json_schema", "timeline",
		"data_exchange", "oauth_connect", "oauth_token", "oauth_state", "oauth_app",
		"oauth_code", "oauth_access", "oauth_refresh", "oauth_grant", "oauth_key",
		"cloud_store", "site", "mail_server", "mail_account", "mail_box", "mail",
		"outbox", "llm_provider", "llm_usage", "api_plan", "api_member", "api_usage",
		"api_quota", "service_client", "vcard", "dav_tombstone",
	}
	var got []string
	for _, tb := range SystemFile().Tables {
		got = append(got, tb.TableName)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("tables:\n got %v\nwant %v", got, want)
	}
}

func TestSystemTablesWellFormed(t *testing.T) {
	standard := map[string]bool{
		ColID: true, ColVersion: true, ColCreatedAt: true, ColUpdatedAt: true,
		ColReferenceID: true, ColPermission: true, ColOwner: true,
	}
	for _, tb := range SystemFile().Tables {
		t.Run(tb.TableName, func(t *testing.T) {
			if !ValidIdentifier(tb.TableName) || SnakeCase(tb.TableName) != tb.TableName {
				t.Errorf("table name %q is not a valid snake_case identifier", tb.TableName)
			}
			if tb.TableName == ConfigTable || IsJoinTableName(tb.TableName) {
				t.Errorf("table %q must not be in the system file", tb.TableName)
			}
			if len(tb.Columns) == 0 {
				t.Errorf("table %q has no columns", tb.TableName)
			}
			seen := map[string]bool{}
			for _, c := range tb.Columns {
				switch {
				case !ValidIdentifier(c.ColumnName):
					t.Errorf("column %q: invalid name", c.ColumnName)
				case seen[c.ColumnName]:
					t.Errorf("column %q: duplicate", c.ColumnName)
				case standard[c.ColumnName]:
					t.Errorf("column %q: standard columns are added by Compile", c.ColumnName)
				}
				seen[c.ColumnName] = true
				if c.Name == "" || c.ColumnType == "" || c.DataType == "" {
					t.Errorf("column %q: Name, ColumnType and DataType must be set: %+v", c.ColumnName, c)
				}
			}
			for _, key := range tb.CompositeKeys {
				for _, name := range key {
					if !seen[name] && name != "world_id" {
						t.Errorf("composite key names unknown column %q", name)
					}
				}
			}
		})
	}
}

func TestSystemTableSettings(t *testing.T) {
	f := SystemFile()
	byName := map[string]Table{}
	for _, tb := range f.Tables {
		byName[tb.TableName] = tb
	}
	hidden := []string{"usergroup", "oauth_state", "oauth_app", "oauth_code", "oauth_access", "oauth_refresh"}
	for name, tb := range byName {
		if got, want := tb.IsHidden, slices.Contains(hidden, name); got != want {
			t.Errorf("%s: IsHidden = %v, want %v", name, got, want)
		}
		var groups []string
		for _, g := range tb.DefaultGroups {
			groups = append(groups, g.Name)
		}
		want := []string{GroupAdmins}
		switch name {
		case TableUser:
			want = []string{GroupUsers}
		case TableUsergroup, "user_otp_account":
			want = nil
		}
		if !slices.Equal(groups, want) {
			t.Errorf("%s: DefaultGroups = %v, want %v", name, groups, want)
		}
	}
	if got := byName[TableWorld].DefaultOrder; got != "+table_name" {
		t.Errorf("world DefaultOrder = %q", got)
	}
	if got := byName[TableAction].CompositeKeys; len(got) != 1 || !slices.Equal(got[0], []string{"action_name", "world_id"}) {
		t.Errorf("action CompositeKeys = %v", got)
	}
	user := byName[TableUser]
	if len(user.Validations) != 3 || len(user.Conformations) != 1 {
		t.Errorf("user_account validations %v, conformations %v", user.Validations, user.Conformations)
	}
	excluded := map[string][]string{
		TableAction:        {"action_schema"},
		TableUser:          {"auth_version"},
		"user_otp_account": {"otp_secret"},
	}
	for table, cols := range excluded {
		for _, c := range byName[table].Columns {
			if got, want := c.ExcludeFromApi, slices.Contains(cols, c.ColumnName); got != want {
				t.Errorf("%s.%s: ExcludeFromApi = %v, want %v", table, c.ColumnName, got, want)
			}
		}
	}
}

func TestSystemRelationsReferenceTables(t *testing.T) {
	f := SystemFile()
	tables := map[string]bool{}
	for _, tb := range f.Tables {
		tables[tb.TableName] = true
	}
	kinds := map[string]bool{BelongsTo: true, HasOne: true, HasMany: true, HasManyBTM: true}
	for _, r := range f.Relations {
		if !tables[r.Subject] || !tables[r.Object] {
			t.Errorf("relation %s %s %s names an unknown table", r.Subject, r.Relation, r.Object)
		}
		if !kinds[r.Relation] {
			t.Errorf("relation %s %s %s: unknown kind", r.Subject, r.Relation, r.Object)
		}
		if r.Object == TableUsergroup || (r.Object == TableUser && r.ObjectName == "") {
			t.Errorf("relation %s %s %s duplicates an implicit relation", r.Subject, r.Relation, r.Object)
		}
	}
	for _, tb := range f.Tables {
		if len(tb.Relations) != 0 {
			t.Errorf("%s: relations belong in File.Relations", tb.TableName)
		}
	}
}

func TestSystemActions(t *testing.T) {
	f := SystemFile()
	tables := map[string]bool{}
	for _, tb := range f.Tables {
		tables[tb.TableName] = true
	}
	actions := map[string]Action{}
	for _, a := range f.Actions {
		key := a.OnType + "/" + a.Name
		if _, dup := actions[key]; dup {
			t.Errorf("action %s defined twice", key)
		}
		actions[key] = a
		if !tables[a.OnType] {
			t.Errorf("action %s is on unknown table", key)
		}
		if a.Label == "" || a.OutFields != nil || a.InFields == nil {
			t.Errorf("action %s: want a Label, non-nil InFields and nil OutFields", key)
		}
		for _, in := range a.InFields {
			if in.ColumnName == "" || in.ColumnType == "" {
				t.Errorf("action %s: input %+v lacks a name or type", key, in)
			}
		}
	}
	tests := []struct {
		name, onType     string
		instanceOptional bool
	}{
		{"signup", TableUser, true},
		{"signin", TableUser, true},
		{"become_an_administrator", TableWorld, true},
		{"upload_system_schema", TableWorld, true},
		{"download_system_schema", TableWorld, true},
		{"export_data", TableWorld, true},
		{"import_data", TableWorld, false},
		{"generate_random_data", TableWorld, true},
		{"restart_daptin", TableWorld, true},
		{"register_otp", TableUser, false},
		{"oauth_login_begin", "oauth_connect", false},
	}
	for _, tt := range tests {
		a, ok := actions[tt.onType+"/"+tt.name]
		if !ok {
			t.Errorf("action %s on %s missing", tt.name, tt.onType)
			continue
		}
		if a.InstanceOptional != tt.instanceOptional {
			t.Errorf("action %s: InstanceOptional = %v", tt.name, a.InstanceOptional)
		}
	}
}

func TestSystemActionPermissions(t *testing.T) {
	actions := map[string]Action{}
	for _, a := range SystemFile().Actions {
		actions[a.Name] = a
	}
	for _, name := range []string{"export_data", "export_csv_data"} {
		a := actions[name]
		if a.Permission != 0 || len(a.AccessGroups) != 1 || a.AccessGroups[0].Name != GroupAdmins || a.AccessGroups[0].Permission != 524288 {
			t.Errorf("%s: Permission %d, AccessGroups %v", name, a.Permission, a.AccessGroups)
		}
	}
	for _, name := range []string{"verify_mobile_number", "send_otp", "verify_otp"} {
		if got := actions[name].Permission; got != 2097152 {
			t.Errorf("%s: Permission = %d, want 2097152", name, got)
		}
	}
	signup := actions["signup"]
	var inputs []string
	for _, in := range signup.InFields {
		inputs = append(inputs, in.ColumnName+":"+in.ColumnType)
	}
	want := []string{"name:label", "email:email", "mobile:label", "password:password", "passwordConfirm:password"}
	if !slices.Equal(inputs, want) {
		t.Errorf("signup inputs = %v, want %v", inputs, want)
	}
	if !slices.Contains(signup.Validations, ColumnTag{ColumnName: "password", Tags: "eqfield=InnerStructField[passwordConfirm],min=8"}) {
		t.Errorf("signup validations = %v", signup.Validations)
	}
}

func TestSystemFileIsFresh(t *testing.T) {
	a := SystemFile()
	a.Tables[0].Columns[0].ColumnName = "changed"
	a.Actions[0].InFields[0].ColumnName = "changed"
	b := SystemFile()
	if b.Tables[0].Columns[0].ColumnName == "changed" || b.Actions[0].InFields[0].ColumnName == "changed" {
		t.Fatal("SystemFile returned shared state")
	}
}

package schema

import (
	"fmt"
	"strings"
)

// Names of the standard columns and of the tables the model relies on.
const (
	ColID          = "id"
	ColVersion     = "version"
	ColCreatedAt   = "created_at"
	ColUpdatedAt   = "updated_at"
	ColReferenceID = "reference_id"
	ColPermission  = "permission"
	ColOwner       = "user_account_id"
	ColUsergroup   = "usergroup_id"

	TableWorld      = "world"
	TableUser       = "user_account"
	TableUsergroup  = "usergroup"
	TableAction     = "action"
	TableSMD        = "smd"
	TableMembership = "user_account_user_account_id_has_usergroup_usergroup_id"
	ConfigTable     = "_config"
	GroupAdmins     = "administrators"
	GroupUsers      = "users"
	GroupGuests     = "guests"
	// MembershipPermission is the permission of the membership row a
	// sign-up creates: guest peek and execute, owner read and execute.
	MembershipPermission = 4385
	fkDataType           = "bigint"
	defaultFKType        = "alias"
	stateColumnLimit     = "varchar(100)"
)

// reservedColumns are filled by Apiary itself and may not be declared.
var reservedColumns = map[string]bool{
	ColID: true, ColVersion: true, ColCreatedAt: true, ColUpdatedAt: true,
	ColReferenceID: true, ColPermission: true, ColOwner: true, "__type": true,
}

// Compile merges the built-in system schema with the given sources (in
// order; a later definition of a table adds columns and switches on flags)
// and derives everything the runtime needs: standard columns, implicit
// owner and usergroup relations, foreign-key columns, join, state and audit
// tables, and per-table API links. Any problem is an *Error naming its
// source file, table and column.
func Compile(sources ...Source) (*Schema, error) {
	c := &compiler{byName: map[string]*Table{}, origin: map[string]string{}}
	all := append([]Source{{Path: "(built-in)", File: SystemFile()}}, sources...)
	for _, src := range all {
		if err := c.addFile(src); err != nil {
			return nil, err
		}
	}
	if err := c.build(); err != nil {
		return nil, err
	}
	return c.out, nil
}

type compiler struct {
	tables    []*Table
	byName    map[string]*Table
	origin    map[string]string // table -> file that first defined it
	relations []relSource
	out       *Schema
	actions   []Action
	machines  []StateMachine
	extra     Schema
}

type relSource struct {
	rel  Relation
	file string
}

func (c *compiler) addFile(src Source) error {
	f := src.File
	for _, t := range f.Tables {
		if err := c.addTable(src.Path, t, src.Path == "(built-in)"); err != nil {
			return err
		}
		for _, r := range t.Relations {
			if r.Subject == "" {
				r.Subject = t.TableName
			}
			c.relations = append(c.relations, relSource{r, src.Path})
		}
	}
	for _, r := range f.Relations {
		c.relations = append(c.relations, relSource{r, src.Path})
	}
	c.actions = mergeActions(c.actions, f.Actions)
	c.machines = append(c.machines, f.StateMachineDescriptions...)
	c.extra.Exchanges = append(c.extra.Exchanges, f.ExchangeContracts...)
	c.extra.Imports = append(c.extra.Imports, f.Imports...)
	c.extra.Streams = append(c.extra.Streams, f.Streams...)
	c.extra.Tasks = append(c.extra.Tasks, f.Tasks...)
	if f.EnableGraphQL != nil {
		c.extra.EnableGraphQL = f.EnableGraphQL
	}
	return nil
}

func mergeActions(have, add []Action) []Action {
	for _, a := range add {
		replaced := false
		for i := range have {
			if have[i].Name == a.Name && have[i].OnType == a.OnType {
				have[i], replaced = a, true
			}
		}
		if !replaced {
			have = append(have, a)
		}
	}
	return have
}

func (c *compiler) addTable(file string, in Table, system bool) error {
	name := SnakeCase(in.TableName)
	if name == "" {
		return &Error{File: file, Msg: "a table has no TableName"}
	}
	if !ValidIdentifier(name) {
		return &Error{File: file, Table: in.TableName, Msg: "table name must be letters, digits and underscores"}
	}
	if !system && (name == ConfigTable || strings.HasPrefix(name, "sqlite_") || strings.HasPrefix(name, "pg_")) {
		return &Error{File: file, Table: name, Msg: "table name is reserved"}
	}
	cols, err := normalizeColumns(file, name, in.Columns, system)
	if err != nil {
		return err
	}
	in.TableName, in.Columns, in.System = name, cols, system
	in.Relations = nil
	if in.Permission != 0 {
		in.ExplicitPermission = true
	}
	if in.DefaultPermission != 0 {
		in.ExplicitDefaultPermission = true
	}
	prev, ok := c.byName[name]
	if !ok {
		t := in
		c.tables = append(c.tables, &t)
		c.byName[name] = &t
		c.origin[name] = file
		return nil
	}
	return mergeTable(file, prev, &in)
}

// mergeTable folds a second definition of a table into the first: new
// columns are appended, a redefined column replaces the old one, flags are
// switched on, and non-empty settings win.
func mergeTable(file string, dst, src *Table) error {
	for _, col := range src.Columns {
		if i := columnIndex(dst.Columns, col.ColumnName); i >= 0 {
			dst.Columns[i] = col
			continue
		}
		dst.Columns = append(dst.Columns, col)
	}
	dst.IsHidden = dst.IsHidden || src.IsHidden
	dst.IsStateTrackingEnabled = dst.IsStateTrackingEnabled || src.IsStateTrackingEnabled
	dst.IsAuditEnabled = dst.IsAuditEnabled || src.IsAuditEnabled
	dst.TranslationsEnabled = dst.TranslationsEnabled || src.TranslationsEnabled
	if src.ExplicitPermission {
		dst.Permission, dst.ExplicitPermission = src.Permission, true
	}
	if src.ExplicitDefaultPermission {
		dst.DefaultPermission, dst.ExplicitDefaultPermission = src.DefaultPermission, true
	}
	if src.TableDescription != "" {
		dst.TableDescription = src.TableDescription
	}
	if src.DefaultOrder != "" {
		dst.DefaultOrder = src.DefaultOrder
	}
	if src.Icon != "" {
		dst.Icon = src.Icon
	}
	dst.DefaultGroups = append(dst.DefaultGroups, src.DefaultGroups...)
	dst.AccessGroups = append(dst.AccessGroups, src.AccessGroups...)
	dst.Validations = append(dst.Validations, src.Validations...)
	dst.Conformations = append(dst.Conformations, src.Conformations...)
	dst.CompositeKeys = append(dst.CompositeKeys, src.CompositeKeys...)
	dst.Indexes = append(dst.Indexes, src.Indexes...)
	return nil
}

func columnIndex(cols []Column, name string) int {
	for i := range cols {
		if cols[i].ColumnName == name {
			return i
		}
	}
	return -1
}

// normalizeColumns fills names and default data types and rejects bad
// columns. Standard columns are added later, so declaring one is an error.
func normalizeColumns(file, table string, in []Column, system bool) ([]Column, error) {
	out := make([]Column, 0, len(in))
	seen := map[string]bool{}
	for _, col := range in {
		if col.ColumnName == "" {
			col.ColumnName = SnakeCase(col.Name)
		}
		col.ColumnName = SnakeCase(col.ColumnName)
		if col.Name == "" {
			col.Name = col.ColumnName
		}
		if col.ColumnName == "" {
			return nil, &Error{File: file, Table: table, Msg: "a column has neither Name nor ColumnName"}
		}
		if !ValidIdentifier(col.ColumnName) {
			return nil, &Error{File: file, Table: table, Column: col.ColumnName, Msg: "column name must be letters, digits and underscores"}
		}
		if reservedColumns[col.ColumnName] && !system {
			return nil, &Error{File: file, Table: table, Column: col.ColumnName, Msg: "column name is reserved (Apiary adds it to every table)"}
		}
		if seen[col.ColumnName] {
			return nil, &Error{File: file, Table: table, Column: col.ColumnName, Msg: "duplicate column"}
		}
		seen[col.ColumnName] = true
		if err := checkColumnType(file, table, &col); err != nil {
			return nil, err
		}
		out = append(out, col)
	}
	return out, nil
}

// checkColumnType validates ColumnType, DataType and DefaultValue; they end
// up in DDL, so nothing but the whitelisted forms may pass.
func checkColumnType(file, table string, col *Column) error {
	if col.ColumnType == "" {
		col.ColumnType = "label"
	}
	ct, ok := LookupType(col.ColumnType)
	if !ok {
		return &Error{File: file, Table: table, Column: col.ColumnName, Msg: fmt.Sprintf("unknown column type %q", col.ColumnType)}
	}
	if col.DataType == "" {
		col.DataType = ct.DataTypes[0]
		if ct.Name == "time" {
			col.DataType = "varchar(8)" // values are "15:04:05" text
		}
	}
	if err := CheckDataType(col.DataType); err != nil {
		return &Error{File: file, Table: table, Column: col.ColumnName, Msg: err.Error()}
	}
	if col.DefaultValue != "" {
		if _, err := SQLDefault(checkSpeller{}, ct.Kind, col.DefaultValue); err != nil {
			return &Error{File: file, Table: table, Column: col.ColumnName, Msg: err.Error()}
		}
	}
	return nil
}

// checkSpeller spells DEFAULT literals for checking a schema only; the
// literal itself is written later by the database's dialect.
type checkSpeller struct{}

func (checkSpeller) BoolLiteral(b bool) string {
	if b {
		return "TRUE"
	}
	return "FALSE"
}

func (checkSpeller) CurrentTimestamp() string { return "CURRENT_TIMESTAMP" }

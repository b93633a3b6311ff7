package schema

// addStateTable creates {t}_state for a table with state tracking
// (contract core.md §11.1); its relations are added like declared ones.
func (c *compiler) addStateTable(t *Table) {
	name := t.TableName + stateSuffix
	if _, ok := c.byName[name]; ok {
		return
	}
	st := &Table{
		TableName: name,
		Columns: []Column{{
			Name: "current_state", ColumnName: "current_state", ColumnType: "label", DataType: stateColumnLimit,
		}},
		System: t.System,
	}
	c.tables = append(c.tables, st)
	c.byName[name] = st
	c.relations = append(c.relations,
		relSource{rel: Relation{Subject: name, Relation: BelongsTo, Object: t.TableName, SubjectName: t.TableName + "_has_state", ObjectName: "is_state_of_" + t.TableName}},
		relSource{rel: Relation{Subject: name, Relation: HasOne, Object: TableSMD, SubjectName: t.TableName + "_status", ObjectName: t.TableName + "_smd"}},
	)
}

// addAuditTable creates {t}_audit (contract core.md §11.2): copies of the
// audited table's plain columns plus the audited row's id and the operation.
func (c *compiler) addAuditTable(t *Table) {
	name := t.TableName + auditSuffix
	if _, ok := c.byName[name]; ok {
		return
	}
	at := &Table{TableName: name, IsHidden: true, System: t.System, DefaultOrder: "-created_at"}
	for _, col := range t.Columns {
		if reservedColumns[col.ColumnName] || !auditable(col) {
			continue
		}
		col.IsUnique, col.IsPrimaryKey, col.IsAutoIncrement = false, false, false
		col.IsNullable, col.DefaultValue = true, ""
		if col.IsForeignKey {
			col.IsForeignKey, col.ForeignKeyData = false, ForeignKeyData{}
			col.ColumnType, col.DataType = "label", "varchar(64)"
		}
		at.Columns = append(at.Columns, col)
	}
	at.Columns = append(at.Columns,
		Column{Name: "source_reference_id", ColumnName: "source_reference_id", ColumnType: "label", DataType: "varchar(64)", IsIndexed: true},
		Column{Name: "operation", ColumnName: "operation", ColumnType: "label", DataType: "varchar(32)"},
	)
	c.tables = append(c.tables, at)
	c.byName[name] = at
}

func auditable(col Column) bool {
	ct, ok := LookupType(col.ColumnType)
	if !ok {
		return false
	}
	if ct.Secret != SecretNone {
		return false
	}
	switch ct.Name {
	case "file", "image", "video", "gzip":
		return false
	}
	return true
}

// standardColumns are the columns every table gets, in Daptin's order.
func standardColumns() []Column {
	return []Column{
		{Name: ColID, ColumnName: ColID, ColumnType: "id", DataType: "bigint", IsPrimaryKey: true, IsAutoIncrement: true},
		{Name: ColVersion, ColumnName: ColVersion, ColumnType: "measurement", DataType: "int(11)", DefaultValue: "1", ExcludeFromApi: true},
		{Name: ColCreatedAt, ColumnName: ColCreatedAt, ColumnType: "datetime", DataType: "timestamp", DefaultValue: "current_timestamp", IsIndexed: true},
		{Name: ColUpdatedAt, ColumnName: ColUpdatedAt, ColumnType: "datetime", DataType: "timestamp", IsNullable: true, IsIndexed: true},
		{Name: ColReferenceID, ColumnName: ColReferenceID, ColumnType: "alias", DataType: "binary(16)", IsUnique: true},
		{Name: ColPermission, ColumnName: ColPermission, ColumnType: "value", DataType: "int(11)"},
	}
}

// finishTable puts the standard columns first and fixes derived flags.
func finishTable(t *Table) {
	std := standardColumns()
	cols := make([]Column, 0, len(std)+len(t.Columns))
	for _, s := range std {
		if i := columnIndex(t.Columns, s.ColumnName); i >= 0 && t.System {
			cols = append(cols, t.Columns[i])
			continue
		}
		cols = append(cols, s)
	}
	for _, col := range t.Columns {
		if columnIndex(cols, col.ColumnName) < 0 {
			cols = append(cols, col)
		}
	}
	t.Columns = cols
	t.IsJoinTable = IsJoinTableName(t.TableName)
	t.IsTopLevel = !t.IsJoinTable
	if t.DefaultOrder == "" {
		t.DefaultOrder = "-created_at"
	}
	if t.Icon == "" {
		t.Icon = "fa-star"
	}
}

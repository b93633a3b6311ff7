package schema

import "fmt"

// build derives generated tables, columns and links once every file is in.
func (c *compiler) build() error {
	base := append([]*Table(nil), c.tables...)
	for _, t := range base {
		if t.IsStateTrackingEnabled {
			c.addStateTable(t)
		}
	}
	rels, err := c.normalizeRelations()
	if err != nil {
		return err
	}
	rels = append(c.implicitRelations(), rels...)
	rels = dedupeRelations(rels)
	for _, r := range rels {
		c.applyRelation(r)
	}
	for _, t := range base {
		if t.IsAuditEnabled {
			c.addAuditTable(t)
		}
	}
	for _, t := range c.tables {
		finishTable(t)
		if err := c.checkIndexes(t); err != nil {
			return err
		}
	}
	c.out = &Schema{
		Tables:        c.tables,
		Relations:     rels,
		Actions:       c.actions,
		StateMachines: c.machines,
		Exchanges:     c.extra.Exchanges,
		Imports:       c.extra.Imports,
		Streams:       c.extra.Streams,
		Tasks:         c.extra.Tasks,
		EnableGraphQL: c.extra.EnableGraphQL,
		byName:        c.byName,
	}
	return c.checkActions()
}

func (c *compiler) checkActions() error {
	for _, a := range c.actions {
		if _, ok := c.byName[a.OnType]; !ok {
			return &Error{Msg: fmt.Sprintf("action %q is on unknown table %q", a.Name, a.OnType)}
		}
	}
	return nil
}

// normalizeRelations snake-cases names, fills default relation names and
// checks that both ends exist.
func (c *compiler) normalizeRelations() ([]Relation, error) {
	out := make([]Relation, 0, len(c.relations))
	for _, rs := range c.relations {
		r := rs.rel
		r.Subject, r.Object = SnakeCase(r.Subject), SnakeCase(r.Object)
		switch r.Relation {
		case BelongsTo, HasOne, HasMany, HasManyBTM:
		case "many_to_many":
			r.Relation = HasManyBTM
		default:
			return nil, &Error{File: rs.file, Table: r.Subject, Msg: fmt.Sprintf("unknown relation kind %q (want belongs_to, has_one, has_many or has_many_and_belongs_to_many)", r.Relation)}
		}
		for _, end := range []string{r.Subject, r.Object} {
			if _, ok := c.byName[end]; !ok {
				return nil, &Error{File: rs.file, Table: r.Subject, Msg: fmt.Sprintf("relation %s %s: table %q does not exist", r.Relation, r.Object, end)}
			}
		}
		if r.SubjectName == "" {
			r.SubjectName = r.Subject + "_id"
		}
		if r.ObjectName == "" {
			r.ObjectName = r.Object + "_id"
		}
		r.SubjectName, r.ObjectName = SnakeCase(r.SubjectName), SnakeCase(r.ObjectName)
		switch {
		case r.OnDelete == "":
		case r.OnDelete != OnDeleteCascade:
			return nil, &Error{File: rs.file, Table: r.Subject, Msg: fmt.Sprintf("relation %s %s: unknown OnDelete %q (want cascade or nothing)", r.Relation, r.Object, r.OnDelete)}
		case r.Relation != BelongsTo && r.Relation != HasOne:
			return nil, &Error{File: rs.file, Table: r.Subject, Msg: fmt.Sprintf("relation %s %s: OnDelete cascade applies to belongs_to and has_one only", r.Relation, r.Object)}
		case r.Object == TableUser || r.Object == TableUsergroup:
			return nil, &Error{File: rs.file, Table: r.Subject, Msg: fmt.Sprintf("relation %s %s: rows are not deleted with a user or a group", r.Relation, r.Object)}
		}
		if !ValidIdentifier(r.SubjectName) || !ValidIdentifier(r.ObjectName) {
			return nil, &Error{File: rs.file, Table: r.Subject, Msg: "relation names must be letters, digits and underscores"}
		}
		if r.Relation == HasMany || r.Relation == HasManyBTM {
			if r.SubjectName == r.ObjectName {
				return nil, &Error{File: rs.file, Table: r.Subject, Msg: "a has_many relation of a table to itself needs distinct SubjectName and ObjectName"}
			}
		} else if reservedColumns[r.ObjectName] && !(r.ObjectName == ColOwner && r.Object == TableUser) {
			return nil, &Error{File: rs.file, Table: r.Subject, Column: r.ObjectName, Msg: "relation column name is reserved"}
		}
		out = append(out, r)
	}
	return out, nil
}

// implicitRelations gives every ordinary table an owner and row sharing
// with usergroups (contract core.md §2.6).
func (c *compiler) implicitRelations() []Relation {
	var out []Relation
	for _, t := range c.tables {
		if t.TableName == TableUsergroup || IsJoinTableName(t.TableName) || IsAuditTableName(t.TableName) {
			continue
		}
		out = append(out,
			Relation{Subject: t.TableName, Relation: BelongsTo, Object: TableUser, SubjectName: t.TableName + "_id", ObjectName: ColOwner},
			Relation{Subject: t.TableName, Relation: HasMany, Object: TableUsergroup, SubjectName: t.TableName + "_id", ObjectName: ColUsergroup},
		)
	}
	return out
}

func relKey(r Relation) string {
	kind := r.Relation
	switch kind {
	case HasOne:
		kind = BelongsTo
	case HasManyBTM:
		kind = HasMany
	}
	return r.Subject + "|" + r.ObjectName + "|" + kind + "|" + r.SubjectName
}

func dedupeRelations(in []Relation) []Relation {
	seen := map[string]bool{}
	out := in[:0:0]
	for _, r := range in {
		if k := relKey(r); !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}

// applyRelation adds the storage (FK column or join table) and both links.
func (c *compiler) applyRelation(r Relation) {
	subj, obj := c.byName[r.Subject], c.byName[r.Object]
	switch r.Relation {
	case BelongsTo, HasOne:
		nullable := r.Relation == HasOne || r.Object == TableUser || r.Object == TableUsergroup
		addFKColumn(subj, r.ObjectName, r.Object, nullable)
		if r.OnDelete == OnDeleteCascade {
			col, _ := subj.Column(r.ObjectName)
			col.CascadeDelete = true
		}
		addLink(subj, Link{Name: r.ObjectName, Kind: r.Relation, Target: r.Object, FKColumn: r.ObjectName, Nullable: nullable})
		addLink(obj, Link{Name: r.SubjectName, Kind: r.Relation, Target: r.Subject, Reverse: true, FKColumn: r.ObjectName, ToMany: r.Relation == BelongsTo, Nullable: true})
	case HasMany, HasManyBTM:
		jt := c.joinTable(r)
		addLink(subj, Link{Name: r.ObjectName, Kind: r.Relation, Target: r.Object, ToMany: true, JoinTable: jt.TableName, JoinSelf: r.SubjectName, JoinOther: r.ObjectName})
		addLink(obj, Link{Name: r.SubjectName, Kind: r.Relation, Target: r.Subject, Reverse: true, ToMany: true, JoinTable: jt.TableName, JoinSelf: r.ObjectName, JoinOther: r.SubjectName})
	}
}

func (c *compiler) joinTable(r Relation) *Table {
	name := JoinTableName(r.Subject, r.SubjectName, r.Object, r.ObjectName)
	if t, ok := c.byName[name]; ok {
		return t
	}
	t := &Table{TableName: name, IsJoinTable: true, IsHidden: true, System: c.byName[r.Subject].System && c.byName[r.Object].System}
	addFKColumn(t, r.SubjectName, r.Subject, false)
	addFKColumn(t, r.ObjectName, r.Object, false)
	for _, col := range r.Columns {
		if col.ColumnName == "" {
			col.ColumnName = SnakeCase(col.Name)
		}
		if col.Name == "" {
			col.Name = col.ColumnName
		}
		if checkColumnType("", name, &col) == nil && ValidIdentifier(col.ColumnName) && columnIndex(t.Columns, col.ColumnName) < 0 {
			col.IsNullable = true
			t.Columns = append(t.Columns, col)
		}
	}
	t.CompositeKeys = [][]string{{r.SubjectName, r.ObjectName}}
	addLink(t, Link{Name: r.SubjectName, Kind: BelongsTo, Target: r.Subject, FKColumn: r.SubjectName})
	addLink(t, Link{Name: r.ObjectName, Kind: BelongsTo, Target: r.Object, FKColumn: r.ObjectName})
	c.tables = append(c.tables, t)
	c.byName[name] = t
	return t
}

func addFKColumn(t *Table, name, target string, nullable bool) {
	if i := columnIndex(t.Columns, name); i >= 0 {
		col := &t.Columns[i]
		col.IsForeignKey = true
		col.ForeignKeyData = ForeignKeyData{DataSource: "self", Namespace: target, KeyName: ColID}
		col.DataType, col.ColumnType = fkDataType, defaultFKType
		return
	}
	t.Columns = append(t.Columns, Column{
		Name: name, ColumnName: name, ColumnType: defaultFKType, DataType: fkDataType,
		IsForeignKey: true, IsIndexed: true, IsNullable: nullable,
		ForeignKeyData: ForeignKeyData{DataSource: "self", Namespace: target, KeyName: ColID},
	})
}

func addLink(t *Table, l Link) {
	for _, have := range t.Links {
		if have.Name == l.Name {
			return
		}
	}
	t.Links = append(t.Links, l)
}

package schema

// File is one schema document as users write it. Keys are matched
// case-insensitively (TableName, tableName and tablename are equal), as in
// Daptin, because decoding goes through encoding/json.
type File struct {
	Tables                   []Table          `json:"Tables,omitempty"`
	Relations                []Relation       `json:"Relations,omitempty"`
	Actions                  []Action         `json:"Actions,omitempty"`
	StateMachineDescriptions []StateMachine   `json:"StateMachineDescriptions,omitempty"`
	ExchangeContracts        []map[string]any `json:"ExchangeContracts,omitempty"`
	Imports                  []Import         `json:"Imports,omitempty"`
	Streams                  []map[string]any `json:"Streams,omitempty"`
	Tasks                    []map[string]any `json:"Tasks,omitempty"`
	EnableGraphQL            *bool            `json:"EnableGraphQL,omitempty"`
}

// Import names a data file loaded into a table at start-up.
type Import struct {
	FilePath string `json:"FilePath"`
	Entity   string `json:"Entity"`
	FileType string `json:"FileType"`
}

// Table is one entity. Its JSON form is what world.world_schema_json holds.
type Table struct {
	TableName              string           `json:"TableName"`
	TableDescription       string           `json:"TableDescription,omitempty"`
	Columns                []Column         `json:"Columns"`
	Relations              []Relation       `json:"Relations,omitempty"`
	IsTopLevel             bool             `json:"IsTopLevel"`
	IsHidden               bool             `json:"IsHidden"`
	IsJoinTable            bool             `json:"IsJoinTable"`
	IsStateTrackingEnabled bool             `json:"IsStateTrackingEnabled"`
	IsAuditEnabled         bool             `json:"IsAuditEnabled"`
	TranslationsEnabled    bool             `json:"TranslationsEnabled"`
	DefaultPermission      int64            `json:"DefaultPermission"`
	Permission             int64            `json:"Permission"`
	DefaultGroups          GroupRefs        `json:"DefaultGroups,omitempty"`
	AccessGroups           GroupRefs        `json:"AccessGroups,omitempty"`
	DefaultRelations       map[string][]any `json:"DefaultRelations,omitempty"`
	Validations            []ColumnTag      `json:"Validations,omitempty"`
	Conformations          []ColumnTag      `json:"Conformations,omitempty"`
	DefaultOrder           string           `json:"DefaultOrder,omitempty"`
	Icon                   string           `json:"Icon,omitempty"`
	CompositeKeys          [][]string       `json:"CompositeKeys,omitempty"`
	// Indexes are non-unique indexes over several columns, in order
	// (Apiary's; Daptin has only unique CompositeKeys and one-column
	// indexes). Migrations create any that are missing.
	Indexes [][]string `json:"Indexes,omitempty"`

	// Links are the API relations of this table (both sides, implicit and
	// declared), derived by Compile. Not part of the file format.
	Links []Link `json:"-"`
	// System marks tables of the built-in schema.
	System bool `json:"-"`
	// explicitPermission / explicitDefaultPermission record whether the
	// schema set them (0 is a valid permission, so zero cannot mean unset).
	ExplicitPermission        bool `json:"-"`
	ExplicitDefaultPermission bool `json:"-"`
}

// Column is one attribute of a table.
type Column struct {
	Name              string         `json:"Name"`
	ColumnName        string         `json:"ColumnName"`
	ColumnDescription string         `json:"ColumnDescription,omitempty"`
	ColumnType        string         `json:"ColumnType"`
	DataType          string         `json:"DataType,omitempty"`
	IsPrimaryKey      bool           `json:"IsPrimaryKey"`
	IsAutoIncrement   bool           `json:"IsAutoIncrement"`
	IsIndexed         bool           `json:"IsIndexed"`
	IsUnique          bool           `json:"IsUnique"`
	IsNullable        bool           `json:"IsNullable"`
	Permission        int64          `json:"Permission"`
	IsForeignKey      bool           `json:"IsForeignKey"`
	ExcludeFromApi    bool           `json:"ExcludeFromApi"`
	ForeignKeyData    ForeignKeyData `json:"ForeignKeyData"`
	DefaultValue      string         `json:"DefaultValue,omitempty"`
	Options           []ColumnOption `json:"Options,omitempty"`
	// CascadeDelete marks a foreign key whose rows are deleted with the
	// row it points at (a relation with OnDelete "cascade"; compiled, not
	// stored).
	CascadeDelete bool `json:"-"`
}

// ForeignKeyData says what a foreign-key column points at. DataSource "self"
// means a row of table Namespace; "cloud_store" means a file column kept in
// the cloud store named Namespace under folder KeyName.
type ForeignKeyData struct {
	DataSource string `json:"DataSource"`
	Namespace  string `json:"Namespace"`
	KeyName    string `json:"KeyName"`
}

// ColumnOption is one allowed value of an enum column.
type ColumnOption struct {
	ValueType string `json:"ValueType,omitempty"`
	Value     any    `json:"Value"`
	Label     string `json:"Label"`
}

// ColumnTag pairs a column with validator or conformation tags.
type ColumnTag struct {
	ColumnName string `json:"ColumnName"`
	Tags       string `json:"Tags"`
}

// Relation kinds, as schema files name them.
const (
	BelongsTo   = "belongs_to"
	HasOne      = "has_one"
	HasMany     = "has_many"
	HasManyBTM  = "has_many_and_belongs_to_many"
	joinInfix   = "_has_"
	auditSuffix = "_audit"
	stateSuffix = "_state"
)

// Relation links a Subject table to an Object table.
type Relation struct {
	Subject     string   `json:"Subject"`
	Relation    string   `json:"Relation"`
	Object      string   `json:"Object"`
	SubjectName string   `json:"SubjectName,omitempty"`
	ObjectName  string   `json:"ObjectName,omitempty"`
	Columns     []Column `json:"Columns,omitempty"`
	// OnDelete "cascade" (belongs_to and has_one only) deletes the Subject
	// rows with the Object row they point at; by default a nullable
	// reference is cleared and a required one refuses the delete.
	OnDelete string `json:"OnDelete,omitempty"`
}

// OnDeleteCascade is the Relation.OnDelete that deletes rows with their parent.
const OnDeleteCascade = "cascade"

// Link is one API relation as seen from one table: the relationship name
// clients use in URLs, includes and the relationships object.
type Link struct {
	Name   string // relationship name, e.g. project_id, todo_id, usergroup_id
	Kind   string // the declared relation kind
	Target string // table at the other end
	ToMany bool   // to-many in responses
	// Reverse is true on the Object side of the declared relation.
	Reverse bool
	// FKColumn holds the integer foreign key for belongs_to / has_one: on this
	// table when !Reverse, on Target when Reverse. Empty for join relations.
	FKColumn string
	// JoinTable and its columns for has_many relations: JoinSelf points at
	// this table's id, JoinOther at Target's id.
	JoinTable string
	JoinSelf  string
	JoinOther string
	// Nullable is true when a to-one FK may be null.
	Nullable bool
}

// IsJoin reports whether the link is stored in a join table.
func (l Link) IsJoin() bool { return l.JoinTable != "" }

// Action is an action definition (contract core.md §6.6).
type Action struct {
	Name                    string      `json:"Name"`
	Label                   string      `json:"Label"`
	OnType                  string      `json:"OnType"`
	InstanceOptional        bool        `json:"InstanceOptional"`
	RequestSubjectRelations []string    `json:"RequestSubjectRelations,omitempty"`
	Permission              int64       `json:"Permission,omitempty"`
	AccessGroups            GroupRefs   `json:"AccessGroups,omitempty"`
	InFields                []Column    `json:"InFields"`
	OutFields               []Outcome   `json:"OutFields"`
	Validations             []ColumnTag `json:"Validations,omitempty"`
	Conformations           []ColumnTag `json:"Conformations,omitempty"`
	// ExplicitPermission records whether the schema set Permission (an
	// explicit 0 means nobody may run the action).
	ExplicitPermission bool `json:"-"`
}

// Outcome is one step of an action.
type Outcome struct {
	Type            string         `json:"Type"`
	Method          string         `json:"Method"`
	Reference       string         `json:"Reference,omitempty"`
	Condition       string         `json:"Condition,omitempty"`
	SkipInResponse  bool           `json:"SkipInResponse,omitempty"`
	ContinueOnError bool           `json:"ContinueOnError,omitempty"`
	LogToConsole    bool           `json:"LogToConsole,omitempty"`
	Attributes      map[string]any `json:"Attributes,omitempty"`
}

// StateMachine is a state machine description (contract core.md §11.1).
type StateMachine struct {
	Name         string       `json:"Name"`
	Label        string       `json:"Label"`
	InitialState string       `json:"InitialState"`
	Events       []StateEvent `json:"Events"`
}

// StateEvent is one allowed transition.
type StateEvent struct {
	Name  string   `json:"Name"`
	Label string   `json:"Label"`
	Color string   `json:"Color,omitempty"`
	Src   []string `json:"Src"`
	Dst   string   `json:"Dst"`
}

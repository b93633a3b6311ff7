package schema

// The service_client table: machine clients that trade a client id and
// secret for a short-lived service token at POST /token (an Apiary
// addition, like Dexie Cloud's /token; Daptin has no such table).

// TableServiceClient is the table of service clients.
const TableServiceClient = "service_client"

// systemServiceTables returns service_client. Only administrators see its
// rows (DefaultGroups administrators); client_secret is a password column,
// so it is stored as a bcrypt hash and always read back as "". scopes lists
// the grants the client may ask for, separated by spaces or commas.
func systemServiceTables() []Table {
	return []Table{
		sysAdminTable(TableServiceClient, "fa-robot",
			sysCol("name", "label", "varchar(100)", sysUnique|sysIndex),
			sysCol("client_id", "label", "varchar(64)", sysUnique|sysIndex),
			sysCol("client_secret", "password", "varchar(200)", 0),
			sysColDef("scopes", "label", "varchar(200)", "''", 0),
			sysColDef("enable", "truefalse", "bool", "true", 0),
		),
	}
}

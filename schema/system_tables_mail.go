package schema

// System tables for the SMTP/IMAP mail server, LLM providers and API
// metering (contract core.md §3).

// sysMailTables returns mail_server, mail_account, mail_box, mail and outbox.
func sysMailTables() []Table {
	return []Table{
		sysAdminTable("mail_server", "fa-envelope",
			sysCol("hostname", "label", "varchar(100)", sysUnique),
			sysColDef("is_enabled", "truefalse", "bool", "false", 0),
			sysColDef("listen_interface", "label", "varchar(100)", "'0.0.0.0:465'", 0),
			sysColDef("max_size", "measurement", "int(11)", "10000", 0),
			sysColDef("max_clients", "measurement", "int(11)", "20", 0),
			sysColDef("xclient_on", "truefalse", "bool", "false", 0),
			sysColDef("always_on_tls", "truefalse", "bool", "true", 0),
			sysColDef("authentication_required", "truefalse", "bool", "true", 0),
		),
		sysAdminTable("mail_account", "fa-at",
			sysCol("username", "label", "varchar(100)", sysUnique),
			sysCol("password", "password", "varchar(100)", 0),
			sysCol("password_md5", "md5-bcrypt", "varchar(100)", 0),
		),
		sysAdminTable("mail_box", "fa-inbox",
			sysCol("name", "label", "varchar(100)", 0),
			sysColDef("subscribed", "truefalse", "bool", "true", 0),
			sysColDef("uidvalidity", "value", "int(11)", "1", 0),
			sysColDef("nextuid", "value", "int(11)", "1", 0),
			sysCol("attributes", "label", "varchar(100)", 0),
			sysCol("flags", "label", "varchar(100)", 0),
			sysCol("permanent_flags", "label", "varchar(100)", 0),
		),
		sysMailTable(),
		sysAdminTable("outbox", "fa-paper-plane",
			sysCol("from_address", "label", "varchar(200)", 0),
			sysCol("to_address", "label", "varchar(200)", 0),
			sysCol("to_host", "label", "varchar(200)", 0),
			sysCol("mail", "gzip", "longblob", 0),
			sysColDef("sent", "truefalse", "bool", "false", sysIndex),
			sysColDef("retry_count", "value", "int(11)", "0", 0),
			sysCol("last_error", "label", "text", sysNull),
			sysCol("next_retry_at", "datetime", "timestamp", sysNull|sysIndex),
		),
	}
}

// sysMailTable is the message table. Its index serves IMAP's listing of
// a mailbox in UID order (SELECT, FETCH FLAGS): the mailbox and UID lead,
// and the other columns the listing reads follow, so the index alone
// answers it without reading the rows (whose large columns SQLite keeps
// in overflow pages).
func sysMailTable() Table {
	t := sysAdminTable("mail", "fa-envelope", sysMailColumns()...)
	t.Indexes = [][]string{{"mail_box_id", "uid", ColReferenceID, "size", "internal_date", "flags"}}
	return t
}

// sysMailColumns are the columns of an IMAP message row: envelope
// addresses, the IMAP flags, the header block, the text and the
// gzip-compressed raw message.
func sysMailColumns() []Column {
	return []Column{
		sysCol("message_id", "label", "varchar(500)", sysIndex),
		sysCol("mail_id", "label", "varchar(100)", 0),
		sysCol("from_address", "label", "varchar(200)", 0),
		sysCol("internal_date", "datetime", "timestamp", sysIndex),
		sysCol("to_address", "label", "varchar(200)", 0),
		sysCol("reply_to_address", "label", "varchar(200)", 0),
		sysCol("sender_address", "label", "varchar(200)", 0),
		sysCol("subject", "label", "varchar(500)", 0),
		sysCol("spam_score", "measurement", "float", 0),
		sysCol("hash", "label", "varchar(100)", 0),
		sysCol("content_type", "content", "text", 0),
		sysCol("recipient", "label", "varchar(200)", 0),
		sysColDef("has_attachment", "truefalse", "bool", "false", 0),
		sysCol("ip_addr", "label", "varchar(30)", 0),
		sysCol("return_path", "content", "varchar(255)", 0),
		sysColDef("is_tls", "truefalse", "bool", "false", 0),
		sysColDef("seen", "truefalse", "bool", "false", sysIndex),
		sysColDef("recent", "truefalse", "bool", "true", sysIndex),
		sysColDef("deleted", "truefalse", "bool", "false", sysIndex),
		sysColDef("uid", "value", "int(11)", "0", sysIndex),
		sysColDef("spam", "truefalse", "bool", "false", 0),
		sysCol("size", "value", "int(11)", 0),
		sysCol("flags", "label", "varchar(500)", 0),
		// The header block (base64), so ENVELOPE needs no message read,
		// then the large columns last: SQLite reads a column stored after
		// a large value by walking its overflow pages, so the columns IMAP
		// lists come first.
		sysCol("headers", "content", "text", sysNull),
		// long*: on MySQL TEXT and BLOB hold 64 KiB, less than a message
		// with an attachment (the body column keeps up to 256 KiB of text).
		sysCol("body", "label", "longtext", 0),
		sysCol("mail", "gzip", "longblob", 0),
	}
}

// sysMeteringTables returns llm_provider, llm_usage, api_plan, api_member,
// api_usage and api_quota. Plan limits default to -1 (unlimited).
func sysMeteringTables() []Table {
	return []Table{
		sysAdminTable("llm_provider", "fa-brain",
			sysCol("name", "label", "varchar(100)", sysUnique|sysIndex),
			sysCol("provider_type", "label", "varchar(100)", 0),
			sysCol("base_url", "url", "varchar(500)", sysNull),
			sysCol("models", "content", "text", 0),
			sysCol("credential_name", "label", "varchar(1000)", sysNull),
			sysCol("provider_parameters", "json", "text", 0),
			sysCol("model_pricing", "json", "text", sysNull),
			sysColDef("enable", "truefalse", "bool", "true", 0),
		),
		sysAdminTable("llm_usage", "fa-chart-bar",
			sysCol("provider_name", "label", "varchar(100)", sysIndex),
			sysCol("model", "label", "varchar(200)", sysIndex),
			sysCol("request_type", "label", "varchar(20)", 0),
			sysCol("input_tokens", "measurement", "int(11)", 0),
			sysCol("output_tokens", "measurement", "int(11)", 0),
			sysCol("cache_read_tokens", "measurement", "int(11)", 0),
			sysCol("cache_write_tokens", "measurement", "int(11)", 0),
			sysCol("reasoning_tokens", "measurement", "int(11)", 0),
			sysCol("total_tokens", "measurement", "int(11)", 0),
			sysCol("cost_micros", "measurement", "int(11)", 0),
			sysCol("duration_ms", "measurement", "int(11)", 0),
			sysCol("finish_reason", "label", "varchar(30)", 0),
		),
		sysAdminTable("api_plan", "fa-layer-group",
			sysCol("name", "label", "varchar(100)", sysUnique|sysIndex),
			sysColDef("requests_per_period", "measurement", "int(11)", "-1", 0),
			sysColDef("compute_units_per_period", "measurement", "int(11)", "-1", 0),
			sysColDef("rate_limit_per_minute", "measurement", "int(11)", "-1", 0),
			sysCol("price_monthly_cents", "measurement", "int(11)", sysNull),
			sysCol("overage_price_micros", "measurement", "int(11)", sysNull),
			sysColDef("meter_type", "label", "varchar(50)", "'requests'", 0),
			sysColDef("quota_enforce_mode", "label", "varchar(20)", "'hard'", 0),
			sysCol("metadata", "json", "text", sysNull),
		),
		sysAdminTable("api_member", "fa-id-card",
			sysColDef("status", "label", "varchar(30)", "'active'", sysIndex),
			sysColDef("period_start", "datetime", "timestamp", "current_timestamp", sysIndex),
			sysCol("period_end", "datetime", "timestamp", sysNull),
			sysCol("metadata", "json", "text", sysNull),
		),
		sysAdminTable("api_usage", "fa-chart-line",
			sysCol("api_key_id", "label", "varchar(100)", sysNull|sysIndex),
			sysCol("endpoint", "label", "varchar(500)", sysIndex),
			sysCol("method", "label", "varchar(20)", 0),
			sysCol("entity_type", "label", "varchar(200)", sysNull|sysIndex),
			sysCol("action_name", "label", "varchar(200)", sysNull|sysIndex),
			sysCol("request_type", "label", "varchar(50)", sysNull|sysIndex),
			sysCol("status_code", "measurement", "int(11)", 0),
			sysCol("latency_ms", "measurement", "int(11)", 0),
			sysCol("request_bytes", "measurement", "int(11)", 0),
			sysCol("response_bytes", "measurement", "int(11)", 0),
			sysColDef("cost_units", "measurement", "int(11)", "0", 0),
			sysColDef("cost_micros", "measurement", "int(11)", "0", 0),
			sysColDef("meter_type", "label", "varchar(50)", "'requests'", 0),
			sysCol("metadata", "json", "text", sysNull),
			sysCol("error_message", "content", "text", sysNull),
		),
		sysAdminTable("api_quota", "fa-gauge-high",
			sysCol("period_start", "datetime", "timestamp", sysIndex),
			sysCol("period_end", "datetime", "timestamp", sysNull),
			sysColDef("request_count", "measurement", "int(11)", "0", 0),
			sysColDef("compute_units", "measurement", "int(11)", "0", 0),
			sysColDef("bytes_used", "measurement", "int(11)", "0", 0),
		),
	}
}

package hardening

import (
	"fmt"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/apiary/apiary/test/testserver"
)

// Who may run a built-in action.
const (
	anyone  = "anyone"  // guests included
	members = "members" // signed-in users, never guests
	admins  = "admins"  // administrators only, before and after lock-down
	subject = "subject" // needs a subject row; the row's permissions decide
	lock    = "lock"    // become_an_administrator: anyone signed in until lock-down, nobody after
	own     = "own"     // signed-in users, for their own OTP account only
)

// builtinAccess classifies every built-in action. A new action must be
// added here, so its access is a decision, not an accident.
var builtinAccess = map[string]string{
	"user_account/signup": anyone, "user_account/signin": anyone, "user_account/reset-password": anyone,
	"user_account/reset-password-verify": anyone, "user_account/verify_otp": members,
	"user_account/register_otp":             subject,
	"user_otp_account/send_otp":             own,
	"user_otp_account/verify_mobile_number": members,
	"world/download_system_schema":          anyone,
	"world/publish_to_topic":                anyone,
	"world/upload_csv_to_system_schema":     anyone, "world/upload_xls_to_system_schema": anyone,
	"world/become_an_administrator": lock,
	"world/restart_daptin":          admins, "world/upload_system_schema": admins,
	"world/generate_random_data": admins, "world/export_data": admins, "world/export_csv_data": admins,
	"world/import_data": admins, "world/add_exchange": admins, "world/remove_table": admins,
	"world/remove_column": admins, "world/rename_column": admins, "world/sync_column_storage": admins,
	"world/import_files_from_store": admins, "mail_server/sync_mail_servers": admins,
	"outbox/process_outbox": admins,
	// mail_box/status reads mailboxes through the caller's permissions: a
	// guest or another user gets an empty page.
	"mail_box/status": anyone,
}

// actionInput gives the actions a guest may run an input that succeeds.
func actionInput(key string, n int) map[string]any {
	switch key {
	case "user_account/signin":
		return map[string]any{"email": "plain@example.test", "password": "plain-password"}
	case "user_account/signup":
		email := fmt.Sprintf("new%d@example.test", n)
		return map[string]any{"name": "New", "email": email, "password": "new-password", "passwordConfirm": "new-password"}
	}
	return map[string]any{}
}

// callAction posts an action request and returns the status.
func callAction(t *testing.T, s *testserver.Server, key, token string) int {
	t.Helper()
	r := s.Do(t, http.MethodPost, "/action/"+key, map[string]any{"attributes": actionInput(key, len(token)+int(time.Now().UnixNano()%1e9))}, token)
	if r.Status >= 500 && r.Status != http.StatusNotImplemented {
		t.Errorf("%s as %s: %d %s", key, who(token), r.Status, r.Body)
	}
	return r.Status
}

func who(token string) string {
	if token == "" {
		return "guest"
	}
	return "a signed-in user"
}

func refused(code int) bool { return code == http.StatusUnauthorized || code == http.StatusForbidden }

// Every built-in action called as guest, plain user and administrator,
// before and after lock-down.
func TestBuiltinActionAccess(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	var keys []string
	for _, a := range s.Srv.Resource().Schema().Actions {
		key := a.OnType + "/" + a.Name
		if _, ok := builtinAccess[key]; !ok && !isOAuthOrStore(a.OnType) {
			t.Errorf("built-in action %s has no access class in this test", key)
		}
		keys = append(keys, key)
	}
	sort.Strings(keys)
	user := s.User(t, "Plain", "plain@example.test", "plain-password")

	// Before lock-down nobody is administrator: admin-only actions are
	// refused to guests and users alike.
	for _, key := range keys {
		if builtinAccess[key] != admins {
			continue
		}
		for _, tok := range []string{"", user} {
			if code := callAction(t, s, key, tok); code != http.StatusForbidden {
				t.Errorf("before lock-down, %s as %s: %d, want 403", key, who(tok), code)
			}
		}
	}

	admin := s.Admin(t)
	for _, key := range keys {
		class := builtinAccess[key]
		guest, plain, adm := callAction(t, s, key, ""), callAction(t, s, key, user), callAction(t, s, key, admin)
		got := fmt.Sprintf("guest %d, user %d, admin %d", guest, plain, adm)
		var ok bool
		switch class {
		case anyone:
			ok = !refused(guest) && !refused(plain) && !refused(adm)
		case members:
			ok = guest == http.StatusForbidden && plain != http.StatusForbidden && adm != http.StatusForbidden
		case admins:
			ok = guest == http.StatusForbidden && plain == http.StatusForbidden && !refused(adm)
		case lock:
			ok = refused(guest) && plain == http.StatusForbidden && adm == http.StatusForbidden
		case own:
			ok = guest == http.StatusForbidden && plain >= 400 && adm >= 400
		default: // subject rows decide; without one nobody succeeds
			ok = guest >= 400 && plain >= 400 && adm >= 400
		}
		if !ok {
			t.Errorf("%s (%s): %s", key, class, got)
		}
	}
}

// isOAuthOrStore reports tables whose actions all need a subject row.
func isOAuthOrStore(onType string) bool {
	switch onType {
	case "oauth_connect", "oauth_token", "oauth_app", "cloud_store", "site", "certificate", "action", "integration", "mail_box", "outbox":
		return true
	}
	return false
}

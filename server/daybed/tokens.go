package daybed

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// fields answers GET /v1/fields.
func (h *handler) fields(q *req) error {
	writeJSON(q.w, http.StatusOK, fieldsResponse())
	return nil
}

// tokenAnswer is the body of POST /v1/tokens.
type tokenAnswer struct {
	Token       string      `json:"token"`
	Credentials credentials `json:"credentials"`
}

// tokens answers POST /v1/tokens. With Basic auth (an Apiary user's
// e-mail and password) it returns that user's token, 201 the first time
// and 200 after; without credentials it creates a new identity (a user
// account with a random password) when signup is open.
func (h *handler) tokens(q *req) error {
	sys := auth.WithPrincipal(q.ctx, auth.System())
	if email, password, ok := q.r.BasicAuth(); ok {
		// The attempt is reserved before the password is compared, so
		// parallel guesses stay within the sign-in lock-out.
		keys := h.limitKeys(q.r, email)
		if ok, wait := auth.ReserveAll(q.ctx, keys); !ok {
			q.w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			return &apiError{http.StatusTooManyRequests, map[string]string{"error": "429 Too Many Requests", "msg": "too many failed attempts; try again later"}}
		}
		p, err := q.res.Authenticate(q.ctx, email, password)
		if err != nil {
			wrong := errors.Is(err, resource.ErrUnauthenticated)
			for _, k := range keys {
				if wrong {
					k.Limiter.Fail(k.Key)
				} else {
					k.Limiter.Cancel(k.Key)
				}
			}
			if !wrong {
				return err
			}
			return unauthorized("wrong e-mail or password")
		}
		for _, k := range keys {
			k.Limiter.Cancel(k.Key)
		}
		if h.AccountLimiter != nil {
			h.AccountLimiter.Reset("email:" + strings.ToLower(strings.TrimSpace(email)))
		}
		creds, tok, err := h.userCredentials(p.UserRef)
		if err != nil {
			return err
		}
		u, err := q.res.Get(sys, schema.TableUser, p.UserRef, resource.Query{Fields: []string{colDaybedID}})
		if err != nil {
			return err
		}
		status := http.StatusOK
		if u.Attrs[colDaybedID] != creds.ID {
			if _, err := q.res.Update(sys, schema.TableUser, p.UserRef, resource.Input{Attributes: map[string]any{colDaybedID: creds.ID}}); err != nil {
				return err
			}
			status = http.StatusCreated
		}
		writeJSON(q.w, status, tokenAnswer{Token: tok, Credentials: creds})
		return nil
	}
	if q.r.Header.Get("Authorization") != "" && !q.p.IsGuest() {
		// Already signed in (Hawk or Bearer): answer the caller's own token.
		creds, tok, err := h.userCredentials(q.p.UserRef)
		if err != nil {
			return err
		}
		writeJSON(q.w, http.StatusOK, tokenAnswer{Token: tok, Credentials: creds})
		return nil
	}
	if h.SignupOpen == nil || !h.SignupOpen(q.ctx) {
		return &apiError{http.StatusForbidden, map[string]string{"error": "403 Forbidden", "msg": "signup is closed: ask for credentials with Basic auth"}}
	}
	return h.newIdentity(q, sys)
}

// newIdentity creates a user for an anonymous token request: name and
// e-mail from the credentials id, a random password nobody knows (the
// identity signs in with its Hawk credentials only).
func (h *handler) newIdentity(q *req, sys context.Context) error {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	pw := hex.EncodeToString(raw)
	short := pw[:16]
	row, err := q.res.Create(sys, schema.TableUser, resource.Input{Attributes: map[string]any{
		"name": "daybed-" + short, "email": "daybed-" + short + "@daybed.invalid", "password": pw}})
	if err != nil {
		return err
	}
	creds, tok, err := h.userCredentials(row.RefID)
	if err != nil {
		return err
	}
	if _, err := q.res.Update(sys, schema.TableUser, row.RefID, resource.Input{Attributes: map[string]any{colDaybedID: creds.ID}}); err != nil {
		return err
	}
	writeJSON(q.w, http.StatusCreated, tokenAnswer{Token: tok, Credentials: creds})
	return nil
}

// userCredentials returns a user's token and Hawk credentials.
func (h *handler) userCredentials(userRef string) (credentials, string, error) {
	tok := h.userToken(userRef)
	creds, err := deriveCredentials(tok)
	return creds, tok, err
}

// limitKeys are the limiter keys of a password attempt: the account (as
// the sign-in action names it) and the client address.
func (h *handler) limitKeys(r *http.Request, email string) []auth.Reservation {
	var keys []auth.Reservation
	if h.AccountLimiter != nil {
		keys = append(keys, auth.Reservation{Limiter: h.AccountLimiter, Key: "email:" + strings.ToLower(strings.TrimSpace(email))})
	}
	if h.AddressLimiter != nil {
		ip, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			ip = r.RemoteAddr
		}
		keys = append(keys, auth.Reservation{Limiter: h.AddressLimiter, Key: "ip:" + ip})
	}
	return keys
}

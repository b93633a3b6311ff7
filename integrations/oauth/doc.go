// Package oauth is the OAuth2 client side of integrations (contract
// core.md §6, the oauth_connect, oauth_state and oauth_token tables): it
// begins an authorisation-code flow with a single-use, expiring state
// (PKCE when the connection asks for it), exchanges the code, stores the
// tokens encrypted and owned by the user, refreshes them before they
// expire, and signs a user in (or up) from the provider's profile when the
// connection allows login.
package oauth

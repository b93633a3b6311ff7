// Package exchange runs data exchanges (rows of the data_exchange table,
// contract sidecars.md §10.2): after a row of the source table is
// created, updated or deleted, the exchange runs an action or sends the
// row to a REST endpoint, as its as_user_id user and only with what that
// user may read. Exchanges follow the table live.
package exchange

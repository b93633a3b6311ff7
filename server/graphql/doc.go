// Package graphql serves /graphql (contract core.md §10.7): a GraphQL schema
// generated from the live Apiary schema, answered through the resource
// layer so every permission check of the JSON:API applies here too.
//
// Per table there is an object type named after the table, a list query
// field (<table>, args filter, query, page, sort), a by-id field
// (<table>ById), and the mutations add<Table>, update<Table> and
// delete<Table>; every action becomes execute<Action>On<Type>. Relations are
// fields of the row type: to-one relations are nullable, to-many relations
// are lists with an optional page argument.
//
// The generated schema is cached per *schema.Schema pointer and rebuilt on
// the first request after a reload, so no reload hook is needed. Relation
// fields are batched: a list asks the resource layer to include the
// relations its selection uses, and a relation on rows loaded any other way
// is fetched once for all sibling rows, never once per row.
//
// Daptin quirks fixed on purpose: transport errors (no query, bad JSON, a
// query that does not parse) are HTTP 400 and other methods 405; nullable
// relations are nullable; date columns accept plain dates (2026-12-24);
// answers are compact JSON; enabling takes effect without a restart.
//
// It may import resource, actions, schema, server/httperr and
// server/httpmw.
package graphql

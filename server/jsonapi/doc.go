// Package jsonapi serves the JSON:API resource routes of contract core.md §5
// (GET/POST /api/{t}, GET/PATCH/DELETE /api/{t}/{id}, relation listings and
// relationship linkage) over a resource.Service.
//
// The wire format follows Daptin byte for byte in structure: top-level
// "links" (lists only), then "data", then "included" (only when includes
// were requested); resource objects with type, id, attributes and
// relationships in that order, attribute and relationship keys sorted. A
// few Daptin quirks are fixed on purpose: unknown tables and ids are JSON
// 404s, malformed ids and bodies are 400s, a wrong data.type or a PATCH
// whose data.id differs from the URL is a 409, and POST on a relationship
// adds links as JSON:API says.
//
// Handlers return errors and server/httperr writes them.
//
// It may import resource, auth, schema, server/httperr and
// server/respcache.
package jsonapi

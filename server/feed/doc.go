// Package feed serves RSS 2.0, Atom and JSON Feed documents (contract
// sidecars.md §9) at GET /feed/{feed_name}.{rss|atom|json}.
//
// A feed is a row of the feed table that names a stream; the stream's
// contract names a root table, query parameters and transformations. The
// feed and stream rows are read as the system, but the items are listed
// through the resource layer as the caller, so every reader sees only the
// rows they may read. A caller who may not list the root table gets the
// feed with no items rather than an error: the feed itself is public.
//
// Where Daptin differs, Apiary:
//   - honours enable_rss, enable_atom and enable_json (Daptin ignores them);
//   - reads feeds and streams on every request, so new feeds need no restart;
//   - maps items leniently (title from title, name or label; description
//     from description, content or body; link from link, url or
//     <feed link>/<table>/<id>; author from the row or else the feed)
//     instead of failing when a stream row lacks one of those fields;
//   - sends ETag (weak, a hash of the document), Last-Modified (the newest
//     item's update) and Cache-Control (public, max-age=60 without
//     credentials, private otherwise, as items depend on the caller) and
//     answers If-None-Match and If-Modified-Since with 304 Not Modified;
//   - consults Accept when the extension is none of rss, atom and json
//     (Daptin always answers RSS then; so does Apiary without an Accept
//     that names Atom or JSON Feed).
//
// Streams (sidecars.md §10.1) live here too, as /api/{stream} and feeds
// both run them: a stream's QueryParams values are evaluated over the
// request's query parameters with the action expression syntax, through
// an Evaluator the server passes in (actions.EvalValue).
//
// It may import resource, auth and server/httperr.
package feed

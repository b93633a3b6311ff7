// Package realtime holds the end-to-end tests of /live and the YJS rooms:
// a real server, Go's gorilla/websocket client, and the Node clients (ws,
// yjs, y-websocket) of test/clients/ws driven from Go.
package realtime

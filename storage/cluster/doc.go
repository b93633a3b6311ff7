// Package cluster will own the embedded Olric member (distributed cache, PubSub,
// locks) with a single-node loopback default; it is built by its own issue.
package cluster

// The client suite: one process, parts in order (each hands the next the
// accounts and rows it made). Run by TestNodeClients with APIARY_URL set.
import './daptin.mjs';
import './devour.mjs';
import './graphql.mjs';

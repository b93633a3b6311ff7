// Shared set-up of the client suite: the server URL, the browser globals
// daptin-client writes to, and the schema the suite uploads.
import { createRequire } from 'node:module';

export const require = createRequire(import.meta.url);
export const BASE = process.env.APIARY_URL;
if (!BASE) {
  throw new Error('APIARY_URL is not set (TestNodeClients sets it)');
}

// localStorage as a browser has it: daptin-client's action manager stores
// the token there on client.store.set.
class MemoryStorage {
  constructor() { this.items = new Map(); }
  getItem(k) { return this.items.has(k) ? this.items.get(k) : null; }
  setItem(k, v) { this.items.set(k, String(v)); }
  removeItem(k) { this.items.delete(k); }
}
globalThis.window = { localStorage: new MemoryStorage(), location: new URL(`${BASE}/`) };
globalThis.localStorage = globalThis.window.localStorage;
globalThis.document = { cookie: '' }; // client.cookie.set writes here

// daptin-client logs every action response with console.log.
console.log = () => {};

export const SCHEMA = `
Tables:
  - TableName: project
    Columns:
      - {Name: name, ColumnType: label, IsIndexed: true}
  - TableName: todo
    Columns:
      - {Name: title, ColumnType: label, IsIndexed: true}
      - {Name: done, ColumnType: truefalse, DefaultValue: "false"}
      - {Name: priority, ColumnType: measurement, DataType: int(11), DefaultValue: "1"}
Relations:
  - {Subject: todo, Relation: belongs_to, Object: project}
`;

// state carries what one part of the suite hands the next (tokens, ids);
// node --test runs the files of suite/ in one process, in name order, when
// given --test-concurrency=1.
export const state = {};

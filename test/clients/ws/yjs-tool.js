// Yjs fixtures for the Go codec in realtime/yjs, made by the real yjs package.
//   node yjs-tool.js gen          -> JSON cases on stdout
//   node yjs-tool.js check < in   -> checks Go's merged updates and diffs
'use strict'
const Y = require('yjs')

const b64 = (u8) => Buffer.from(u8).toString('base64')
const unb64 = (s) => new Uint8Array(Buffer.from(s, 'base64'))

// A small deterministic random source.
function rng (seed) {
  let x = seed >>> 0
  return () => { x = (x * 1664525 + 1013904223) >>> 0; return x / 4294967296 }
}

// snapshot is the document's content; map keys sorted (a map's key order
// is the order its entries were integrated, which is not content).
function snapshot (doc) {
  const m = doc.getMap('map').toJSON()
  const map = {}
  for (const k of Object.keys(m).sort()) map[k] = m[k]
  return JSON.stringify({ text: doc.getText('text').toDelta(), arr: doc.getArray('arr').toJSON(), map })
}

// session makes n peers edit text, an array and a map, syncing now and then.
function session (name, seed, peers, steps) {
  const r = rng(seed)
  const docs = []
  const updates = []
  for (let i = 0; i < peers; i++) {
    const d = new Y.Doc()
    d.clientID = 1000 + i * 7919 + seed
    d.on('update', (u, origin) => { if (origin !== 'sync') updates.push(b64(u)) })
    docs.push(d)
  }
  const sync = (a, b) => Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)), 'sync')
  for (let s = 0; s < steps; s++) {
    const d = docs[Math.floor(r() * peers)]
    const t = d.getText('text')
    const op = r()
    if (op < 0.55) {
      const pos = Math.floor(r() * (t.length + 1))
      t.insert(pos, r() < 0.1 ? 'é😀x' : String.fromCharCode(97 + Math.floor(r() * 26)).repeat(1 + Math.floor(r() * 3)))
    } else if (op < 0.7 && t.length > 0) {
      const pos = Math.floor(r() * t.length)
      t.delete(pos, Math.min(t.length - pos, 1 + Math.floor(r() * 3)))
    } else if (op < 0.8) {
      d.getArray('arr').insert(0, [s, { k: 'v' + s }, null, true, 1.5])
    } else if (op < 0.85 && d.getArray('arr').length > 0) {
      d.getArray('arr').delete(0, 1)
    } else if (op < 0.92) {
      d.getMap('map').set('k' + Math.floor(r() * 4), r() < 0.5 ? 'str' + s : { n: s, list: [1, 2] })
    } else if (op < 0.95) {
      t.format(0, Math.min(2, t.length), { bold: true })
    } else {
      sync(d, docs[Math.floor(r() * peers)])
    }
  }
  for (const a of docs) for (const b of docs) sync(a, b)
  const full = docs[0]
  // A peer that saw only the first half of the updates.
  const half = new Y.Doc()
  for (const u of updates.slice(0, Math.floor(updates.length / 2))) Y.applyUpdate(half, unb64(u))
  return {
    name,
    updates,
    expect: snapshot(full),
    stateSize: Y.encodeStateAsUpdate(full).length,
    stateVector: b64(Y.encodeStateVector(full)),
    peerState: b64(Y.encodeStateAsUpdate(half)),
    peerVector: b64(Y.encodeStateVector(half))
  }
}

// typing makes one user type n characters one by one, deleting now and then.
function typing (n) {
  const d = new Y.Doc()
  d.clientID = 42
  const updates = []
  d.on('update', (u) => updates.push(b64(u)))
  const r = rng(7)
  const t = d.getText('text')
  for (let i = 0; i < n; i++) {
    if (i % 10 === 9 && t.length > 0) t.delete(t.length - 1, 1)
    else if (i % 97 === 0) t.insert(Math.floor(r() * t.length), 'z')
    else t.insert(t.length, String.fromCharCode(97 + (i % 26)))
  }
  return { name: 'typing-' + n, updates, expect: snapshot(d), stateSize: Y.encodeStateAsUpdate(d).length, stateVector: b64(Y.encodeStateVector(d)), peerState: b64(Y.encodeStateAsUpdate(new Y.Doc())), peerVector: b64(Y.encodeStateVector(new Y.Doc())) }
}

function gen () {
  const cases = [session('two-peers', 1, 2, 200), session('three-peers', 2, 3, 400), session('five-peers', 3, 5, 600), typing(10000)]
  process.stdout.write(JSON.stringify(cases))
}

// firstDiff shows where two snapshots part (empty when equal).
function firstDiff (a, b) {
  let i = 0
  while (i < a.length && a[i] === b[i]) i++
  return i === a.length && i === b.length ? '' : `at ${i}: got ${JSON.stringify(a.slice(i - 20, i + 40))} want ${JSON.stringify(b.slice(i - 20, i + 40))}`
}

// check: each case has merged (Go's compacted update) and diff (Go's answer
// to peerVector); both must give the same document as the original updates.
function check (cases) {
  const out = []
  for (const c of cases) {
    const merged = new Y.Doc()
    Y.applyUpdate(merged, unb64(c.merged))
    const peer = new Y.Doc()
    Y.applyUpdate(peer, unb64(c.peerState))
    Y.applyUpdate(peer, unb64(c.diff))
    const yjsMerged = Y.mergeUpdates(c.updates.map(unb64))
    out.push({
      name: c.name,
      mergedOK: snapshot(merged) === c.expect && b64(Y.encodeStateVector(merged)) === c.stateVector,
      diffOK: snapshot(peer) === c.expect,
      pending: merged.store.pendingStructs !== null || peer.store.pendingStructs !== null,
      got: firstDiff(snapshot(merged), c.expect),
      yjsMergeSize: yjsMerged.length
    })
  }
  process.stdout.write(JSON.stringify(out))
}

const mode = process.argv[2]
if (mode === 'gen') gen()
else if (mode === 'check') {
  let buf = ''
  process.stdin.on('data', (d) => { buf += d })
  process.stdin.on('end', () => check(JSON.parse(buf)))
} else {
  process.stderr.write('usage: yjs-tool.js gen|check\n')
  process.exit(2)
}

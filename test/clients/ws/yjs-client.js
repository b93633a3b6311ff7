// y-websocket scenarios against a running Apiary, driven by test/realtime.
//   node yjs-client.js <scenario> '<json config>'  -> JSON result on stdout
// config: {base: "ws://127.0.0.1:port", path: "/yjs" or "/live/todo/<id>/notes",
//          room: "<room>", tokens: {...}, ...}
'use strict'
const Y = require('yjs')
const WebSocket = require('ws')
const { WebsocketProvider } = require('y-websocket')
const syncProtocol = require('y-protocols/sync')
const encoding = require('lib0/encoding')
const decoding = require('lib0/decoding')

const cfg = JSON.parse(process.argv[3] || '{}')
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function until (what, fn, ms = 10000) {
  const t0 = Date.now()
  while (!fn()) {
    if (Date.now() - t0 > ms) throw new Error('timeout waiting for ' + what)
    await sleep(10)
  }
}

// provider opens a y-websocket provider for a user and waits until synced.
async function provider (token, clientID) {
  const doc = new Y.Doc()
  if (clientID) doc.clientID = clientID
  const p = new WebsocketProvider(cfg.base + cfg.path, cfg.room, doc, { WebSocketPolyfill: WebSocket, params: { token }, disableBc: true })
  await until('sync', () => p.synced)
  return { doc, p, text: doc.getText('text') }
}

// rawJoin connects with a plain ws client, sends SyncStep1 with an empty
// state vector and collects the SyncStep2 answers for a while.
async function rawJoin (token, waitMs = 500) {
  const ws = new WebSocket(`${cfg.base}${cfg.path}/${cfg.room}?token=${token}`)
  ws.binaryType = 'arraybuffer'
  const step2 = []
  let frames = 0
  ws.on('message', (data) => {
    frames++
    const d = decoding.createDecoder(new Uint8Array(data))
    while (decoding.hasContent(d)) {
      const type = decoding.readVarUint(d)
      if (type !== 0) break
      const sub = decoding.readVarUint(d)
      const payload = decoding.readVarUint8Array(d)
      if (sub === 1) step2.push(payload)
    }
  })
  await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject) })
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 0)
  syncProtocol.writeSyncStep1(e, new Y.Doc())
  ws.send(encoding.toUint8Array(e))
  const t0 = Date.now()
  while (step2.length === 0 && Date.now() - t0 < 5000) await sleep(10)
  await sleep(waitMs)
  ws.close()
  const doc = new Y.Doc()
  for (const u of step2) Y.applyUpdate(doc, u)
  return { step2: step2.length, bytes: step2.reduce((n, u) => n + u.length, 0), text: doc.getText('text').toString(), frames }
}

const scenarios = {
  // Two writers converge; presence flows; a late joiner gets all in one SyncStep2.
  async converge () {
    const a = await provider(cfg.tokens.a)
    const b = await provider(cfg.tokens.b)
    a.p.awareness.setLocalStateField('user', { name: 'alice' })
    for (let i = 0; i < 20; i++) {
      a.text.insert(0, 'a')
      b.text.insert(b.text.length, 'b')
    }
    await until('convergence', () => a.text.toString() === b.text.toString() && a.text.length === 40)
    await until('presence', () => [...b.p.awareness.getStates().values()].some((s) => s.user && s.user.name === 'alice'))
    const late = await rawJoin(cfg.tokens.b)
    const out = { a: a.text.toString(), b: b.text.toString(), late }
    a.p.destroy(); b.p.destroy()
    return out
  },
  // A read-only user's edits are not applied.
  async readonly () {
    const w = await provider(cfg.tokens.writer)
    w.text.insert(0, 'from writer')
    const r = await provider(cfg.tokens.reader)
    await until('reader sees writer', () => r.text.toString() === 'from writer')
    r.text.insert(0, 'from reader ')
    w.text.insert(w.text.length, '!')
    await until('reader sees second edit', () => r.text.toString().endsWith('!'))
    await sleep(300)
    const late = await rawJoin(cfg.tokens.writer)
    const out = { writer: w.text.toString(), reader: r.text.toString(), late }
    w.p.destroy(); r.p.destroy()
    return out
  },
  // write sets the text; read reads it back (across a server restart).
  async write () {
    const a = await provider(cfg.tokens.a)
    a.text.insert(0, cfg.text)
    await sleep(100)
    const late = await rawJoin(cfg.tokens.a, 100)
    a.p.destroy()
    return { late }
  },
  async read () {
    const a = await provider(cfg.tokens.a)
    const out = { text: a.text.toString() }
    a.p.destroy()
    return out
  },
  // edits types n characters one transaction each, deleting now and then,
  // and compares the server's state with Y.encodeStateAsUpdate.
  async edits () {
    const a = await provider(cfg.tokens.a)
    for (let i = 0; i < cfg.n; i++) {
      if (i % 10 === 9) a.text.delete(a.text.length - 1, 1)
      else a.text.insert(a.text.length, String.fromCharCode(97 + (i % 26)))
      if (i % 500 === 0) await sleep(1)
    }
    const want = a.text.toString()
    let late
    const t0 = Date.now()
    do {
      late = await rawJoin(cfg.tokens.a, 50)
    } while (late.text !== want && Date.now() - t0 < 20000)
    const out = { text: late.text === want, serverBytes: late.bytes, yjsBytes: Y.encodeStateAsUpdate(a.doc).length, step2: late.step2 }
    a.p.destroy()
    return out
  }
}

scenarios[process.argv[2]]().then((out) => {
  process.stdout.write(JSON.stringify(out))
  process.exit(0)
}, (err) => {
  process.stderr.write(String(err && err.stack || err) + '\n')
  process.exit(1)
})

// The /live protocol with the 'ws' npm client, driven by test/realtime.
//   node live-client.js session '{"base":"ws://...","http":"http://...","tokens":{"alice":..,"bob":..}}'
'use strict'
const WebSocket = require('ws')

const cfg = JSON.parse(process.argv[3] || '{}')
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const decode = (m) => (m.data ? JSON.parse(Buffer.from(m.data, 'base64').toString()) : undefined)

// open connects a socket and queues every JSON frame it receives.
function open (token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(cfg.base + '/live' + (token ? '?token=' + token : ''))
    const s = { ws, frames: [], raw: [], closed: null }
    ws.on('message', (d) => { s.raw.push(d.toString()); try { s.frames.push(JSON.parse(d.toString())) } catch (e) { s.frames.push({ unparsed: d.toString() }) } })
    ws.on('close', (code) => { s.closed = code })
    ws.on('error', () => {})
    ws.on('open', () => resolve(s))
    ws.on('unexpected-response', (req, res) => reject(new Error('HTTP ' + res.statusCode)))
  })
}

async function next (s, ms = 5000) {
  const t0 = Date.now()
  while (s.frames.length === 0) {
    if (Date.now() - t0 > ms) throw new Error('no frame within ' + ms + ' ms')
    await sleep(5)
  }
  return s.frames.shift()
}

// fence sends a ping and returns the frames that arrived before the pong.
async function fence (s) {
  s.ws.send(JSON.stringify({ method: 'ping' }))
  const before = []
  for (;;) {
    const f = await next(s)
    if (f.type === 'pong') return before
    before.push(f)
  }
}

const call = (s, id, method, attributes) => s.ws.send(JSON.stringify({ id, method, attributes }))

async function http (method, path, body, token) {
  const res = await fetch(cfg.http + path, { method, headers: { 'Content-Type': 'application/vnd.api+json', Authorization: 'Bearer ' + token }, body: body && JSON.stringify(body) })
  return { status: res.status, body: await res.text() }
}

async function session () {
  const out = {}
  const guest = await open('')
  const gf = await next(guest)
  await sleep(100)
  out.guest = { frame: guest.raw[0], closed: guest.closed }
  void gf

  const alice = await open(cfg.tokens.alice)
  const bob = await open(cfg.tokens.bob)
  out.aliceSession = decode(await next(alice))
  await next(bob)
  call(alice, 'a-1', 'subscribe', { topicName: 'todo' })
  call(bob, 'b-1', 'subscribe', { topicName: 'todo' })
  out.subscribed = [decode(await next(alice)), decode(await next(bob))]

  const created = await http('POST', '/api/todo', { data: { type: 'todo', attributes: { title: 'from node', pin: 'do-not-leak' } } }, cfg.tokens.alice)
  out.created = created.status
  const ev = await next(alice)
  out.aliceEvent = { type: ev.type, topic: ev.topic, event: ev.event, source: ev.source, row: decode(ev) }
  out.bobBeforePong = await fence(bob)

  call(alice, 'a-2', 'create-topicName', { name: 'node-room' })
  out.createTopic = decode(await next(alice))
  call(alice, 'a-3', 'set-topic-permission', { topicName: 'node-room', permission: 16291 })
  out.setPermission = decode(await next(alice))
  call(alice, 'a-4', 'subscribe', { topicName: 'node-room' })
  call(bob, 'b-4', 'subscribe', { topicName: 'node-room' })
  await next(alice); await next(bob)
  call(bob, 'b-5', 'new-message', { topicName: 'node-room', message: { text: 'hi from bob' } })
  const m = await next(alice)
  out.bobMessage = { event: m.event, source: m.source, data: decode(m) }
  await next(bob)
  out.publish = await http('POST', '/action/world/publish_to_topic', { attributes: { topicName: 'node-room', message: { via: 'http' } } }, cfg.tokens.alice)
  out.published = [decode(await next(alice)), decode(await next(bob))]
  alice.ws.send('this is not json')
  await sleep(200)
  out.malformedClosed = alice.closed
  bob.ws.close()
  return out
}

session().then((out) => {
  process.stdout.write(JSON.stringify(out))
  process.exit(0)
}, (err) => {
  process.stderr.write(String(err && err.stack || err) + '\n')
  process.exit(1)
})

// Daybed client for the Apiary end-to-end tests (test/dialects): gets Hawk
// credentials from POST /v1/tokens with Basic auth, then signs every
// request with the hawk package (payload hashes included), as hawk.js
// users of Daybed do. Prints one JSON summary line; exits 1 on failure.
//
// usage: node client.js BASE_URL EMAIL PASSWORD
'use strict';

const Hawk = require('hawk');

const [base, email, password] = process.argv.slice(2);

async function call(method, path, credentials, body) {
    const uri = base + path;
    const headers = {};
    let payload;
    if (body !== undefined) {
        payload = JSON.stringify(body);
        headers['Content-Type'] = 'application/json';
    }
    if (credentials) {
        const opts = { credentials };
        if (payload !== undefined) {
            opts.payload = payload;
            opts.contentType = 'application/json';
        }
        headers.Authorization = Hawk.client.header(uri, method, opts).header;
    }
    const res = await fetch(uri, { method, headers, body: payload });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, authorization: headers.Authorization, payload };
}

function expect(what, got, want) {
    if (got !== want) {
        throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    }
}

async function main() {
    const basic = 'Basic ' + Buffer.from(`${email}:${password}`).toString('base64');
    const tok = await fetch(base + '/v1/tokens', { method: 'POST', headers: { Authorization: basic } });
    expect('POST /v1/tokens', tok.status === 200 || tok.status === 201, true);
    const { credentials } = await tok.json();

    const definition = {
        title: 'hawk todo', description: 'made by hawk.js',
        fields: [{ name: 'item', type: 'string', label: 'The item' },
            { name: 'status', type: 'enum', choices: ['todo', 'done'], label: 'is it done or not' }],
    };
    let r = await call('PUT', '/v1/models/hawktodo', credentials, { definition });
    expect('PUT model', r.status, 200);
    r = await call('POST', '/v1/models/hawktodo/records', credentials, { item: 'signed by hawk', status: 'done' });
    expect('POST record', r.status, 201);
    const id = r.body.id;
    // The same header again is a replay.
    const replay = await fetch(base + '/v1/models/hawktodo/records', {
        method: 'POST', body: r.payload, headers: { Authorization: r.authorization, 'Content-Type': 'application/json' },
    });
    expect('replayed request', replay.status, 401);
    // A forged key is refused.
    r = await call('GET', '/v1/models/hawktodo/records', { ...credentials, key: 'not the key' });
    expect('forged key', r.status, 401);
    r = await call('GET', '/v1/models/hawktodo/records', credentials);
    expect('GET records', r.status, 200);
    expect('record count', r.body.records.length, 1);
    r = await call('PATCH', '/v1/models/hawktodo/permissions', credentials, { Everyone: ['+read_all_records'] });
    expect('PATCH permissions', r.status, 200);
    expect('Everyone permissions', JSON.stringify(r.body['system.Everyone']), '["read_all_records"]');
    r = await call('GET', '/v1/models/hawktodo/records/' + id, null);
    expect('anonymous GET record', r.status, 200);
    process.stdout.write(JSON.stringify({ ok: true, id, credentialsId: credentials.id }) + '\n');
}

main().catch((err) => {
    process.stdout.write(JSON.stringify({ ok: false, error: String(err && err.stack || err) }) + '\n');
    process.exit(1);
});

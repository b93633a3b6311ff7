// daptin-client 0.2.9, Daptin's own JavaScript client, as a web app uses
// it: token in localStorage through its token getter, actions through its
// action manager, models from /jsmodel, rows through its devour instance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, SCHEMA, require, state } from './env.mjs';

const { DaptinClient } = require('daptin-client');

const tokenGetter = { getToken: () => window.localStorage.getItem('token') };

function client() {
  return new DaptinClient(BASE, false, tokenGetter);
}

function notice(responses) {
  const n = responses.find((r) => r.ResponseType === 'client.notify');
  return n && n.Attributes.message;
}

test('daptin-client: a guest (Bearer null) reads column types, signs up and signs in', async () => {
  window.localStorage.removeItem('token');
  const c = client();
  // The constructor already asked /meta with "Authorization: Bearer null".
  const types = await c.worldManager.init();
  assert.equal(types.label.Name, 'label');
  assert.equal(types.label.GraphqlType.name, 'String');

  const signup = await c.actionManager.doAction('user_account', 'signup', {
    name: 'Alice', email: 'alice@example.test', password: 'alice-password', passwordConfirm: 'alice-password',
  });
  assert.equal(notice(signup), 'Sign-up successful. Redirecting to sign in');

  const signin = await c.actionManager.doAction('user_account', 'signin', { email: 'alice@example.test', password: 'alice-password' });
  const set = signin.find((r) => r.ResponseType === 'client.store.set');
  assert.equal(set.Attributes.key, 'token');
  const token = window.localStorage.getItem('token');
  assert.equal(token, set.Attributes.value);
  assert.equal(token.split('.').length, 3);
  assert.equal(JSON.parse(window.localStorage.getItem('user')).email, 'alice@example.test');
  state.alice = token;
});

test('daptin-client: a client holding a broken token signs in again; data routes say 401', async () => {
  window.localStorage.removeItem('token');
  const c = client();
  await c.worldManager.init();
  const [h, p] = state.alice.split('.');
  const broken = `${h}.${p}.bm90LXRoZS1zaWduYXR1cmU`;
  window.localStorage.setItem('token', broken);
  // Anywhere but a guest action the broken token is a 401 with a challenge.
  await assert.rejects(c.worldManager.init(), (err) => {
    assert.equal(err.response.status, 401);
    assert.equal(err.response.headers['www-authenticate'], 'Bearer error="invalid_token"');
    assert.equal(err.response.data.errors[0].title, 'invalid token');
    return true;
  });
  const signin = await c.actionManager.doAction('user_account', 'signin', { email: 'alice@example.test', password: 'alice-password' });
  assert.ok(signin.some((r) => r.ResponseType === 'client.store.set'));
  const fresh = window.localStorage.getItem('token');
  assert.notEqual(fresh, broken);
  assert.equal(fresh.split('.').length, 3);
  state.alice = fresh;
});

test('daptin-client: become_an_administrator, config, schema upload', async () => {
  window.localStorage.setItem('token', state.alice);
  const c = client();
  const admin = await c.actionManager.doAction('world', 'become_an_administrator', {});
  assert.deepEqual(admin.map((r) => r.ResponseType), ['client.redirect', 'Restart']);

  assert.equal(await c.configManager.getConfig('graphql.enable', 'backend'), false);
  await c.configManager.setConfig('graphql.enable', 'backend', 'true');
  assert.equal(await c.configManager.getConfig('graphql.enable', 'backend'), true);

  const file = 'data:application/x-yaml;base64,' + Buffer.from(SCHEMA).toString('base64');
  const up = await c.actionManager.doAction('world', 'upload_system_schema', { schema_file: [{ name: 'schema_todo.yaml', file }] });
  assert.ok(up.length > 0);
  const restart = await c.actionManager.doAction('world', 'restart_daptin', {});
  assert.equal(notice(restart), 'Initiating system update.');
});

test('daptin-client: models from /jsmodel, rows through its jsonApi, aggregates', async () => {
  window.localStorage.setItem('token', state.alice);
  const c = client();
  const [todo, project] = await c.worldManager.loadModel(['todo', 'project']);
  assert.equal(todo.title, 'label');
  assert.equal(todo.done, 'truefalse');
  assert.deepEqual(todo.project_id, { jsonApi: 'hasOne', columnType: 'entity', type: 'project', ColumnName: 'project_id' });
  assert.equal(project.todo_id.jsonApi, 'hasMany');

  const home = (await c.jsonApi.create('project', { name: 'Home' })).data;
  assert.equal(home.name, 'Home');
  assert.equal(home.type, 'project');
  const ids = {};
  for (const [title, done] of [['Buy milk', 0], ['Fix bike', 1], ['Pay rent', 1]]) {
    const t = (await c.jsonApi.create('todo', { title, done, project_id: { id: home.id, type: 'project' } })).data;
    assert.equal(t.title, title);
    assert.equal(t.done, done);
    assert.equal(t.project_id, home.id);
    ids[title] = t.id;
  }
  state.home = home.id;
  state.todoIds = ids;

  const listed = await c.jsonApi.findAll('todo', { sort: 'title', include: 'project_id' });
  assert.deepEqual(listed.data.map((t) => t.title), ['Buy milk', 'Fix bike', 'Pay rent']);
  assert.deepEqual(listed.data.map((t) => t.project_id.name), ['Home', 'Home', 'Home']);
  assert.equal(listed.links.total, 3);

  const page2 = await c.jsonApi.findAll('todo', { sort: '-title', page: { number: 2, size: 2 } });
  assert.deepEqual(page2.data.map((t) => t.title), ['Buy milk']);
  assert.equal(page2.links.last_page, 2);

  const updated = (await c.jsonApi.update('todo', { id: ids['Buy milk'], title: 'Buy oat milk' })).data;
  assert.equal(updated.title, 'Buy oat milk');
  assert.equal((await c.jsonApi.find('todo', ids['Buy milk'])).data.title, 'Buy oat milk');

  c.jsonApi.define('aggregate_todo', { done: '', count: '' });
  const agg = await c.jsonApi.request(`${BASE}/aggregate/todo`, 'GET', { group: 'done', column: 'done,count', order: 'done' });
  assert.deepEqual(agg.data.map((r) => [r.done, r.count]), [[0, 1], [1, 2]]);

  const scratch = (await c.jsonApi.create('todo', { title: 'Scratch', project_id: { id: home.id, type: 'project' } })).data;
  const gone = await c.jsonApi.destroy('todo', scratch.id);
  assert.equal(gone.data, null);
  assert.equal(gone.meta, null);
  await assert.rejects(c.jsonApi.find('todo', scratch.id), (err) => {
    assert.equal(err[0].title, 'not found');
    return true;
  });
});

test('daptin-client: a second user sees and writes none of the first user\'s rows', async () => {
  window.localStorage.removeItem('token');
  const c = client();
  await c.actionManager.doAction('user_account', 'signup', {
    name: 'Bob', email: 'bob@example.test', password: 'bob-password', passwordConfirm: 'bob-password',
  });
  await c.actionManager.doAction('user_account', 'signin', { email: 'bob@example.test', password: 'bob-password' });
  state.bob = window.localStorage.getItem('token');
  await c.worldManager.loadModel(['todo', 'project', 'user_account', 'usergroup']);
  const todos = await c.jsonApi.findAll('todo');
  assert.deepEqual(todos.data, []);
  assert.equal(todos.links.total, 0);
  await assert.rejects(c.jsonApi.find('todo', state.todoIds['Fix bike']), (err) => {
    assert.equal(err[0].title, 'ObjectAccessPermissionChecker');
    return true;
  });
  await assert.rejects(c.jsonApi.create('todo', { title: 'Bob was here', project_id: { id: state.home, type: 'project' } }));
  await assert.rejects(c.jsonApi.update('todo', { id: state.todoIds['Fix bike'], title: 'hijacked' }));
  await assert.rejects(c.jsonApi.destroy('todo', state.todoIds['Fix bike']));
  const users = await c.jsonApi.findAll('user_account');
  assert.deepEqual(users.data.map((u) => u.email), ['bob@example.test']);
  const groups = await c.jsonApi.findAll('usergroup');
  assert.deepEqual(groups.data.map((g) => g.name), ['users']);
});

// graphql-request 7: queries and mutations typed the way Daptin's GraphQL
// schema types them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphQLClient, ClientError, gql } from 'graphql-request';
import { BASE, state } from './env.mjs';

function client(token) {
  return new GraphQLClient(`${BASE}/graphql`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
}

test('graphql-request: queries with relations, page and query arguments', async () => {
  const c = client(state.alice);
  const all = await c.request(gql`{ todo(page: {number: 1, size: 10}) { id reference_id title done project_id { name } } }`);
  const titles = all.todo.map((t) => t.title).sort();
  assert.deepEqual(titles, ['Buy oat milk', 'Fix bike', 'Pay rent']);
  const bike = all.todo.find((t) => t.title === 'Fix bike');
  assert.equal(bike.id, state.todoIds['Fix bike']);
  assert.equal(bike.reference_id, bike.id);
  assert.equal(bike.done, true);
  assert.equal(bike.project_id.name, 'Office');

  const q = gql`query Done($q: [query], $p: page) { todo(query: $q, page: $p) { title } }`;
  const done = await c.request(q, { q: [{ column: 'done', operator: 'is', value: '1' }], p: { number: 1, size: 5 } });
  assert.deepEqual(done.todo.map((t) => t.title).sort(), ['Fix bike', 'Pay rent']);

  const one = await c.request(gql`query One($id: String!) { projectById(reference_id: $id) { name todo_id { title } } }`, { id: state.home });
  assert.equal(one.projectById.name, 'Home');
  assert.deepEqual(one.projectById.todo_id.map((t) => t.title).sort(), ['Buy oat milk', 'Pay rent']);
});

test('graphql-request: mutations with variables typed as Daptin types them', async () => {
  const c = client(state.alice);
  const add = await c.request(gql`mutation Add($title: String!, $done: Boolean, $p: String) { addTodo(title: $title, done: $done, project_id: $p) { id title done project_id { name } } }`,
    { title: 'From GraphQL', done: false, p: state.home });
  assert.equal(add.addTodo.project_id.name, 'Home');
  assert.equal(add.addTodo.title, 'From GraphQL');
  assert.equal(add.addTodo.done, false);
  const id = add.addTodo.id;

  const upd = await c.request(gql`mutation Up($id: String!, $done: Boolean) { updateTodo(reference_id: $id, done: $done) { title done } }`,
    { id, done: true });
  assert.deepEqual(upd.updateTodo, { title: 'From GraphQL', done: true });

  // Daptin types deleteTodo's reference_id as a nullable String.
  const del = await c.request(gql`mutation Del($id: String) { deleteTodo(reference_id: $id) { reference_id } }`, { id });
  assert.equal(del.deleteTodo.reference_id, id);

  const signin = await client().request(gql`mutation In($e: String!, $p: String!) { executeSigninOnUserAccount(email: $e, password: $p) { ResponseType Attributes { key value } } }`,
    { e: 'bob@example.test', p: 'bob-password' });
  const set = signin.executeSigninOnUserAccount.find((r) => r.ResponseType === 'client.store.set');
  assert.equal(set.Attributes.key, 'token');
  assert.equal(set.Attributes.value.split('.').length, 3);
});

test('graphql-request: errors are ClientError; a guest sees no rows', async () => {
  const c = client(state.alice);
  await assert.rejects(c.request(gql`{ todo { colour } }`), (err) => {
    assert.ok(err instanceof ClientError);
    assert.equal(err.response.errors[0].message, 'Cannot query field "colour" on type "todo".');
    return true;
  });
  await assert.rejects(c.request(gql`mutation { deleteTodo(reference_id: "01a24d0f-173b-794a-8dc8-26a89863656e") { reference_id } }`), (err) => {
    assert.ok(err instanceof ClientError);
    assert.match(err.response.errors[0].message, /^http error \(404\)/);
    return true;
  });
  const guest = await client().request(gql`{ todo { title } project { name } }`);
  assert.deepEqual(guest, { todo: [], project: [] });
  const bob = await client(state.bob).request(gql`{ todo { title } }`);
  assert.deepEqual(bob, { todo: [] });
  await assert.rejects(client().request(gql`mutation { addTodo(title: "guest") { id } }`), (err) => {
    assert.ok(err instanceof ClientError);
    assert.match(err.response.errors[0].message, /^http error \(403\)/);
    return true;
  });
});

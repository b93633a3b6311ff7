// devour-client 3.2, a generic JSON:API client: models defined by hand,
// no knowledge of Daptin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, require, state } from './env.mjs';

const JsonApi = require('devour-client');

function api(bearer) {
  const a = new JsonApi({ apiUrl: `${BASE}/api`, pluralize: false, logger: false, bearer });
  a.define('project', { name: '', todo_id: { jsonApi: 'hasMany', type: 'todo' } });
  a.define('todo', { title: '', done: '', priority: '', project_id: { jsonApi: 'hasOne', type: 'project' } });
  return a;
}

test('devour-client: create with a relationship, find with include', async () => {
  const a = api(state.alice);
  const office = (await a.create('project', { name: 'Office' })).data;
  assert.equal(office.name, 'Office');
  const print = (await a.create('todo', { title: 'Print report', priority: 3, project_id: { id: office.id, type: 'project' } })).data;
  assert.equal(print.title, 'Print report');
  assert.equal(print.priority, 3);
  assert.equal(print.done, 0);
  assert.deepEqual(print.project_id, { type: 'project', id: office.id });
  state.office = office.id;
  state.print = print.id;

  const found = (await a.find('todo', print.id, { include: 'project_id' })).data;
  assert.equal(found.project_id.name, 'Office');
  const proj = (await a.find('project', office.id, { include: 'todo_id' })).data;
  assert.deepEqual(proj.todo_id.map((t) => t.title), ['Print report']);
});

test('devour-client: list with page, sort and links; query and filter', async () => {
  const a = api(state.alice);
  const page = await a.findAll('todo', { page: { number: 1, size: 2 }, sort: '-title' });
  assert.deepEqual(page.data.map((t) => t.title), ['Print report', 'Pay rent']);
  assert.equal(page.links.total, 4);
  assert.equal(page.links.last_page, 2);
  assert.equal(page.links.next_page_url, '//api/todo?page[number]=2&page[size]=2&sort=-title');
  const rest = await a.findAll('todo', { page: { number: 2, size: 2 }, sort: '-title' });
  assert.deepEqual(rest.data.map((t) => t.title), ['Fix bike', 'Buy oat milk']);

  const done = await a.findAll('todo', { query: JSON.stringify([{ column: 'done', operator: 'is', value: '1' }]), sort: 'title' });
  assert.deepEqual(done.data.map((t) => t.title), ['Fix bike', 'Pay rent']);
  const kw = await a.findAll('todo', { filter: 'bike' });
  assert.deepEqual(kw.data.map((t) => t.title), ['Fix bike']);
});

test('devour-client: relationship routes, update, destroy and its error document', async () => {
  const a = api(state.alice);
  const linkage = await a.one('project', state.office).relationships('todo_id').get();
  assert.deepEqual(linkage.data, [{ id: state.print, type: 'todo' }]);
  await a.one('project', state.office).relationships('todo_id').post([{ id: state.todoIds['Fix bike'] }]);
  const related = await a.one('project', state.office).all('todo_id').get({ sort: 'title' });
  assert.deepEqual(related.data.map((t) => t.title), ['Fix bike', 'Print report']);

  const updated = (await a.update('todo', { id: state.print, done: 1, title: 'Print the report' })).data;
  assert.equal(updated.title, 'Print the report');
  assert.equal(updated.done, 1);

  const gone = await a.destroy('todo', state.print);
  assert.equal(gone.data, null);
  await assert.rejects(a.destroy('todo', state.print), (err) => {
    assert.equal(err[0].title, 'not found');
    assert.equal(err[0].detail, `no todo with id ${state.print}`);
    return true;
  });
  await assert.rejects(a.find('todo', 'not-a-uuid'), (err) => {
    assert.equal(err[0].title, 'invalid id');
    return true;
  });
});

test('devour-client: a guest reads no rows and may not write', async () => {
  const g = api();
  const list = await g.findAll('todo');
  assert.deepEqual(list.data, []);
  assert.equal(list.links.total, 0);
  await assert.rejects(g.create('todo', { title: 'guest', project_id: { id: state.office, type: 'project' } }), (err) => {
    assert.equal(err[0].title, 'TableAccessPermissionChecker');
    return true;
  });
  // Bob, signed in, sees none of Alice's rows either.
  const bob = await api(state.bob).findAll('project');
  assert.deepEqual(bob.data, []);
});

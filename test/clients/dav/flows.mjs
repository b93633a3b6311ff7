// tsdav flows against a running Apiary: login discovery, calendars,
// create/update/delete with ETags, a time-range query with a recurring
// event, sync-collection with a deletion, and an address book.
// Usage: node flows.mjs <serverUrl> <email> <password>
import { DAVClient } from 'tsdav';

const [serverUrl, username, password] = process.argv.slice(2);
const fail = (msg, extra) => {
  console.error('FAIL: ' + msg + (extra === undefined ? '' : ' ' + JSON.stringify(extra)));
  process.exit(1);
};
const ev = (uid, summary, start, end, extra = '') =>
  `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tsdav test//EN\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20261201T000000Z\r\n` +
  `DTSTART:${start}\r\nDTEND:${end}\r\nSUMMARY:${summary}\r\n${extra}END:VEVENT\r\nEND:VCALENDAR\r\n`;

const client = new DAVClient({ serverUrl, credentials: { username, password }, authMethod: 'Basic', defaultAccountType: 'caldav' });
await client.login();
if (!client.account?.homeUrl || !client.account?.principalUrl) fail('login discovery found no home set', client.account);

await client.makeCalendar({ url: client.account.homeUrl + 'tsdav/', props: { displayname: 'tsdav calendar' } });
let cals = await client.fetchCalendars();
let cal = cals.find((c) => c.url.endsWith('/tsdav/'));
if (!cal) fail('fetchCalendars misses the new calendar', cals.map((c) => c.url));
if (cal.displayName !== 'tsdav calendar') fail('displayName', cal.displayName);
if (!cal.components?.includes('VEVENT')) fail('components', cal.components);
if (!cal.ctag || !cal.syncToken) fail('ctag/syncToken', { ctag: cal.ctag, syncToken: cal.syncToken });

let r = await client.createCalendarObject({ calendar: cal, filename: 'meeting.ics', iCalString: ev('meeting@tsdav', 'Meeting', '20261209T100000Z', '20261209T110000Z') });
if (r.status !== 201) fail('create meeting', r.status);
r = await client.createCalendarObject({ calendar: cal, filename: 'gym.ics',
  iCalString: ev('gym@tsdav', 'Gym', '20261201T180000Z', '20261201T190000Z', 'RRULE:FREQ=DAILY;COUNT=10\r\nEXDATE:20261209T180000Z\r\n') });
if (r.status !== 201) fail('create gym', r.status);
r = await client.createCalendarObject({ calendar: cal, filename: 'meeting.ics', iCalString: ev('meeting@tsdav', 'Again', '20261209T100000Z', '20261209T110000Z') });
if (r.status !== 412) fail('create over an existing object must be 412 (If-None-Match: *)', r.status);

// 9 December: the meeting; the gym instance of that day is excluded.
let objs = await client.fetchCalendarObjects({ calendar: cal, timeRange: { start: '2026-12-09T00:00:00Z', end: '2026-12-10T00:00:00Z' } });
let names = objs.map((o) => o.url.split('/').pop()).sort();
if (names.join(',') !== 'meeting.ics') fail('time range 9 Dec', names);
objs = await client.fetchCalendarObjects({ calendar: cal, timeRange: { start: '2026-12-10T00:00:00Z', end: '2026-12-11T00:00:00Z' } });
names = objs.map((o) => o.url.split('/').pop()).sort();
if (names.join(',') !== 'gym.ics') fail('time range 10 Dec', names);

objs = await client.fetchCalendarObjects({ calendar: cal });
const meeting = objs.find((o) => o.url.endsWith('/meeting.ics'));
const gym = objs.find((o) => o.url.endsWith('/gym.ics'));
if (!meeting?.etag || !meeting.data.includes('Meeting')) fail('fetch meeting', meeting);

cals = await client.fetchCalendars();
cal = cals.find((c) => c.url.endsWith('/tsdav/'));
const token = cal.syncToken;
const ctag = cal.ctag;

r = await client.updateCalendarObject({ calendarObject: { url: meeting.url, etag: meeting.etag, data: meeting.data.replace('Meeting', 'Meeting moved') } });
if (r.status !== 204) fail('update with the current ETag', r.status);
r = await client.updateCalendarObject({ calendarObject: { url: meeting.url, etag: meeting.etag, data: meeting.data } });
if (r.status !== 412) fail('update with a stale ETag must be 412', r.status);
r = await client.deleteCalendarObject({ calendarObject: { url: gym.url, etag: gym.etag } });
if (r.status !== 204) fail('delete gym', r.status);

cals = await client.fetchCalendars();
cal = cals.find((c) => c.url.endsWith('/tsdav/'));
if (cal.ctag === ctag) fail('ctag unchanged after writes');
const changes = await client.syncCollection({ url: cal.url, props: { 'd:getetag': {} }, syncLevel: 1, syncToken: token });
const changed = changes.filter((x) => x.status !== 404).map((x) => x.href.split('/').pop());
const deleted = changes.filter((x) => x.status === 404).map((x) => x.href.split('/').pop());
if (!changed.includes('meeting.ics') || deleted.join(',') !== 'gym.ics') fail('sync-collection', { changed, deleted });

const dirty = await client.isCollectionDirty({ collection: cal });
if (dirty.isDirty) fail('isCollectionDirty right after fetch');

// CardDAV: address books share the home set.
const books = await client.fetchAddressBooks();
const book = books.find((b) => b.url.endsWith('/contacts/'));
if (!book) fail('fetchAddressBooks', books.map((b) => b.url));
r = await client.createVCard({ addressBook: book, filename: 'zoe.vcf',
  vCardString: 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:zoe@tsdav\r\nFN:Zoe Tsdav\r\nEMAIL:zoe@example.test\r\nEND:VCARD\r\n' });
if (r.status !== 201) fail('createVCard', r.status);
const cards = await client.fetchVCards({ addressBook: book });
if (cards.length !== 1 || !cards[0].data.includes('Zoe Tsdav')) fail('fetchVCards', cards);

console.log('OK');

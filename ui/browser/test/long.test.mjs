// The long browser suite (ui/browser/long; not in ./test): everything the smoke does not: filter and sort, zooming
// into a large subnet, look-up by address and by owner, leases and cooldown on
// the map, the administrator's view of every tenant, the feed's order under a burst, and how long the page takes
// to show allocations (figures printed, not asserted).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ipam, launch, open, login, cellPoint, fillAt, TOKENS } from '../harness.mjs';

const OWNER = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
let server;
let browser;

before(async () => {
  server = await startServer();
  await Promise.all([
    ipam(server, 'subnet', 'create', 'red-big', '10.64.0.0/16', '--tenant', 'red', '--strategy', 'LOWEST'),
    ipam(server, 'subnet', 'create', 'red-small', '192.168.7.0/24', '--tenant', 'red', '--cooldown', '10m',
      '--strategy', 'LOWEST', '--pool', '192.168.7.100-192.168.7.199'),
    ipam(server, 'subnet', 'create', 'blue-v6', '2001:db8:5:6::/64', '--tenant', 'blue'),
  ]);
  await Promise.all([
    ipam(server, 'alloc', 'red-big', '--owner', OWNER, '--count', '3000'),
    ipam(server, 'alloc', 'red-small', '--owner', OWNER, '--count', '3', '--lease', '1h'),
    ipam(server, 'alloc', 'blue-v6', '--owner', OWNER, '--count', '40'),
  ]);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

test('filter and sort the subnets', async () => {
  const page = await open(browser, server);
  await login(page, TOKENS.admin);
  const ids = () => page.locator('#subnets tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.id));
  assert.deepEqual(await ids(), ['blue-v6', 'red-big', 'red-small']);
  await page.fill('#filter', 'red');
  assert.deepEqual(await ids(), ['red-big', 'red-small']);
  await page.fill('#filter', '');
  await page.click('#subnets th[data-key="allocated"]');
  await page.click('#subnets th[data-key="allocated"]');
  assert.equal((await ids())[0], 'red-big', 'most allocated first');
  await page.context().close();
});

test('zoom into a large subnet down to single addresses', async () => {
  const page = await open(browser, server);
  await login(page, TOKENS.red);
  await page.click('#subnets tbody tr[data-id="red-big"]');
  await page.waitForSelector('#map svg');
  assert.match(await page.locator('#map-help').innerText(), /Each cell is 16 addresses/);
  await page.mouse.click(...Object.values(await cellPoint(page, 12, 0)));
  await page.waitForFunction(() => document.querySelector('.crumbs')?.textContent.includes('block 10.64.0.0/22'));
  assert.match(await page.locator('#map-help').innerText(), /Point at an address/);
  const p = await cellPoint(page, 10, 5);
  await page.mouse.move(p.x, p.y);
  await page.waitForSelector('#tooltip:not([hidden])');
  assert.match(await page.locator('#tooltip').innerText(), new RegExp('10\\.64\\.0\\.5[\\s\\S]*owner ' + OWNER));
  await page.context().close();
});

test('leases and cooling addresses have their colours and their times', async () => {
  await ipam(server, 'release', 'red-small', '192.168.7.102');
  const page = await open(browser, server);
  await login(page, TOKENS.red);
  await page.click('#subnets tbody tr[data-id="red-small"]');
  await page.waitForSelector('#map svg');
  assert.equal(await fillAt(page, await cellPoint(page, 8, 100)), '#7b3fb5', 'leased');
  assert.equal(await fillAt(page, await cellPoint(page, 8, 102)), '#e08a1e', 'cooling');
  assert.equal(await fillAt(page, await cellPoint(page, 8, 150)), '#cdebc4', 'free in the pool');
  assert.equal(await fillAt(page, await cellPoint(page, 8, 20)), '#ececec', 'outside the pool');
  const c = await cellPoint(page, 8, 102);
  await page.mouse.click(c.x, c.y);
  assert.match(await page.locator('#details').innerText(), /cooling since .*\nfree again/);
  await page.context().close();
});

// prefix pools have no command line to create them: UiServerTest covers their page's call over HTTP
test('look-ups keep to the tenant', async () => {
  const page = await open(browser, server);
  await login(page, TOKENS.red);
  await page.fill('#lookup', '10.64.0.9');
  await page.press('#lookup', 'Enter');
  await page.waitForSelector('#lookup-result');
  assert.match(await page.locator('#lookup-result').innerText(), new RegExp('red-big 10\\.64\\.0\\.0/16: held'));
  await page.fill('#lookup', OWNER);
  await page.press('#lookup', 'Enter');
  await page.waitForFunction(() => document.querySelector('#lookup-result')?.textContent.includes('allocation(s) of owner'));
  const text = await page.locator('#lookup-result').innerText();
  assert.ok(!text.includes('blue') && !text.includes('2001:db8:5:6'), 'nothing of blue: ' + text.slice(0, 200));
  await page.context().close();
});

test('a burst of allocations: the feed stays newest first and the map catches up', async () => {
  const page = await open(browser, server);
  await login(page, TOKENS.red);
  await page.click('#subnets tbody tr[data-id="red-small"]');
  await page.waitForSelector('#map svg');
  const latencies = [];
  for (let i = 0; i < 5; i++) {
    const address = '192.168.7.' + (110 + i);
    await ipam(server, 'alloc', 'red-small', '--owner', OWNER, '--address', address);
    const made = Date.now();
    const p = await cellPoint(page, 8, 110 + i);
    await page.waitForFunction(([x, y]) => document.elementFromPoint(x, y)?.getAttribute('fill') === '#1f5fbf',
      [p.x, p.y], { timeout: 15_000, polling: 20 });
    latencies.push(Date.now() - made);
  }
  const seqs = await page.locator('#feed li').evaluateAll((li) => li.map((l) => Number(l.dataset.seq)));
  assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), 'newest first');
  console.log(`# map caught up after ${latencies.join(', ')} ms`);
  await page.context().close();
});

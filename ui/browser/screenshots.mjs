// Regenerates the page's screenshots in docs/ (ui/browser/screenshots): a fresh `ipam serve --memory --ui` with
// demonstration data made through the command line, the pages in Debian's Chromium, and `ipam map`'s own PNG.
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer, ipam, launch, open, login, cellPoint, TOKENS, ROOT } from './harness.mjs';

const DOCS = join(ROOT, 'docs');
const OWNERS = ['0b7c1d2e-0000-4000-8000-00000000000a', '0b7c1d2e-0000-4000-8000-00000000000b',
  '0b7c1d2e-0000-4000-8000-00000000000c'];

const server = await startServer();
const browser = await launch();
try {
  await Promise.all([
    ipam(server, 'subnet', 'create', 'acme-prod', '10.20.0.0/22', '--tenant', 'acme', '--gateway', '10.20.0.1',
      '--pool', '10.20.0.16-10.20.1.255', '--pool', '10.20.2.0-10.20.3.200', '--cooldown', '30m'),
    ipam(server, 'subnet', 'create', 'acme-lab', '10.20.8.0/24', '--tenant', 'acme', '--strategy', 'LOWEST'),
    ipam(server, 'subnet', 'create', 'globex-edge', '172.16.0.0/16', '--tenant', 'globex', '--strategy', 'LOWEST'),
    ipam(server, 'subnet', 'create', 'globex-v6', '2001:db8:40:1::/64', '--tenant', 'globex'),
  ]);
  await Promise.all([
    ipam(server, 'alloc', 'acme-prod', '--owner', OWNERS[0], '--count', '420'),
    ipam(server, 'alloc', 'acme-prod', '--owner', OWNERS[1], '--count', '60', '--lease', '2h'),
    ipam(server, 'alloc', 'acme-lab', '--owner', OWNERS[2], '--count', '37'),
    ipam(server, 'alloc', 'globex-edge', '--owner', OWNERS[2], '--count', '21000'),
    ipam(server, 'alloc', 'globex-v6', '--owner', OWNERS[0], '--count', '900'),
  ]);
  const owned = await ipam(server, 'owner', '--owner', OWNERS[0]);
  const some = owned.match(/\b10\.20\.[0-9]+\.[0-9]+\b/g) || [];
  await Promise.all(some.slice(0, 12).map((a) => ipam(server, 'release', 'acme-prod', a)));

  const page = await open(browser, server);
  await login(page, TOKENS.admin);
  await page.waitForSelector('#feed li');
  await page.screenshot({ path: join(DOCS, 'ui-subnets.png') });

  await page.click('#subnets tbody tr[data-id="acme-prod"]');
  await page.waitForSelector('#map svg');
  // point at an address that is held (the owner's last, not one of those released above): offset in the /22, drawn
  // as 1,024 single-address cells
  const held = some[some.length - 1].split('.').map(Number);
  const p = await cellPoint(page, 10, held[2] * 256 + held[3]);
  await page.mouse.move(p.x, p.y);
  await page.waitForSelector('#tooltip:not([hidden])');
  await page.screenshot({ path: join(DOCS, 'ui-map.png'), fullPage: true });

  await page.context().close();

  const tenant = await open(browser, server);
  await login(tenant, TOKENS.acme);
  await tenant.waitForSelector('#feed li');
  await tenant.screenshot({ path: join(DOCS, 'ui-tenant.png') });
  await tenant.context().close();

  // ipam map's PNG of the same subnet, from a snapshot of the server (the same drawing code as the page)
  const r = spawnSync(join(ROOT, 'ipam'), ['map', '--server', server.target, '--token-file', server.tokenFile,
    'acme-prod', '--out', join(DOCS, 'map-acme-prod.png'), '--force'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('ipam map: ' + r.stderr);
  // smaller files: 256 colours at most (pngquant, Debian's package) when it is there; the page has few colours
  const shots = ['ui-subnets.png', 'ui-map.png', 'ui-tenant.png', 'map-acme-prod.png'].map((f) => join(DOCS, f));
  const q = spawnSync('pngquant', ['--quality', '70-95', '--speed', '1', '--strip', '--force', '--ext', '.png',
    ...shots], { encoding: 'utf8' });
  if (q.error) console.log('ui/browser/screenshots: pngquant not found, the pictures are left as Chromium wrote them');
  else if (q.status !== 0) throw new Error('pngquant: ' + q.stderr);
  console.log('ui/browser/screenshots: ' + shots.join(' '));
} finally {
  await browser.close();
  await server.stop();
}

// ipam's operator page: plain DOM, no framework, no other server. Data comes from /api/ with the token the user
// gives (kept in this tab's sessionStorage only); the map is drawn by the server (the same scene as `ipam map`).
'use strict';

const KEY = 'ipam-token';
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem(KEY) || '';
let current = null;            // what the main view shows: {kind, subnet, window}
let currentMap = null;         // the map's JSON while a subnet is shown
let feedAbort = null;
const timers = {};
let mapWanted = 0;             // the newest change time of the shown subnet: the map must be at least this new
let mapRetried = -1;
let lastAsked = 0;             // when the map (or the subnets list) was last asked for

// What the page may cost the machine it runs on (and the server): the map is asked again only when a change names
// the subnet shown, and then at most once a second; the change feed is drawn at most four times a second, in an
// animation frame, keeping the newest FEED_ROWS rows; while the tab is hidden the page does nothing (the stream is
// closed, so the server does nothing for it either) and catches up when it is shown again.
const MAP_EVERY_MS = 1000;
const MAP_SOON_MS = 50;        // changes that come together are one refresh
const FEED_EVERY_MS = 250;
const FEED_ROWS = 200;

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
}

async function api(path) {
  const headers = token ? { Authorization: 'Bearer ' + token } : {};
  const r = await fetch('/api/' + path, { headers, cache: 'no-store' });
  if (r.status === 401) { showLogin('That token is not known here.'); throw new Error('unauthenticated'); }
  const body = await r.json();
  if (!r.ok) throw new Error((body.error || r.status) + ': ' + (body.message || ''));
  return body;
}

function debounce(name, ms, f) {
  if (timers[name]) return;
  timers[name] = setTimeout(() => { timers[name] = null; f(); }, ms);
}

function cancelTimers() {
  for (const name of Object.keys(timers)) { clearTimeout(timers[name]); timers[name] = null; }
}

// ---------------------------------------------------------------------------------------------- token and start

function showLogin(message) {
  stopFeed();
  $('login').hidden = false;
  $('view').hidden = true;
  $('changes').hidden = true;
  $('logout').hidden = true;
  $('who').textContent = '';
  $('login-error').textContent = token ? message : '';
  $('view').replaceChildren();
  $('feed').replaceChildren();
}

async function start() {
  let me;
  try { me = await api('me'); } catch (e) { return; }
  if (me.tokens && !token) { showLogin(''); return; }
  $('login').hidden = true;
  $('view').hidden = false;
  $('changes').hidden = false;
  $('logout').hidden = !me.tokens;
  $('who').textContent = me.admin ? 'administrator' : 'tenant ' + me.tenant;
  startFeed();
  route();
}

$('token-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  token = $('token').value.trim();
  sessionStorage.setItem(KEY, token);
  $('token').value = '';
  start();
});
$('logout').addEventListener('click', () => { token = ''; sessionStorage.removeItem(KEY); showLogin(''); });
$('lookup-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = $('lookup').value.trim();
  if (q) location.hash = '#/lookup/' + encodeURIComponent(q);
});
window.addEventListener('hashchange', route);

function route() {
  if (!$('login').hidden) return;
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  $('tooltip').hidden = true;
  if (parts[0] === 'subnet' && parts[1]) showSubnet(parts[1], parts[2] ? parts[2] + '/' + parts[3] : '');
  else if (parts[0] === 'pools') showPools();
  else if (parts[0] === 'lookup' && parts[1]) showLookup(parts.slice(1).join('/'));
  else showSubnets();
}

// ---------------------------------------------------------------------------------------------- subnets

let sortKey = 'id';
let sortUp = true;
let filterText = '';

function size(cidr) {
  const [a, p] = cidr.split('/');
  return 2n ** BigInt((a.includes(':') ? 128 : 32) - Number(p));
}

function utilisation(s) {
  const cap = BigInt(s.allocated) + BigInt(s.free);
  return cap === 0n ? 0 : Number((BigInt(s.allocated) * 10000n) / cap) / 100;
}

async function showSubnets() {
  current = { kind: 'subnets' };
  currentMap = null;
  const view = $('view');
  if (!$('subnets')) {
    const filter = el('input', { id: 'filter', type: 'search', placeholder: 'filter: id, CIDR or tenant' });
    filter.value = filterText;
    filter.addEventListener('input', () => { filterText = filter.value; renderSubnets(); });
    const head = el('tr');
    for (const [key, label, num] of [['id', 'Subnet'], ['cidr', 'CIDR'], ['tenant', 'Tenant'],
      ['allocated', 'Allocated', 1], ['free', 'Free', 1], ['cooling', 'Cooling', 1], ['leased', 'Leased', 1],
      ['use', 'Utilisation']]) {
      const th = el('th', { 'data-key': key, class: num ? 'num' : '', text: label });
      th.addEventListener('click', () => { sortUp = sortKey === key ? !sortUp : true; sortKey = key; renderSubnets(); });
      head.append(th);
    }
    view.replaceChildren(el('h1', { text: 'Subnets' }), filter,
      el('table', { id: 'subnets' }, el('thead', {}, head), el('tbody')), el('p', { id: 'subnet-count', class: 'muted' }));
  }
  await refreshSubnets();
}

let subnetRows = [];
async function refreshSubnets() {
  try { subnetRows = await api('subnets'); } catch (e) { return; }
  renderSubnets();
}

function renderSubnets() {
  const body = document.querySelector('#subnets tbody');
  if (!body) return;
  const f = filterText.toLowerCase();
  const rows = subnetRows.filter((s) => !f || s.id.toLowerCase().includes(f) || s.cidr.includes(f) ||
    (s.tenant || '').toLowerCase().includes(f));
  const val = (s) => sortKey === 'use' ? utilisation(s) : sortKey === 'free' ? Number(s.free) : s[sortKey] ?? '';
  rows.sort((a, b) => { const x = val(a), y = val(b); const c = x < y ? -1 : x > y ? 1 : 0; return sortUp ? c : -c; });
  body.replaceChildren(...rows.map((s) => {
    const use = utilisation(s);
    const tr = el('tr', { 'data-id': s.id },
      el('td', { text: s.id }), el('td', { text: s.cidr }), el('td', { text: s.tenant || '' }),
      el('td', { class: 'num', text: String(s.allocated) }), el('td', { class: 'num', text: s.free }),
      el('td', { class: 'num', text: String(s.cooling) }), el('td', { class: 'num', text: String(s.leased) }),
      el('td', {}, el('progress', { max: '100', value: String(use) }), ' ' + use.toFixed(1) + '%'));
    tr.addEventListener('click', () => { location.hash = '#/subnet/' + encodeURIComponent(s.id); });
    return tr;
  }));
  for (const th of document.querySelectorAll('#subnets th')) {
    th.classList.toggle('sorted', th.dataset.key === sortKey);
    th.classList.toggle('up', th.dataset.key === sortKey && sortUp);
  }
  $('subnet-count').textContent = rows.length + ' of ' + subnetRows.length + ' subnets';
}

// ---------------------------------------------------------------------------------------------- a subnet's map

function parseAddress(text) {
  if (!text.includes(':')) return { v6: false, value: text.split('.').reduce((a, o) => a * 256n + BigInt(o), 0n) };
  let [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const words = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return { v6: true, value: words.reduce((a, w) => a * 65536n + BigInt('0x' + w), 0n) };
}

function formatAddress(v6, value) {
  if (!v6) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  const w = [];
  for (let i = 7; i >= 0; i--) w.push(Number((value >> BigInt(16 * i)) & 0xffffn));
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) { i++; continue; }
    let j = i; while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = w.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return hex.slice(0, best).join(':') + '::' + hex.slice(best + bestLen).join(':');
}

// the Hilbert curve's inverse, as io.ipam.ui.map.Hilbert.xy2d: which cell is under the pointer
function xy2d(side, x, y) {
  let d = 0;
  for (let s = side / 2; s > 0; s = Math.floor(s / 2)) {
    const rx = (x & s) > 0 ? 1 : 0, ry = (y & s) > 0 ? 1 : 0;
    d += s * s * ((3 * rx) ^ ry);
    if (ry === 0) {
      if (rx === 1) { x = s - 1 - x; y = s - 1 - y; }
      [x, y] = [y, x];
    }
  }
  return d;
}

async function showSubnet(id, window) {
  current = { kind: 'subnet', subnet: id, window };
  await refreshMap();
}

async function refreshMap() {
  const c = current;
  if (!c || c.kind !== 'subnet' || document.hidden) return;
  const wanted = mapWanted;
  lastAsked = Date.now();
  let m;
  try {
    m = await api('map?subnet=' + encodeURIComponent(c.subnet) + (c.window ? '&window=' + encodeURIComponent(c.window) : ''));
  } catch (e) {
    $('view').replaceChildren(el('h1', { text: c.subnet }), el('p', { class: 'error', text: e.message }));
    return;
  }
  if (current !== c) return;
  // an answer kept from before the change that asked for it (answers are shared for a while): ask again once the
  // server's kept answer is gone; a map of the same millisecond as the change may or may not hold it, so it is asked
  // once more. Changes newer than the question ask for themselves (onChanges).
  if (m.time < wanted || (m.time === wanted && mapRetried !== wanted)) {
    mapRetried = m.time === wanted ? wanted : -1;
    debounce('map', 250, refreshMap);
  }
  const first = !currentMap || currentMap.subnet.id !== m.subnet.id || currentMap.window !== m.window;
  if (!first && currentMap.time === m.time && currentMap.svg === m.svg) return;   // the same answer: nothing to draw
  currentMap = m;
  m.cellIndex = new Map(m.cells.map((x) => [x[0], x]));
  m.entryIndex = new Map(m.entries.map((e) => [e.address, e]));
  const [addr, prefix] = m.window.split('/');
  m.start = parseAddress(addr);
  m.bits = m.start.v6 ? 128 : 32;
  m.prefix = Number(prefix);
  const svg = new DOMParser().parseFromString(m.svg, 'image/svg+xml').documentElement;
  if (first) {
    const s = m.subnet;
    const crumbs = el('p', { class: 'crumbs' }, el('a', { href: '#/', text: 'Subnets' }), ' / ',
      el('a', { href: '#/subnet/' + encodeURIComponent(s.id), text: s.id + ' ' + s.cidr }));
    if (m.window !== s.cidr) crumbs.append(' / block ' + m.window);
    const facts = el('div', { class: 'facts', id: 'facts' });
    $('view').replaceChildren(crumbs, el('h1', { text: s.id }), facts,
      el('div', { id: 'map' }), el('p', { class: 'muted', id: 'map-help' }), el('div', { id: 'details' }));
    $('map-help').textContent = m.addressBits === 0 ? 'Point at an address to see it; click it for its owner.' :
      'Each cell is ' + (2n ** BigInt(m.addressBits)) + ' addresses: click one to zoom in.';
  }
  renderFacts(m);
  const box = $('map');
  box.replaceChildren(document.importNode(svg, true));
  const shown = box.firstElementChild;
  shown.addEventListener('mousemove', (ev) => hover(ev, shown));
  shown.addEventListener('mouseleave', () => { $('tooltip').hidden = true; });
  shown.addEventListener('click', (ev) => click(ev, shown));
}

function renderFacts(m) {
  const s = m.subnet;
  const f = (k, v) => el('span', {}, el('b', { text: k }), v);
  $('facts').replaceChildren(f('CIDR', s.cidr), f('tenant', s.tenant || '(default)'), f('gateway', s.gateway || 'none'),
    f('allocated', String(s.allocated)), f('free in pools', s.free), f('cooling', String(s.cooling)),
    f('pools', s.pools.map((p) => p[0] + ' - ' + p[1]).join(', ') || 'none'),
    f('as of', new Date(m.time).toISOString().replace('T', ' ').replace(/\..*/, ' UTC')));
}

function cellAt(ev, svgEl) {
  const m = currentMap, g = m.grid;
  const r = svgEl.getBoundingClientRect();
  const scale = r.width / Number(svgEl.getAttribute('width'));
  const x = Math.floor(((ev.clientX - r.left) / scale - g.x0) / g.px);
  const y = Math.floor(((ev.clientY - r.top) / scale - g.y0) / g.px);
  if (x < 0 || y < 0 || x >= g.columns || y >= g.rows) return -1;
  const d = xy2d(g.side, x, y);
  return d < 2 ** m.cellBits ? d : -1;
}

function cellText(d) {
  const m = currentMap;
  const size = 2n ** BigInt(m.addressBits);
  const lo = m.start.value + BigInt(d) * size;
  const counts = m.cellIndex.get(d) || [d, 0, 0, 0, 0];
  if (m.addressBits === 0) {
    const a = formatAddress(m.start.v6, lo);
    const e = m.entryIndex.get(a);
    if (!e) return a + (m.subnet.gateway === a ? '\ngateway' : '') + '\nfree';
    return a + '\n' + describe(e);
  }
  return formatAddress(m.start.v6, lo) + '/' + (m.bits - m.addressBits) + '\n' + counts[1] + ' held, ' + counts[2] +
    ' cooling, ' + counts[3] + ' leased' + (counts[4] ? ', ' + counts[4] + ' router' : '') + '\nclick to zoom in';
}

function when(ms) { return new Date(ms).toISOString().replace('T', ' ').replace(/\..*/, ' UTC'); }

function describe(e) {
  if (e.state === 'COOLING') return 'cooling since ' + when(e.time) + (e.until ? '\nfree again ' + when(e.until) : '');
  return 'owner ' + e.owner + '\nsince ' + when(e.time) + (e.until ? '\nlease until ' + when(e.until) : '\nno lease') +
    (e.router ? '\nrouter' : '');
}

function hover(ev, svgEl) {
  const d = cellAt(ev, svgEl);
  const tip = $('tooltip');
  if (d < 0) { tip.hidden = true; return; }
  tip.textContent = cellText(d);
  tip.hidden = false;
  tip.style.left = (ev.clientX + 14) + 'px';
  tip.style.top = (ev.clientY + 14) + 'px';
}

function click(ev, svgEl) {
  const d = cellAt(ev, svgEl);
  if (d < 0) return;
  const m = currentMap;
  if (m.addressBits === 0) { $('details').textContent = cellText(d); return; }
  // zoom in: the aligned block 64 times smaller than the window that holds this cell
  const prefix = Math.min(m.bits, m.prefix + 6);
  const lo = m.start.value + BigInt(d) * 2n ** BigInt(m.addressBits);
  const block = (lo >> BigInt(m.bits - prefix)) << BigInt(m.bits - prefix);
  location.hash = '#/subnet/' + encodeURIComponent(m.subnet.id) + '/' + encodeURIComponent(formatAddress(m.start.v6, block)) +
    '/' + prefix;
}

// ---------------------------------------------------------------------------------------------- pools, lookup

async function showPools() {
  current = { kind: 'pools' };
  currentMap = null;
  let pools;
  try { pools = await api('pools'); } catch (e) { return; }
  const view = $('view');
  view.replaceChildren(el('h1', { text: 'Prefix pools' }));
  if (!pools.length) view.append(el('p', { class: 'muted', text: 'No prefix pools.' }));
  for (const p of pools) {
    const kids = el('ul', {}, ...p.childList.map((c) => el('li', { text: c })));
    view.append(el('div', { class: 'pool', 'data-id': p.id }, el('h2', { text: p.id + ' ' }, el('span', { class: 'muted',
      text: p.prefixes.join(', ') + ' \u00b7 lengths /' + p.min + '-/' + p.max + ' (default /' + p.default + ')' +
        (p.quota !== undefined ? ' \u00b7 quota ' + p.quota : '') })),
    el('p', { text: p.children + ' children' + (p.children > p.childList.length ? ' (first ' + p.childList.length + ' shown)' : '') }), kids));
  }
}

async function showLookup(q) {
  current = { kind: 'lookup' };
  currentMap = null;
  const view = $('view');
  let r;
  try { r = await api('lookup?q=' + encodeURIComponent(q)); } catch (e) {
    view.replaceChildren(el('h1', { text: 'Look up ' + q }), el('p', { class: 'error', text: e.message }));
    return;
  }
  const out = el('div', { id: 'lookup-result' });
  if (r.owner) {
    out.append(el('p', { text: r.count + ' allocation(s) of owner ' + r.owner }));
    for (const a of r.allocations) {
      out.append(el('p', {}, el('a', { href: '#/subnet/' + encodeURIComponent(a.subnet), text: a.subnet }),
        ' ' + a.address + ' since ' + when(a.time) + (a.until ? ', lease until ' + when(a.until) : '')));
    }
  } else {
    if (!r.subnets.length) out.append(el('p', { text: r.address + ' is in none of your subnets.' }));
    for (const s of r.subnets) {
      out.append(el('p', {}, el('a', { href: '#/subnet/' + encodeURIComponent(s.id), text: s.id }), ' ' + s.cidr + ': ' +
        (s.entry ? (s.entry.state === 'COOLING' ? 'cooling' : 'held') + ' \u2014 ' + describe(s.entry).replace(/\n/g, ', ') : 'free')));
    }
  }
  view.replaceChildren(el('h1', { text: 'Look up ' + q }), out);
}

// ---------------------------------------------------------------------------------------------- the change feed

let feedPending = [];           // changes not drawn yet, oldest first (the newest FEED_ROWS at most)
let feedDrawn = 0;
let feedFrame = false;         // a drawing is asked for

function stopFeed() {
  if (feedAbort) { feedAbort.abort(); feedAbort = null; }
  feedPending = [];
  feedFrame = false;
}

// the map, or the subnets' list, again: soon after the first change, then at most once every MAP_EVERY_MS
function refreshSoon(name, f) {
  debounce(name, Math.max(MAP_SOON_MS, lastAsked + MAP_EVERY_MS - Date.now()), f);
}

function onChanges(list) {
  let mapTouched = false;
  for (const c of list) {
    feedPending.push(c);
    if (current && current.kind === 'subnet' && c.subnet === current.subnet) {
      mapTouched = true;
      mapWanted = Math.max(mapWanted, c.time);
    }
  }
  if (feedPending.length > FEED_ROWS) feedPending = feedPending.slice(-FEED_ROWS);
  if (!feedFrame) {
    feedFrame = true;
    debounce('feed', Math.max(0, feedDrawn + FEED_EVERY_MS - Date.now()), () => requestAnimationFrame(drawFeed));
  }
  if (mapTouched) refreshSoon('map', refreshMap);
  if (current && current.kind === 'subnets') refreshSoon('subnets', () => { lastAsked = Date.now(); refreshSubnets(); });
}

function drawFeed() {
  feedFrame = false;
  feedDrawn = Date.now();
  const list = feedPending;
  feedPending = [];
  const rows = document.createDocumentFragment();
  for (let i = list.length - 1; i >= 0; i--) {        // newest first
    const c = list[i];
    rows.append(el('li', { 'data-seq': String(c.seq) }, el('span', { class: 'kind ' + c.kind, text: c.kind }),
      ' ' + [c.subnet, c.address, c.owner ? c.owner.slice(0, 8) : null].filter(Boolean).join(' '),
      el('span', { class: 'muted', text: ' ' + new Date(c.time).toISOString().slice(11, 19) })));
  }
  const feed = $('feed');
  feed.prepend(rows);
  while (feed.children.length > FEED_ROWS) feed.lastElementChild.remove();
}

async function startFeed() {
  stopFeed();
  const ctl = new AbortController();
  feedAbort = ctl;
  $('feed-state').textContent = 'connecting';
  try {
    const r = await fetch('/api/feed', { headers: token ? { Authorization: 'Bearer ' + token } : {}, signal: ctl.signal });
    if (!r.ok) throw new Error('status ' + r.status);
    $('feed-state').textContent = 'live';
    const reader = r.body.getReader();
    const text = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += text.decode(value, { stream: true });
      let end;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, end);
        buf = buf.slice(end + 2);
        let event = 'message', data = '';
        for (const line of frame.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (event === 'changes' && data) onChanges(JSON.parse(data));
      }
    }
  } catch (e) {
    if (ctl.signal.aborted) return;
  }
  if (feedAbort === ctl) {
    $('feed-state').textContent = 'reconnecting';
    setTimeout(() => { if (feedAbort === ctl) startFeed(); }, 2000);
  }
}

// a hidden tab does nothing: its stream is closed and no timer runs; shown again, it catches up
document.addEventListener('visibilitychange', () => {
  if ($('view').hidden) return;
  if (document.hidden) {
    stopFeed();
    cancelTimers();
  } else {
    startFeed();
    route();
  }
});

start();

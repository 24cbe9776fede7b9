// Ordo dashboard: plain JavaScript, no build step. Every data call carries the API token (kept in this tab's sessionStorage);
// the live feed is GET /events (Server-Sent Events) read with fetch() so the token travels in the Authorization header, never
// in a URL. It pushes the journal's events (type journal), every bar the traders receive (bar) and the status (status, at once and
// every few seconds). Snapshots come from the JSON API, read at sign-in, after a reconnect or a gap in the feed; the journal's
// events tell the page when to read positions, orders and trades again; bars and the status are not read again, they are pushed.
'use strict';

const TOKEN_KEY = 'ordo-token';
const S = {
  token: null, who: null, status: null, view: 'overview',
  data: {},              // account -> {positions, trades, orders, fills, symbols}
  feed: null, feedSeq: 0, retry: 0, signedOut: false,
  refreshTimer: null, refreshFull: false, lastChunk: 0,
  equity: {}, symbolChart: null, symbolKey: null, bars: [], experts: [],
  barsStale: false, barsLoading: null, pendingBars: [], totalBars: 0, barsZone: '', barsCurrency: '', symbolTimer: null, linesTimer: null,
  events: [],
};

// ------------------------------------------------------------------ formatting

const $ = (sel) => document.querySelector(sel);
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}

/** An API time ("2024-01-16T12:40:00+05:30", venue offset) as "2024-01-16 12:40:00 +05:30": the venue's own clock and offset. */
function time(iso) {
  if (!iso) return '–';
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d(?::\d\d)?)(?:\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(iso);
  if (!m) return iso;
  return m[1] + ' ' + (m[2].length === 5 ? m[2] + ':00' : m[2]) + ' ' + (m[3] === 'Z' ? '+00:00' : m[3]);
}

/** Seconds for the chart's time axis: the venue-local wall time read as UTC, so the axis shows the venue's clock. */
function chartTime(iso) {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d))?/.exec(iso);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0)) / 1000;
}

// Exact decimals: the API sends decimal strings; sums and products are done on BigInt with 8 decimal places.
const SCALE = 100000000n;
function dec(s) {
  if (s === null || s === undefined) return null;
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(String(s).trim());
  if (!m) return null;
  const frac = ((m[3] || '') + '00000000').slice(0, 8);
  const v = BigInt(m[2] || '0') * SCALE + BigInt(frac);
  return m[1] ? -v : v;
}
function decMul(a, b) { return (a * b) / SCALE; }
function decText(v, places) {
  const neg = v < 0n; let a = neg ? -v : v;
  const unit = 10n ** BigInt(8 - places); a = (a + unit / 2n) / unit;
  const p = 10n ** BigInt(places);
  const int = (a / p).toLocaleString('en-IN');
  const frac = places ? '.' + (a % p).toString().padStart(places, '0') : '';
  return (neg && a !== 0n ? '-' : '') + int + frac;
}
function places(s) { const i = String(s).indexOf('.'); return i < 0 ? 0 : Math.min(8, String(s).length - i - 1); }
/** A price or quantity as sent, grouped, with its currency when given. */
function num(s, currency) {
  if (s === null || s === undefined) return '–';
  const v = dec(s); if (v === null) return String(s);
  return decText(v, places(s)) + (currency ? ' ' + currency : '');
}
function money(m) { return m ? decText(dec(m.amount), 2) + ' ' + m.currency : '–'; }
function signClass(amount) { const v = dec(amount); return v === null || v === 0n ? 'num' : v > 0n ? 'num pos' : 'num neg'; }
function moneyCell(m) { return el('td', { class: signClass(m && m.amount) }, money(m)); }
function numCell(s, currency) { return el('td', { class: 'num' }, num(s, currency)); }
function stateSpan(s) { return el('span', { class: 'state-' + s }, s || '–'); }

// ------------------------------------------------------------------ API

// The page's own calls, counted by method and path ("GET /status": 3): what the page read again and what it did not (the browser
// test reads it to see that bars and the status came by the feed).
window.__ordoFetches = {};

async function call(method, path, body) {
  const key = method + ' ' + path.split('?')[0];
  window.__ordoFetches[key] = (window.__ordoFetches[key] || 0) + 1;
  const headers = { Authorization: 'Bearer ' + S.token };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  if (res.status === 401 && S.token) signOut('The engine refused the token: ' + ((json && json.detail) || res.status));
  return { status: res.status, ok: res.ok, json, text };
}
async function get(path) {
  const r = await call('GET', path);
  if (!r.ok) throw new Error('GET ' + path + ': ' + r.status + ' ' + ((r.json && r.json.detail) || r.text));
  return r.json;
}
const enc = encodeURIComponent;

// ------------------------------------------------------------------ sign-in

function tokenFromFragment() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m) return null;
  history.replaceState(null, '', location.pathname + location.search); // the token leaves the address bar and the history
  return decodeURIComponent(m[1]);
}

async function signIn(token, fromForm) {
  S.token = token; S.signedOut = false;
  const r = await call('GET', '/whoami');
  if (!r.ok) {
    S.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    $('#signin-error').textContent = r.status === 401 ? 'Refused: ' + ((r.json && r.json.detail) || 'wrong token') : 'Sign-in failed: HTTP ' + r.status;
    showSignIn();
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  if (fromForm) $('#token-input').value = '';
  S.who = r.json;
  $('#signin-error').textContent = '';
  $('#signin').hidden = true; $('#app').hidden = false; $('#signout').hidden = false;
  $('#whoami').textContent = S.who.subject + ' (' + S.who.scope + ')';
  document.body.dataset.scope = S.who.scope;
  connectFeed();
  await refresh(true);
}

function showSignIn() {
  $('#signin').hidden = false; $('#app').hidden = true; $('#signout').hidden = true; $('#whoami').textContent = '';
  setConnection('not signed in', false);
}

function signOut(message) {
  S.signedOut = true; S.token = null; S.who = null;
  sessionStorage.removeItem(TOKEN_KEY);
  if (S.feed) S.feed.abort();
  $('#signin-error').textContent = message || '';
  showSignIn();
}

// ------------------------------------------------------------------ live feed (SSE over fetch)

function setConnection(text, on) {
  const c = $('#connection');
  c.textContent = text; c.className = 'conn ' + (on ? 'on' : 'off');
  c.dataset.state = on ? 'live' : 'disconnected';
}

async function connectFeed() {
  if (S.feed) S.feed.abort();
  const controller = new AbortController();
  S.feed = controller;
  S.feedSeq = 0;
  try {
    const res = await fetch('/events', { headers: { Authorization: 'Bearer ' + S.token, Accept: 'text/event-stream' },
      signal: controller.signal, cache: 'no-store' });
    if (res.status === 401) { signOut('The engine refused the token.'); return; }
    if (!res.ok) throw new Error('HTTP ' + res.status);
    const reconnected = S.retry > 0;
    S.retry = 0; S.lastChunk = Date.now();
    setConnection('live', true);
    if (reconnected) refreshSoon(0, true); // what happened while disconnected
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      S.lastChunk = Date.now();
      buffer += value.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        onBlock(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  } catch (e) {
    if (controller.signal.aborted && (S.signedOut || S.feed !== controller)) return;
  }
  if (S.signedOut || S.feed !== controller) return;
  const wait = Math.min(15, 2 ** S.retry);
  S.retry++;
  setConnection('disconnected: reconnecting in ' + wait + ' s', false);
  setTimeout(() => { if (!S.signedOut && S.feed === controller) connectFeed(); }, wait * 1000);
}

// The server sends a heartbeat every 10 s: a connection silent for 30 s is dead, though the socket may not say so.
setInterval(() => {
  if (S.feed && S.lastChunk && Date.now() - S.lastChunk > 30000 && $('#connection').dataset.state === 'live') {
    S.feed.abort();
    S.lastChunk = 0;
    setConnection('disconnected: reconnecting', false);
    setTimeout(() => { if (!S.signedOut) connectFeed(); }, 1000);
  }
}, 5000);

function onBlock(block) {
  let data = '', id = null, type = 'message';
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data += (data ? '\n' : '') + value;
    else if (field === 'id') id = value;
    else if (field === 'event') type = value;
  }
  if (!data) return; // a heartbeat
  if (id !== null) {
    const n = Number(id);
    if (S.feedSeq && n > S.feedSeq + 1) refreshSoon(0, true); // events or bars were dropped for this slow reader: read the state again
    S.feedSeq = n;
  }
  let event;
  try { event = JSON.parse(data); } catch (e) { return; }
  if (type === 'status') onStatus(event);
  else if (type === 'bar') onPushedBar(event);
  else onJournalEvent(event);
}

/** The status as GET /status shows it, pushed at once and every few seconds: heartbeats, feed and service states, replay clock. */
function onStatus(status) {
  S.status = status;
  renderBanner();
  fillSelects();
  if (S.view === 'overview') renderOverview();
}

function onJournalEvent(e) {
  S.events.unshift(e);
  if (S.events.length > 500) S.events.length = 500;
  if (S.view === 'events') prependEventRow(e, true);
  if (e.type === 'FillApplied' && e.entityType === 'position') onFill(e);
  if (e.type === 'BarApplied' && e.entityType === 'symbol-trader' && S.symbolKey === e.entityId) onJournaledBar(e);
  if (e.type === 'BarApplied' || e.type === 'BarOpened') refreshSoon(2000); else refreshSoon(300);
}

// ------------------------------------------------------------------ refresh

/** A refresh in {@code delay} ms (one at a time); {@code full} also reads the status and the shown chart's bars again. */
function refreshSoon(delay, full) {
  if (full) S.refreshFull = true;
  if (S.refreshTimer) return;
  S.refreshTimer = setTimeout(() => { S.refreshTimer = null; const f = S.refreshFull; S.refreshFull = false; refresh(f); }, delay);
}

function accounts() { return S.status ? S.status.accounts.map((a) => a.account) : []; }
function accountStatus(account) { return S.status.accounts.find((a) => a.account === account); }
function currencyOf(account) {
  const a = accountStatus(account);
  return a && a.risk && a.risk.dailyRealizedPnl ? a.risk.dailyRealizedPnl.currency : '';
}

/** Reads positions, orders and trades of every account; {@code full}: the status and the shown chart's bars too (else pushed). */
async function refresh(full) {
  if (!S.token) return;
  try {
    if (full || !S.status) S.status = await get('/status');
    if (full) S.barsStale = true;
    await Promise.all(accounts().map(async (account) => {
      const [positions, trades, orders] = await Promise.all([
        get('/accounts/' + enc(account) + '/positions'), get('/accounts/' + enc(account) + '/trades'), get('/accounts/' + enc(account) + '/orders')]);
      const d = S.data[account] || (S.data[account] = { fills: null, symbols: {} });
      Object.assign(d, { positions, trades, orders });
      for (const p of positions) if (p.status !== 'FLAT') d.symbols[p.instrument] = await get('/accounts/' + enc(account) + '/symbols/' + enc(p.instrument));
    }));
    renderBanner();
    fillSelects();
    await render();
  } catch (err) {
    console.warn(err);
  }
}

async function render() {
  if (S.view === 'overview') renderOverview();
  else if (S.view === 'symbol') await renderSymbol();
  else if (S.view === 'blotter') await renderBlotter();
  else if (S.view === 'experts') await renderExperts();
  else if (S.view === 'events') renderEvents();
  else if (S.view === 'control') renderControl();
}

function showView(view) {
  S.view = view;
  for (const b of document.querySelectorAll('#views button')) b.classList.toggle('active', b.dataset.view === view);
  for (const s of document.querySelectorAll('.view')) s.hidden = s.id !== 'view-' + view;
  render();
}

// ------------------------------------------------------------------ banner

function renderBanner() {
  const banner = $('#discrepancy-banner');
  banner.replaceChildren();
  const open = S.status.accounts.filter((a) => a.reconciliation && a.reconciliation.discrepancies > 0);
  banner.hidden = open.length === 0;
  for (const a of open)
    banner.append(el('div', {}, 'Account ' + a.account + ': ' + a.reconciliation.discrepancies + ' reconciliation discrepanc'
      + (a.reconciliation.discrepancies === 1 ? 'y' : 'ies') + ' with the broker. ',
    el('a', { href: '#', onclick: (ev) => { ev.preventDefault(); openAudit('reconciler', a.account); } }, 'Audit trail')));
}

// ------------------------------------------------------------------ overview

function unrealized(account) {
  const d = S.data[account];
  let total = 0n;
  for (const p of (d && d.positions) || []) {
    if (p.status === 'FLAT' || !p.averagePrice) continue;
    const s = d.symbols[p.instrument];
    const last = s && s.strategy && s.strategy.sessionClose;
    if (!last) continue;
    total += decMul(dec(last) - dec(p.averagePrice), dec(p.quantity));
  }
  return total;
}

function renderOverview() {
  const root = $('#accounts');
  const cards = el('div', { class: 'cards' });
  const now = Date.now();
  for (const a of S.status.accounts) {
    const d = S.data[a.account] || {};
    const cur = currencyOf(a.account);
    const open = (d.positions || []).filter((p) => p.status !== 'FLAT').length;
    const u = unrealized(a.account);
    const beat = a.lastHeartbeat ? Math.max(0, Math.round((now - Date.parse(a.lastHeartbeat)) / 1000)) + ' s ago' : '–';
    const rows = [
      ['service', stateSpan(a.service)],
      ['runs on', a.node ? a.node.replace(/^pekko:\/\/ordo@/, '') : '–'],
      ['heartbeat', beat],
      ['broker session', stateSpan(a.auth && a.auth.state)],
      ['market data', stateSpan(a.marketData && a.marketData.state)],
      ['order feed', a.orderFeed ? stateSpan(a.orderFeed.state) : '–'],
      ['trading', stateSpan(a.risk && a.risk.state)],
      ['realized today', el('span', { class: signClass(a.risk && a.risk.dailyRealizedPnl && a.risk.dailyRealizedPnl.amount) }, money(a.risk && a.risk.dailyRealizedPnl))],
      ['unrealized', el('span', { class: signClass(decText(u, 2).replace(/,/g, '')), 'data-field': 'unrealized' }, decText(u, 2) + ' ' + cur)],
      ['open positions', String(open)],
    ];
    if (a.replay) {
      rows.push(['replay', a.replay.state + ' ' + a.replay.stepsDone + '/' + a.replay.stepsTotal + ' steps, session ' + a.replay.sessionsDone + '/' + a.replay.sessionsTotal]);
      rows.push(['replay clock', time(a.replay.replayTime)]);
    }
    const table = el('table', { class: 'kv' }, rows.map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', { class: k.includes('real') ? 'num' : '' }, v))));
    const chart = el('div', { class: 'equity', id: 'equity-' + a.account });
    cards.append(el('div', { class: 'card account', 'data-account': a.account }, el('h3', {}, a.account), table,
      el('div', { class: 'note' }, 'Equity: cumulative realized P&L of closed trades (' + cur + ')'), chart));
  }
  for (const chart of Object.values(S.equity)) chart.remove();
  S.equity = {};
  root.replaceChildren(cards);
  for (const a of S.status.accounts) drawEquity(a.account);
}

function drawEquity(account) {
  const container = document.getElementById('equity-' + account);
  if (!container || !window.LightweightCharts) return;
  const chart = LightweightCharts.createChart(container, { autoSize: true, layout: { attributionLogo: false },
    timeScale: { timeVisible: true }, rightPriceScale: { borderVisible: false } });
  const line = chart.addSeries(LightweightCharts.BaselineSeries, { baseValue: { type: 'price', price: 0 }, lineWidth: 2 });
  let sum = 0n;
  const points = [];
  for (const t of [...((S.data[account] || {}).trades || [])].sort((x, y) => chartTime(x.exitTime) - chartTime(y.exitTime))) {
    sum += dec(t.pnl.amount);
    const at = chartTime(t.exitTime);
    const value = Number(decText(sum, 2).replace(/,/g, ''));
    if (points.length && points[points.length - 1].time >= at) points[points.length - 1].value = value;
    else points.push({ time: at, value });
  }
  line.setData(points);
  chart.timeScale().fitContent();
  S.equity[account] = chart;
}

// ------------------------------------------------------------------ selects

function setOptions(select, values, keepFirst) {
  const have = [...select.options].slice(keepFirst ? 1 : 0).map((o) => o.value);
  if (have.length === values.length && have.every((v, i) => v === values[i])) return; // unchanged: the list stays as it is
  const current = select.value;
  const first = keepFirst ? [...select.options].slice(0, 1) : [];
  select.replaceChildren(...first, ...values.map((v) => el('option', { value: v }, v)));
  if ([...select.options].some((o) => o.value === current)) select.value = current;
}

function fillSelects() {
  setOptions($('#symbol-account'), accounts());
  setOptions($('#blotter-account'), accounts());
  const symAccount = accountStatus($('#symbol-account').value);
  setOptions($('#symbol-instrument'), symAccount ? symAccount.instruments : []);
  const blotAccount = accountStatus($('#blotter-account').value);
  setOptions($('#blotter-instrument'), blotAccount ? blotAccount.instruments : [], true);
}

// ------------------------------------------------------------------ symbol chart

/**
 * The symbol view: its bars are read when the chart is (re)built or after a reconnect or a gap in the feed, then pushed (onPushedBar);
 * the trader's state (markers, strategy) is read on each refresh and after pushed bars.
 */
async function renderSymbol() {
  const account = $('#symbol-account').value, instrument = $('#symbol-instrument').value;
  if (!account || !instrument) return;
  const key = account + ':' + instrument;
  const reload = S.symbolKey !== key || !S.symbolChart || S.barsStale;
  if (reload) { S.barsStale = false; S.barsLoading = key; S.pendingBars = []; }
  let bars, symbol;
  try {
    [bars, symbol] = await Promise.all([
      reload ? get('/accounts/' + enc(account) + '/symbols/' + enc(instrument) + '/bars?limit=2000') : null,
      get('/accounts/' + enc(account) + '/symbols/' + enc(instrument))]);
  } finally {
    if (reload && S.barsLoading === key) S.barsLoading = null;
  }
  if (key !== $('#symbol-account').value + ':' + $('#symbol-instrument').value) return; // another symbol was chosen meanwhile
  if (reload) loadBars(key, bars);
  else if (S.symbolKey !== key) return;
  renderMarkers(symbol);
  renderStrategy(symbol);
}

function loadBars(key, bars) {
  if (S.symbolKey !== key || !S.symbolChart) {
    if (S.symbolChart) S.symbolChart.chart.remove();
    const chart = LightweightCharts.createChart($('#chart'), { autoSize: true, layout: { attributionLogo: false },
      timeScale: { timeVisible: true, secondsVisible: false } });
    const candles = chart.addSeries(LightweightCharts.CandlestickSeries, { upColor: '#0e8a4f', downColor: '#c0392b', borderVisible: false,
      wickUpColor: '#0e8a4f', wickDownColor: '#c0392b' });
    const stop = chart.addSeries(LightweightCharts.LineSeries, { color: '#c0392b', lineWidth: 1, lineStyle: 2, lineType: 1, title: 'stop',
      lastValueVisible: false, priceLineVisible: false, crosshairMarkerVisible: false });
    const prevLow = chart.addSeries(LightweightCharts.LineSeries, { color: '#2457c5', lineWidth: 1, lineStyle: 1, lineType: 1, title: 'prevLow',
      lastValueVisible: false, priceLineVisible: false, crosshairMarkerVisible: false });
    S.symbolChart = { chart, candles, stop, prevLow, markers: LightweightCharts.createSeriesMarkers(candles, []), fitted: false };
    S.symbolKey = key;
  }
  S.bars = bars.bars.map((b) => ({ time: chartTime(b.time), open: +b.open, high: +b.high, low: +b.low, close: +b.close, strategy: b.strategy }));
  S.totalBars = bars.totalBars;
  S.barsCurrency = bars.currency;
  S.barsZone = bars.bars.length ? time(bars.bars[0].time).slice(20) : '';
  S.symbolChart.candles.setData(S.bars.map(({ time, open, high, low, close }) => ({ time, open, high, low, close })));
  drawLines();
  if (!S.symbolChart.fitted && S.bars.length) { S.symbolChart.chart.timeScale().setVisibleLogicalRange({ from: S.bars.length - 150, to: S.bars.length + 5 }); S.symbolChart.fitted = true; }
  $('#chart').dataset.currency = bars.currency;
  if (S.bars.length) $('#chart').dataset.lastBar = String(S.bars[S.bars.length - 1].time);
  // bars pushed while these were read: those the answer does not hold yet
  const pending = S.pendingBars; S.pendingBars = [];
  for (const row of pending) applyBar(row);
  chartNote();
}

function chartNote() {
  $('#chart-note').textContent = S.totalBars + ' bar(s) applied' + (S.totalBars > S.bars.length ? ', the last ' + S.bars.length + ' shown' : '')
    + '; times in the venue\'s zone (' + S.barsZone + '); prices in ' + S.barsCurrency
    + '; red dashes: the stop, blue: the setup\'s prevLow, as the strategy journaled them.';
}

/** The stop and prevLow lines: the strategy's state is journaled with the bars that decided something, the lines step between those. */
function drawLines() {
  S.symbolChart.stop.setData(S.bars.filter((b) => b.strategy).map((b) => b.strategy.stop ? { time: b.time, value: +b.strategy.stop } : { time: b.time }));
  S.symbolChart.prevLow.setData(S.bars.filter((b) => b.strategy).map((b) => b.strategy.prevLow ? { time: b.time, value: +b.strategy.prevLow } : { time: b.time }));
}

/** The bar on or before {@code t} (chart seconds), so a marker sits on a bar of the chart. */
function barTime(t) {
  let lo = 0, hi = S.bars.length - 1, found = S.bars.length ? S.bars[0].time : t;
  while (lo <= hi) { const mid = (lo + hi) >> 1; if (S.bars[mid].time <= t) { found = S.bars[mid].time; lo = mid + 1; } else hi = mid - 1; }
  return found;
}

function renderMarkers(symbol) {
  const markers = [], rows = [];
  const cur = symbol.currency;
  for (const t of symbol.trades) {
    const long = t.side === 'BUY';
    markers.push({ time: barTime(chartTime(t.entryTime)), position: long ? 'belowBar' : 'aboveBar', color: '#2457c5', shape: long ? 'arrowUp' : 'arrowDown',
      text: 'entry ' + t.quantity + ' @ ' + t.entryPrice });
    markers.push({ time: barTime(chartTime(t.exitTime)), position: long ? 'aboveBar' : 'belowBar', color: dec(t.pnl.amount) >= 0n ? '#0e8a4f' : '#c0392b',
      shape: long ? 'arrowDown' : 'arrowUp', text: 'exit ' + t.exitReason + ' @ ' + t.exitPrice });
    rows.push(el('tr', { class: 'marker entry' }, el('td', {}, time(t.entryTime)), el('td', {}, 'entry ' + t.side + ' ' + t.quantity), numCell(t.entryPrice, cur)));
    rows.push(el('tr', { class: 'marker exit' }, el('td', {}, time(t.exitTime)), el('td', {}, 'exit ' + t.exitReason + ' (P&L ' + money(t.pnl) + ')'), numCell(t.exitPrice, cur)));
  }
  const p = symbol.position;
  if (p && p.status !== 'FLAT' && p.openedAt) {
    markers.push({ time: barTime(chartTime(p.openedAt)), position: 'belowBar', color: '#2457c5', shape: 'arrowUp', text: 'entry (open) ' + p.quantity + ' @ ' + p.averagePrice });
    rows.push(el('tr', { class: 'marker open' }, el('td', {}, time(p.openedAt)), el('td', {}, 'entry, open ' + p.quantity), numCell(p.averagePrice, cur)));
  }
  const stop = symbol.strategy && symbol.strategy.stop;
  if (stop) {
    const last = S.bars.length ? S.bars[S.bars.length - 1].time : null;
    if (last !== null) markers.push({ time: last, position: 'atPriceMiddle', price: +stop, color: '#c0392b', shape: 'square', text: 'stop ' + stop });
    rows.push(el('tr', { class: 'marker stop' }, el('td', {}, time(symbol.lastBarApplied)), el('td', {}, 'stop level now'), numCell(stop, cur)));
  }
  markers.sort((a, b) => a.time - b.time);
  S.symbolChart.markers.setMarkers(markers);
  $('#chart').dataset.markers = String(markers.length);
  $('#markers tbody').replaceChildren(...rows);
}

function renderStrategy(symbol) {
  const s = symbol.strategy || {};
  const keys = ['strategy', 'session', 'setup', 'armed', 'prevLow', 'stop', 'position', 'entries', 'exited', 'stopRaised', 'entryWorking', 'stopWorking', 'exitWorking',
    'sessionOpen', 'sessionHigh', 'sessionLow', 'sessionClose'];
  const rows = keys.filter((k) => k in s).map((k) => el('tr', { 'data-key': k }, el('td', {}, k),
    el('td', { class: /^(prevLow|stop|session[A-Z]|position)/.test(k) ? 'num' : '' },
      /^(prevLow|stop|session[OHLC])/.test(k) && s[k] !== null ? num(s[k], symbol.currency) : String(s[k]))));
  rows.push(el('tr', {}, el('td', {}, 'last bar'), el('td', {}, time(symbol.lastBarApplied))));
  $('#strategy-state').replaceChildren(...rows);
}

/** A bar the feed pushed (every bar a trader receives, as a row of the bars endpoint): the shown chart adds or updates its candle. */
function onPushedBar(e) {
  const key = e.account + ':' + e.instrument;
  const b = e.bar;
  const row = { time: chartTime(b.time), open: +b.open, high: +b.high, low: +b.low, close: +b.close, strategy: b.strategy };
  if (S.barsLoading === key) { S.pendingBars.push(row); return; }
  if (S.symbolKey !== key || !S.symbolChart) return;
  applyBar(row);
  symbolSoon();
}

/** A bar the journal carries (one that decided something), with the strategy's state after it. */
function onJournaledBar(e) {
  if (!S.symbolChart) return;
  const b = e.payload.bar, t = chartTime(b.tsOpen || e.time);
  const strategy = e.payload.strategy || {};
  const row = { time: t, open: +b.open, high: +b.high, low: +b.low, close: +b.close, strategy };
  if (S.barsLoading === S.symbolKey) { S.pendingBars.push(row); return; }
  applyBar(row);
  if (S.bars.length && S.bars[S.bars.length - 1].time === t)
    renderStrategy({ strategy, currency: $('#chart').dataset.currency, lastBarApplied: b.tsOpen });
}

/** Adds {@code row} to the shown chart, or updates its bar of the same time; of an older bar only the strategy's state is kept. */
function applyBar(row) {
  const last = S.bars.length ? S.bars[S.bars.length - 1] : null;
  if (last && row.time < last.time) {
    // a bar journaled after later ones were pushed (a replayed bar that decided nothing is journaled with the next write)
    const i = barIndex(row.time);
    if (row.strategy && i >= 0) { S.bars[i].strategy = row.strategy; linesSoon(); }
    return;
  }
  S.symbolChart.candles.update({ time: row.time, open: row.open, high: row.high, low: row.low, close: row.close });
  if (last && last.time === row.time) Object.assign(last, { open: row.open, high: row.high, low: row.low, close: row.close }, row.strategy ? { strategy: row.strategy } : {});
  else { S.bars.push(row); S.totalBars++; }
  if (row.strategy) {
    S.symbolChart.stop.update(row.strategy.stop ? { time: row.time, value: +row.strategy.stop } : { time: row.time });
    S.symbolChart.prevLow.update(row.strategy.prevLow ? { time: row.time, value: +row.strategy.prevLow } : { time: row.time });
  }
  $('#chart').dataset.lastBar = String(row.time);
  chartNote();
}

/** The index in S.bars of the bar of {@code t} (chart seconds), -1 when none. */
function barIndex(t) {
  let lo = 0, hi = S.bars.length - 1;
  while (lo <= hi) { const mid = (lo + hi) >> 1; if (S.bars[mid].time === t) return mid; if (S.bars[mid].time < t) lo = mid + 1; else hi = mid - 1; }
  return -1;
}

function linesSoon() {
  if (S.linesTimer) return;
  S.linesTimer = setTimeout(() => { S.linesTimer = null; if (S.symbolChart) drawLines(); }, 250);
}

/** After pushed bars, the shown trader's state (strategy, markers) is read again, at most once a second. */
function symbolSoon() {
  if (S.symbolTimer) return;
  S.symbolTimer = setTimeout(() => { S.symbolTimer = null; if (S.token && S.view === 'symbol') renderSymbol(); }, 1000);
}

// ------------------------------------------------------------------ blotter

function auditLink(type, id, label, highlight) {
  return el('a', { href: '#', class: 'audit-link', onclick: (ev) => { ev.preventDefault(); openAudit(type, id, highlight); } }, label || 'audit');
}

async function loadFills(account) {
  const d = S.data[account];
  const status = accountStatus(account);
  const fills = [];
  await Promise.all(status.instruments.map(async (instrument) => {
    const id = account + ':' + instrument;
    const first = await call('GET', '/audit/position/' + enc(id) + '?limit=1');
    if (!first.ok) return;
    const from = Math.max(1, first.json.totalEvents - 199);
    const page = await get('/audit/position/' + enc(id) + '?from=' + from + '&limit=200');
    for (const ev of page.events) if (ev.type === 'FillApplied') fills.push(fillOf(account, instrument, ev.payload.fill, ev.time));
  }));
  fills.sort((a, b) => b.at - a.at);
  d.fills = fills;
}

function fillOf(account, instrument, f, at) {
  return { account, instrument, tradeId: f.tradeId, clientOrderId: f.clientOrderId, side: f.side, qty: String(f.lastQty), px: String(f.lastPx),
    time: at, at: chartTime(at) };
}

function fillRow(f, fresh) {
  const cur = (accountStatus(f.account) && currencyOf(f.account)) || '';
  return el('tr', { class: fresh ? 'fill fresh' : 'fill', 'data-trade-id': f.tradeId }, el('td', {}, time(f.time)), el('td', {}, f.tradeId),
    el('td', {}, f.clientOrderId), el('td', {}, f.instrument), el('td', {}, f.side), numCell(f.qty), numCell(f.px, cur),
    el('td', {}, auditLink('position', f.account + ':' + f.instrument)));
}

function onFill(e) {
  const d = S.data[e.account];
  if (!d || !d.fills) return;
  const f = fillOf(e.account, e.instrument, e.payload.fill, e.time);
  if (d.fills.some((x) => x.tradeId === f.tradeId && x.instrument === f.instrument)) return;
  d.fills.unshift(f);
  if (S.view === 'blotter' && $('#blotter-account').value === e.account && (!$('#blotter-instrument').value || $('#blotter-instrument').value === e.instrument))
    $('#fills tbody').prepend(fillRow(f, true));
}

async function renderBlotter() {
  const account = $('#blotter-account').value;
  if (!account || !S.data[account]) return;
  const instrument = $('#blotter-instrument').value;
  const d = S.data[account];
  if (!d.fills) await loadFills(account);
  const mine = (x) => !instrument || x.instrument === instrument;
  const orders = d.orders.filter(mine).slice().reverse();
  $('#orders tbody').replaceChildren(...orders.map((o) => el('tr', { class: 'order' + (o.working ? ' working' : ''), 'data-status': o.status },
    el('td', {}, time(o.submittedAt)), el('td', {}, o.clientOrderId), el('td', {}, o.venueOrderId || '–'), el('td', {}, o.instrument), el('td', {}, o.role),
    el('td', {}, o.side), el('td', {}, o.type), numCell(o.quantity), numCell(o.filled), numCell(o.trigger, o.trigger ? o.currency : null),
    el('td', {}, stateSpan(o.status), o.lastError ? el('div', { class: 'note' }, o.lastError) : null),
    el('td', {}, auditLink('symbol-trader', account + ':' + o.instrument, 'audit', o.clientOrderId)))));
  $('#fills tbody').replaceChildren(...d.fills.filter(mine).slice(0, 200).map((f) => fillRow(f, false)));
  const trades = d.trades.filter(mine).slice().reverse();
  $('#trades tbody').replaceChildren(...trades.map((t) => el('tr', { class: 'trade' }, el('td', {}, time(t.entryTime)), el('td', {}, time(t.exitTime)),
    el('td', {}, t.instrument), el('td', {}, t.side), numCell(t.quantity), numCell(t.entryPrice, t.currency), numCell(t.exitPrice, t.currency),
    el('td', {}, t.exitReason), moneyCell(t.pnl))));
}

// ------------------------------------------------------------------ experts

async function renderExperts() {
  const experts = await get('/experts');
  const cards = el('div', { class: 'cards' });
  for (const x of experts) {
    const txs = await get('/experts/' + enc(x.expertId) + '/transactions');
    const byStatus = {};
    for (const t of txs) byStatus[t.status] = (byStatus[t.status] || 0) + 1;
    const card = el('div', { class: 'card expert', 'data-expert': x.expertId }, el('h3', {}, x.expertId + ' (account ' + x.account + ')'),
      el('table', { class: 'kv' },
        el('tr', {}, el('td', {}, 'enabled'), el('td', {}, String(x.enabled))),
        el('tr', {}, el('td', {}, 'open / max'), el('td', {}, x.openTransactions + ' / ' + x.maxOpenTransactions)),
        el('tr', {}, el('td', {}, 'allocation per trade'), el('td', { class: 'num' }, num(x.allocationPerTrade, x.currency))),
        el('tr', {}, el('td', {}, 'transactions by status'), el('td', { class: 'by-status' },
          Object.keys(byStatus).sort().map((s) => s + ' ' + byStatus[s]).join(', ') || 'none'))));
    const recent = await recommendations(x.expertId);
    if (recent === null) card.append(el('p', { class: 'note' }, 'The recommendations are in the expert\'s journal, which an account\'s token does not read.'));
    else card.append(el('h4', {}, 'Last recommendations'), el('table', { class: 'recommendations' },
      el('thead', {}, el('tr', {}, el('th', {}, 'time'), el('th', {}, 'instrument'), el('th', {}, 'action'), el('th', {}, 'outcome'))),
      el('tbody', {}, recent.map((r) => el('tr', { class: 'recommendation', 'data-reason': r.reason || '' }, el('td', {}, time(r.time)),
        el('td', {}, r.instrument), el('td', {}, r.action), el('td', {}, r.outcome))))));
    cards.append(card);
  }
  if (!experts.length) cards.append(el('p', { class: 'note' }, 'No expert is configured (PUT /experts/{id}; docs/experts.md).'));
  $('#experts').replaceChildren(cards);
}

/** The expert's last recommendations from its journal, newest first; null when the token may not read it. */
async function recommendations(expertId) {
  const first = await call('GET', '/audit/expert/' + enc(expertId) + '?limit=1');
  if (!first.ok) return null;
  const from = Math.max(1, first.json.totalEvents - 199);
  const page = await get('/audit/expert/' + enc(expertId) + '?from=' + from + '&limit=200');
  const out = [];
  for (const ev of page.events) {
    if (ev.type === 'RecommendationSkipped')
      out.push({ time: ev.time, instrument: ev.payload.instrument, action: ev.payload.action, reason: ev.payload.reason,
        outcome: 'skipped ' + ev.payload.reason + (ev.payload.detail ? ': ' + ev.payload.detail : '') });
    else if (ev.type === 'TransactionOpened')
      out.push({ time: ev.time, instrument: ev.payload.instrument, action: 'BUY', reason: null, outcome: 'accepted as ' + ev.payload.transactionId });
  }
  return out.reverse().slice(0, 20);
}

// ------------------------------------------------------------------ events and audit

function summary(e) {
  const p = e.payload || {};
  if (p.fill) return p.fill.side + ' ' + p.fill.lastQty + ' @ ' + p.fill.lastPx + ' (' + p.fill.clientOrderId + ')';
  if (p.bar) return 'close ' + p.bar.close;
  if (p.clientOrderId) return p.clientOrderId + (p.side ? ' ' + p.side + ' ' + (p.type || '') + ' ' + (p.quantity || '') : '') + (p.reason ? ': ' + p.reason : '');
  if (p.discrepancy) return p.discrepancy.kind + ': ' + p.discrepancy.detail;
  if (p.reason) return String(p.reason) + (p.detail ? ': ' + p.detail : '');
  const text = JSON.stringify(p);
  return text.length > 120 ? text.slice(0, 117) + '...' : text;
}

function eventRow(e, fresh) {
  return el('tr', { class: 'event' + (fresh ? ' fresh' : '') + (e.type === 'DiscrepancyFound' ? ' neg' : ''), 'data-type': e.type },
    el('td', {}, time(e.time)), el('td', {}, e.entityType + ' ' + e.entityId), el('td', {}, e.type), el('td', {}, summary(e)),
    el('td', {}, auditLink(e.entityType, e.entityId, '#' + e.sequenceNr)));
}

function matchesFilter(e) {
  const f = $('#events-filter').value.trim().toLowerCase();
  return !f || e.type.toLowerCase().includes(f) || e.entityId.toLowerCase().includes(f);
}

function prependEventRow(e, fresh) {
  if (!matchesFilter(e)) return;
  const body = $('#events tbody');
  body.prepend(eventRow(e, fresh));
  while (body.rows.length > 300) body.deleteRow(body.rows.length - 1);
}

function renderEvents() {
  $('#events tbody').replaceChildren(...S.events.filter(matchesFilter).slice(0, 300).map((e) => eventRow(e, false)));
}

async function openAudit(type, id, highlight) {
  if (S.view !== 'events') showView('events');
  const first = await call('GET', '/audit/' + enc(type) + '/' + enc(id) + '?limit=1');
  $('#audit').hidden = false;
  $('#audit-title').textContent = 'Audit trail of ' + type + ' ' + id + (highlight ? ' (order ' + highlight + ')' : '');
  if (!first.ok) { $('#audit-events tbody').replaceChildren(el('tr', {}, el('td', { colspan: 4 }, (first.json && first.json.detail) || 'HTTP ' + first.status))); return; }
  const from = Math.max(1, first.json.totalEvents - 199);
  const page = await get('/audit/' + enc(type) + '/' + enc(id) + '?from=' + from + '&limit=200');
  const events = page.events.filter((ev) => !highlight || JSON.stringify(ev.payload).includes('"' + highlight + '"')).reverse();
  $('#audit-events tbody').replaceChildren(...events.map((ev) => el('tr', {}, el('td', { class: 'num' }, String(ev.sequenceNr)), el('td', {}, time(ev.time)),
    el('td', {}, ev.type), el('td', {}, el('code', {}, JSON.stringify(ev.payload))))));
  $('#audit').scrollIntoView();
}

// ------------------------------------------------------------------ control

function confirmAction(text) {
  return new Promise((resolve) => {
    const dialog = $('#confirm');
    $('#confirm-text').textContent = text;
    dialog.returnValue = '';
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
  });
}

async function control(account, label, path, question) {
  if (!(await confirmAction(question))) { $('#control-answer').textContent = label + ' of ' + account + ': canceled, nothing sent'; return; }
  $('#control-answer').textContent = 'POST ' + path + ' ...';
  const r = await call('POST', path);
  $('#control-answer').textContent = 'POST ' + path + ' answered ' + r.status + '\n' + (r.json ? JSON.stringify(r.json, null, 2) : r.text);
  $('#control-answer').dataset.status = String(r.status);
  refreshSoon(0);
}

function renderControl() {
  const allowed = S.who && S.who.controls;
  $('#control-readonly').hidden = !!allowed;
  if (!allowed) { $('#controls').replaceChildren(); return; }
  const cards = el('div', { class: 'cards' });
  for (const a of S.status.accounts) {
    const base = '/accounts/' + enc(a.account);
    const task = el('select', { class: 'task', 'aria-label': 'task' }, (a.tasks || []).map((t) => el('option', { value: t.task }, t.task)));
    cards.append(el('div', { class: 'card controls', 'data-account': a.account }, el('h3', {}, a.account),
      el('p', {}, 'service ', stateSpan(a.service), ', trading ', stateSpan(a.risk && a.risk.state)),
      el('button', { type: 'button', class: 'start', onclick: () => control(a.account, 'Start', base + '/service/start', 'Start the trading service of account ' + a.account + '?') }, 'Start service'),
      el('button', { type: 'button', class: 'stop', onclick: () => control(a.account, 'Stop', base + '/service/stop', 'Stop the trading service of account ' + a.account + '? It drains its broker calls first.') }, 'Stop service'),
      el('button', { type: 'button', class: 'halt', onclick: () => control(a.account, 'Halt', base + '/halt', 'Halt account ' + a.account + '? Every new entry is refused (ACCOUNT_HALTED) until it is resumed; exits go on.') }, 'Halt'),
      el('button', { type: 'button', class: 'resume', onclick: () => control(a.account, 'Resume', base + '/resume', 'Resume trading on account ' + a.account + '?') }, 'Resume'),
      el('div', {}, task, ' ', el('button', { type: 'button', class: 'run-task', onclick: () => control(a.account, 'Run ' + task.value,
        base + '/tasks/' + enc(task.value) + '/run', 'Run task ' + task.value + ' of account ' + a.account + ' now?') }, 'Run task'))));
  }
  $('#controls').replaceChildren(cards);
}

// ------------------------------------------------------------------ start

document.addEventListener('DOMContentLoaded', () => {
  $('#signin-form').addEventListener('submit', (ev) => { ev.preventDefault(); const t = $('#token-input').value.trim(); if (t) signIn(t, true); });
  $('#signout').addEventListener('click', () => signOut(''));
  for (const b of document.querySelectorAll('#views button')) b.addEventListener('click', () => showView(b.dataset.view));
  $('#symbol-account').addEventListener('change', () => { fillSelects(); renderSymbol(); });
  $('#symbol-instrument').addEventListener('change', () => renderSymbol());
  $('#blotter-account').addEventListener('change', () => { fillSelects(); renderBlotter(); });
  $('#blotter-instrument').addEventListener('change', () => renderBlotter());
  $('#events-filter').addEventListener('input', () => renderEvents());
  $('#audit-close').addEventListener('click', () => { $('#audit').hidden = true; });
  // the heartbeat's age counts on between two pushed statuses (nothing is read: the page's clock only)
  setInterval(() => { if (S.view === 'overview' && S.status) renderOverviewClock(); }, 1000);
  // a link with a token opened in this tab again changes only the fragment: no new page load
  window.addEventListener('hashchange', () => { const t = tokenFromFragment(); if (t) signIn(t, false); });
  const token = tokenFromFragment() || sessionStorage.getItem(TOKEN_KEY);
  if (token) signIn(token, false); else showSignIn();
});

function renderOverviewClock() {
  for (const card of document.querySelectorAll('.card.account')) {
    const a = accountStatus(card.dataset.account);
    const cell = card.querySelector('tr:nth-child(2) td:last-child');
    if (a && cell) cell.textContent = a.lastHeartbeat ? Math.max(0, Math.round((Date.now() - Date.parse(a.lastHeartbeat)) / 1000)) + ' s ago' : '–';
  }
}

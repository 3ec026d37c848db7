/**
 * The dashboard's script, run in the browser as written (no build step). Every name that
 * comes from the server reaches the page through `textContent` or an attribute, never as
 * markup, so an operation called `<img src=x onerror=…>` is only text.
 */
export const DASHBOARD_SCRIPT = String.raw`
'use strict';
const base = location.pathname.endsWith('/') ? location.pathname : location.pathname + '/';
const HISTORY = 600; // one point a second: ten minutes
const LABELS = { closed: 'closed', open: 'open', 'half-open': 'half-open', isolated: 'isolated', disabled: 'disabled', none: 'no breaker' };
const cards = new Map();
const grid = document.getElementById('cards');
const timeline = document.getElementById('timeline');
const connection = document.getElementById('connection');
const tokenForm = document.getElementById('token-form');
const tokenInput = document.getElementById('token');
const tokenPrompt = document.getElementById('token-prompt');
let token = '';
let pendingAction;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function percent(share) {
  return share === null || share === undefined ? '–' : (share * 100).toFixed(share < 0.1 && share > 0 ? 1 : 0) + ' %';
}

function stat(label) {
  const box = el('div', 'stat');
  box.append(el('span', 'stat-label', label));
  const value = el('span', 'stat-value', '–');
  box.append(value);
  return [box, value];
}

function cardFor(name) {
  let card = cards.get(name);
  if (card) return card;
  const root = el('article', 'card');
  root.dataset.operation = name;
  const head = el('header', 'card-head');
  const title = el('h2', 'card-name', name);
  title.title = name;
  const badge = el('span', 'badge');
  head.append(title, badge);
  const stats = el('div', 'stats');
  const [rateBox, rate] = stat('calls/s');
  const [okBox, ok] = stat('success');
  const [fbBox, fallback] = stat('fallback');
  const [p95Box, p95] = stat('p95');
  stats.append(rateBox, okBox, fbBox, p95Box);
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'calls per second, last 10 minutes');
  const area = document.createElementNS('http://www.w3.org/2000/svg', 'polygon');
  area.setAttribute('class', 'spark-area');
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  svg.append(area, line);
  const actions = el('div', 'actions');
  for (const command of ['isolate', 'reset', 'disable', 'enable']) {
    const button = el('button', 'action', command);
    button.type = 'button';
    button.dataset.command = command;
    button.addEventListener('click', () => requestAction(name, command, card));
    actions.append(button);
  }
  const result = el('p', 'result');
  result.setAttribute('role', 'status');
  root.append(head, stats, svg, actions, result);
  grid.append(root);
  card = { root, badge, rate, ok, fallback, p95, svg, area, line, result, history: [] };
  cards.set(name, card);
  return card;
}

function showState(card, state) {
  const key = state === null ? 'none' : state;
  card.badge.textContent = LABELS[key] || key;
  card.root.dataset.state = key;
  card.badge.dataset.state = key;
}

function update(summary) {
  const card = cardFor(summary.operation);
  showState(card, summary.state);
  card.rate.textContent = summary.callsPerSecond.toFixed(summary.callsPerSecond < 10 ? 1 : 0);
  card.ok.textContent = percent(summary.successShare);
  card.fallback.textContent = percent(summary.fallbackShare);
  card.p95.textContent = summary.p95Ms.toFixed(summary.p95Ms < 10 ? 1 : 0) + ' ms';
  card.history.push(summary.callsPerSecond);
  if (card.history.length > HISTORY) card.history.shift();
  drawSpark(card);
}

// The newest point sits at the right edge; the chart fills as history grows, up to ten minutes.
function drawSpark(card) {
  const points = card.history;
  const width = Math.max(points.length, 60) - 1;
  const max = Math.max(1, ...points);
  const offset = width - (points.length - 1);
  const coords = points.map((v, i) => (offset + i) + ',' + (38 - (v / max) * 36).toFixed(1));
  card.svg.setAttribute('viewBox', '0 0 ' + width + ' 40');
  card.line.setAttribute('points', coords.join(' '));
  if (points.length > 1) card.area.setAttribute('points', offset + ',40 ' + coords.join(' ') + ' ' + width + ',40');
}

function addTransition(t) {
  const item = el('li', 'transition');
  const time = el('time', 'when', new Date(t.at).toLocaleTimeString());
  time.dateTime = t.at;
  const from = el('span', 'badge', LABELS[t.from] || t.from);
  from.dataset.state = t.from;
  const to = el('span', 'badge', LABELS[t.to] || t.to);
  to.dataset.state = t.to;
  item.append(time, el('span', 'op', t.operation), from, el('span', 'arrow', '→'), to);
  timeline.prepend(item);
  while (timeline.children.length > 100) timeline.lastChild.remove();
  const card = cards.get(t.operation);
  if (card) showState(card, t.to);
}

function prune(names) {
  for (const [name, card] of cards) {
    if (!names.has(name)) {
      card.root.remove();
      cards.delete(name);
    }
  }
}

function requestAction(name, command, card) {
  if (token === '') {
    pendingAction = { name, command, card };
    tokenPrompt.textContent = command + ' ' + name + ': enter the admin token';
    tokenForm.hidden = false;
    tokenInput.focus();
    return;
  }
  void act(name, command, card);
}

async function act(name, command, card) {
  card.result.textContent = command + '…';
  card.result.dataset.outcome = 'pending';
  try {
    const response = await fetch(base + 'circuits/' + encodeURIComponent(name) + '/' + command, {
      method: 'POST',
      headers: { authorization: 'Bearer ' + token },
    });
    const body = await response.json().catch(() => ({}));
    if (response.ok) {
      card.result.textContent = command + ': now ' + (LABELS[body.state] || body.state);
      card.result.dataset.outcome = 'ok';
      showState(card, body.state);
    } else {
      card.result.textContent = command + ' refused (' + response.status + '): ' + (body.error || response.statusText);
      card.result.dataset.outcome = 'error';
      if (response.status === 401 || response.status === 403) token = '';
    }
  } catch (error) {
    card.result.textContent = command + ' failed: ' + error.message;
    card.result.dataset.outcome = 'error';
  }
}

tokenForm.addEventListener('submit', (event) => {
  event.preventDefault();
  token = tokenInput.value;
  tokenInput.value = '';
  tokenForm.hidden = true;
  const action = pendingAction;
  pendingAction = undefined;
  if (action) void act(action.name, action.command, action.card);
});
document.getElementById('token-cancel').addEventListener('click', () => {
  tokenForm.hidden = true;
  pendingAction = undefined;
});

const stream = new EventSource(base + 'events');
stream.addEventListener('open', () => {
  connection.textContent = 'live';
  connection.dataset.live = 'true';
});
stream.addEventListener('error', () => {
  connection.textContent = 'reconnecting…';
  connection.dataset.live = 'false';
});
stream.addEventListener('hello', (event) => {
  const hello = JSON.parse(event.data);
  timeline.replaceChildren();
  for (const t of hello.transitions) addTransition(t);
  prune(new Set(hello.operations.map((s) => s.operation)));
  for (const summary of hello.operations) showState(cardFor(summary.operation), summary.state);
});
stream.addEventListener('summary', (event) => {
  const summary = JSON.parse(event.data);
  prune(new Set(summary.operations.map((s) => s.operation)));
  for (const s of summary.operations) update(s);
  document.getElementById('updated').textContent = new Date(summary.at).toLocaleTimeString();
});
stream.addEventListener('state', (event) => addTransition(JSON.parse(event.data)));
`;

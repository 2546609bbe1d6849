'use strict';
(() => {
const token = document.body.dataset.token;
const $ = id => document.getElementById(id);
const PAGE = 200, CELL_W = 176, CELL_H = 200, THUMB_W = 164, THUMB_H = 124;
const state = {classes: [], label: null, total: 0, pages: new Map(), pending: new Set(), generation: 0,
  marks: new Map(), history: [], focus: 0, viewing: null, filters: {license: '', engine: '', query: '', risk: ''}};
const cells = new Map();
const grid = $('grid'), spacer = $('spacer');

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== '' && v !== null && v !== undefined) q.set(k, v);
  q.set('token', token);
  return q.toString();
}
async function api(path, params) {
  const r = await fetch(path + '?' + query(params), {headers: {'X-Review-Token': token}});
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
  return body;
}
function fileUrl(kind, name) {
  return '/' + kind + '/' + name.split('/').map(encodeURIComponent).join('/') + '?token=' + encodeURIComponent(token);
}
function say(text, error) { const s = $('status'); s.textContent = text; s.classList.toggle('error', !!error); }

// -- marks ------------------------------------------------------------------------------
function labelOf(file) { return file.slice(0, file.lastIndexOf('/')); }
function changes() {
  const out = [];
  for (const [file, m] of state.marks) {
    if (m.action === 'remove') out.push({file_name: file, action: 'remove'});
    else if (m.action === 'move' && m.label !== labelOf(file)) out.push({file_name: file, action: 'move', label: m.label});
  }
  return out;
}
function setMarks(list) {  // list of [file, mark-or-null]: one undo step
  state.history.push(list.map(([file]) => [file, state.marks.get(file) || null]));
  for (const [file, m] of list) { if (m) state.marks.set(file, m); else state.marks.delete(file); }
  refreshMarks();
}
function mark(file, action, label) {
  if (!file) return;
  if (action === 'move' && label === labelOf(file)) action = 'keep';  // moved to where it is
  setMarks([[file, {action, label: action === 'move' ? label : undefined}]]);
}
function undoMark() {
  const step = state.history.pop();
  if (!step) return;
  for (const [file, m] of step) { if (m) state.marks.set(file, m); else state.marks.delete(file); }
  refreshMarks();
}
function markText(m) {
  if (!m) return '';
  if (m.action === 'remove') return 'remove';
  if (m.action === 'move') return 'move to ' + m.label;
  return 'keep';
}
function refreshMarks() {
  const n = changes().length;
  const apply = $('apply');
  apply.textContent = 'Apply ' + n + (n === 1 ? ' change' : ' changes');
  apply.disabled = n === 0;
  $('undo').disabled = state.history.length === 0;
  for (const el of cells.values()) paintCell(el);
  drawClasses();
  if (state.viewing) $('view-mark').textContent = markText(state.marks.get(state.viewing));
  for (const fig of document.querySelectorAll('#groups-list figure')) paintMark(fig, state.marks.get(fig.dataset.file));
}
function paintMark(el, m) {
  el.classList.toggle('remove', !!m && m.action === 'remove');
  el.classList.toggle('move', !!m && m.action === 'move');
  el.classList.toggle('keep', !!m && m.action === 'keep');
}

// -- classes and filters ---------------------------------------------------------------
function drawClasses() {
  const nav = $('classes');
  const marked = new Map();
  for (const c of changes()) { const l = labelOf(c.file_name); marked.set(l, (marked.get(l) || 0) + 1); }
  nav.replaceChildren();
  state.classes.forEach((c, i) => {
    const b = document.createElement('button');
    b.type = 'button'; b.dataset.label = c.label;
    if (c.label === state.label) b.classList.add('current');
    const name = document.createElement('span'); name.textContent = (i < 9 ? (i + 1) + ' ' : '') + c.label;
    const n = document.createElement('span'); n.className = 'n'; n.textContent = c.count.toLocaleString();
    b.append(name, n);
    if (marked.get(c.label)) {
      const m = document.createElement('span'); m.className = 'marked'; m.textContent = marked.get(c.label) + ' marked';
      b.append(m);
    }
    b.addEventListener('click', () => selectClass(c.label));
    nav.append(b);
  });
  const list = $('class-names');
  list.replaceChildren(...state.classes.map(c => { const o = document.createElement('option'); o.value = c.label; return o; }));
}
async function loadClasses() {
  const d = await api('/api/classes');
  state.classes = d.classes;
  $('store').textContent = d.root;
  drawClasses();
}
async function loadFacets() {
  const d = await api('/api/facets', {label: state.label});
  for (const name of ['license', 'engine', 'query', 'risk']) {
    const select = $('f-' + name);
    const keep = state.filters[name];
    select.replaceChildren(new Option('any', ''));
    for (const [value, count] of d[name] || []) select.append(new Option(count ? value + ' (' + count + ')' : value, value));
    select.value = keep;
  }
}
async function selectClass(label) {
  state.label = label;
  state.filters = {license: '', engine: '', query: '', risk: ''};
  drawClasses();
  await loadFacets();
  reload();
}
function reload() {
  state.generation++;
  state.pages.clear(); state.pending.clear(); state.total = 0; state.focus = 0;
  for (const el of cells.values()) drop(el);
  cells.clear();
  grid.scrollTop = 0;
  spacer.style.height = '0px';
  $('count').textContent = 'loading…';
  ensurePage(0);
}

// -- the grid: only the cells in view exist ---------------------------------------------
function columns() { return Math.max(1, Math.floor(grid.clientWidth / CELL_W)); }
function itemAt(i) { const p = state.pages.get(Math.floor(i / PAGE)); return p ? p[i % PAGE] : undefined; }
function ensurePage(p) {
  if (state.pages.has(p) || state.pending.has(p) || state.label === null) return;
  state.pending.add(p);
  const generation = state.generation;
  api('/api/items', {label: state.label, offset: p * PAGE, limit: PAGE, ...state.filters}).then(d => {
    if (generation !== state.generation) return;
    state.pending.delete(p);
    state.pages.set(p, d.items);
    state.total = d.total;
    $('count').textContent = d.total.toLocaleString() + (d.total === 1 ? ' image' : ' images');
    layout();
  }).catch(e => say('could not load images: ' + e.message, true));
}
function layout() {
  spacer.style.height = Math.ceil(state.total / columns()) * CELL_H + 'px';
  render();
}
function render() {
  const cols = columns(), top = grid.scrollTop, height = grid.clientHeight;
  const first = Math.max(0, Math.floor(top / CELL_H) - 1) * cols;
  const last = Math.min(state.total, (Math.ceil((top + height) / CELL_H) + 1) * cols);
  for (const [i, el] of cells) if (i < first || i >= last) { drop(el); cells.delete(i); }
  for (let i = first; i < last; i++) {
    const item = itemAt(i);
    if (!item) { ensurePage(Math.floor(i / PAGE)); continue; }
    let el = cells.get(i);
    if (el && el.dataset.file !== item.file) { drop(el); el = undefined; }
    if (!el) { el = makeCell(item); cells.set(i, el); grid.append(el); }
    el.dataset.index = i;
    el.style.left = (i % cols) * CELL_W + 'px';
    el.style.top = Math.floor(i / cols) * CELL_H + 'px';
    el.classList.toggle('focus', i === state.focus);
  }
}
function drop(el) {  // a cell out of view: its thumbnail's download stops
  if (el.abort) el.abort.abort();
  el.remove();
}
// Thumbnails are drawn into a canvas from a bitmap closed at once, not shown as <img>: Chromium keeps
// the decoded pixels of every <img> it has shown in a cache (some 200 MB after scrolling through
// 10,000), a closed bitmap's go at once (benchmarks/review.py).
function paintThumb(el, canvas, file) {
  el.abort = new AbortController();
  fetch(fileUrl('thumb', file), {signal: el.abort.signal})
    .then(r => r.ok ? r.blob() : Promise.reject(new Error('HTTP ' + r.status)))
    .then(blob => createImageBitmap(blob))
    .then(bitmap => {
      const scale = Math.max(THUMB_W / bitmap.width, THUMB_H / bitmap.height);
      const w = bitmap.width * scale, h = bitmap.height * scale;
      canvas.getContext('2d').drawImage(bitmap, (THUMB_W - w) / 2, (THUMB_H - h) / 2, w, h);
      bitmap.close();
      el.dataset.loaded = '1';
    })
    .catch(error => { if (error.name !== 'AbortError') el.dataset.loaded = 'error'; });
}
function makeCell(item) {
  const el = document.createElement('div');
  el.className = 'cell'; el.dataset.file = item.file;
  const img = document.createElement('canvas');
  img.width = THUMB_W; img.height = THUMB_H; img.title = item.title || '';
  img.setAttribute('role', 'img'); img.setAttribute('aria-label', item.title || item.file);
  paintThumb(el, img, item.file);
  const badge = document.createElement('span'); badge.className = 'badge mark-text';
  const cap = document.createElement('div'); cap.className = 'cap';
  const size = item.width && item.height ? item.width + '×' + item.height + ' ' : '';
  cap.textContent = item.license + ' · ' + (item.engine || '?') + ' · ' + size;
  if (item.risks.length) { const r = document.createElement('span'); r.className = 'risk'; r.textContent = item.risks.join(', '); cap.append(r); }
  const btns = document.createElement('div'); btns.className = 'btns';
  for (const [act, text, tip] of [['remove', '✕', 'Remove (x)'], ['move', '→', 'Move to class (m)'], ['keep', '✓', 'Keep (k)'], ['view', '⤢', 'Large view (Enter)']]) {
    const b = document.createElement('button'); b.type = 'button'; b.dataset.act = act; b.textContent = text; b.title = tip;
    b.setAttribute('aria-label', tip);
    btns.append(b);
  }
  el.append(img, badge, cap, btns);
  paintCell(el);
  return el;
}
function paintCell(el) {
  const m = state.marks.get(el.dataset.file);
  paintMark(el, m);
  el.querySelector('.badge').textContent = markText(m);
  el.querySelector('.badge').hidden = !m;
}
function focusOn(i) {
  if (!state.total) return;
  state.focus = Math.max(0, Math.min(state.total - 1, i));
  const row = Math.floor(state.focus / columns());
  if (row * CELL_H < grid.scrollTop) grid.scrollTop = row * CELL_H;
  else if ((row + 1) * CELL_H > grid.scrollTop + grid.clientHeight) grid.scrollTop = (row + 1) * CELL_H - grid.clientHeight;
  render();
  if (state.viewing) { const item = itemAt(state.focus); if (item) openView(item.file); }
}
function focusedFile() { if (state.viewing) return state.viewing; const item = itemAt(state.focus); return item && item.file; }

grid.addEventListener('scroll', () => requestAnimationFrame(render), {passive: true});
window.addEventListener('resize', () => { for (const el of cells.values()) drop(el); cells.clear(); layout(); });
grid.addEventListener('click', e => {
  const cell = e.target.closest('.cell');
  if (!cell) return;
  state.focus = Number(cell.dataset.index);
  const b = e.target.closest('button[data-act]');
  const file = cell.dataset.file;
  if (!b) { if (e.target.tagName === 'CANVAS') openView(file); render(); return; }
  act(b.dataset.act, file);
  render();
});
function act(what, file) {
  if (what === 'remove') mark(file, 'remove');
  else if (what === 'keep') mark(file, 'keep');
  else if (what === 'move') askMove(file);
  else if (what === 'view') openView(file);
}

// -- move dialog ------------------------------------------------------------------------
let moving = null;
function askMove(file) {
  moving = file;
  const input = $('move-label');
  input.value = '';
  $('move').showModal();
  input.focus();
}
function moveOk() {
  const label = $('move-label').value.trim();
  $('move').close();
  if (moving && label) mark(moving, 'move', label);
  moving = null;
}
$('move-ok').addEventListener('click', moveOk);
$('move-cancel').addEventListener('click', () => { $('move').close(); moving = null; });
$('move-label').addEventListener('keydown', e => { if (e.key === 'Enter') { e.preventDefault(); moveOk(); } });

// -- large view -------------------------------------------------------------------------
async function openView(file) {
  state.viewing = file;
  $('view').hidden = false;
  $('view-img').src = fileUrl('file', file);
  $('view-mark').textContent = markText(state.marks.get(file));
  $('view-facts').textContent = 'loading…';
  try {
    const d = await api('/api/detail', {file});
    if (state.viewing === file) $('view-facts').innerHTML = d.html;  // escaped by the server as report.html
  } catch (e) { $('view-facts').textContent = e.message; }
}
function closeView() { state.viewing = null; $('view').hidden = true; $('view-img').removeAttribute('src'); grid.focus(); }
$('view').addEventListener('click', e => {
  const b = e.target.closest('button[data-view]');
  if (e.target === $('view')) return closeView();
  if (!b) return;
  const what = b.dataset.view;
  if (what === 'close') closeView();
  else if (what === 'prev') focusOn(state.focus - 1);
  else if (what === 'next') focusOn(state.focus + 1);
  else act(what, state.viewing);
});

// -- near duplicates --------------------------------------------------------------------
async function openGroups() {
  if (state.label === null) return;
  $('groups').hidden = false;
  const list = $('groups-list');
  list.textContent = 'looking for near duplicates…';
  const d = await api('/api/groups', {label: state.label});
  $('groups-count').textContent = ' ' + d.groups.length + (d.groups.length === 1 ? ' group' : ' groups');
  list.replaceChildren();
  if (!d.groups.length) list.textContent = 'No near duplicates in this class.';
  for (const group of d.groups) {
    const row = document.createElement('div'); row.className = 'group';
    for (const item of group) {
      const fig = document.createElement('figure'); fig.dataset.file = item.file;
      const img = document.createElement('img'); img.src = fileUrl('thumb', item.file); img.alt = item.title || item.file;
      const cap = document.createElement('figcaption');
      cap.textContent = (item.width && item.height ? item.width + '×' + item.height + ' · ' : '') +
        (item.bytes ? Math.round(item.bytes / 1024) + ' KB · ' : '') + item.license + ' · ' + (item.title || '');
      const keep = document.createElement('button'); keep.type = 'button'; keep.textContent = 'Keep this one';
      keep.dataset.keep = item.file;
      keep.addEventListener('click', () => setMarks(group.map(other =>
        [other.file, {action: other.file === item.file ? 'keep' : 'remove'}])));
      fig.append(img, cap, keep);
      paintMark(fig, state.marks.get(item.file));
      row.append(fig);
    }
    list.append(row);
  }
}
function closeGroups() { $('groups').hidden = true; grid.focus(); }
$('dups').addEventListener('click', () => openGroups().catch(e => say(e.message, true)));
$('groups').addEventListener('click', e => {
  if (e.target === $('groups') || e.target.closest('button[data-groups="close"]')) closeGroups();
});

// -- apply ------------------------------------------------------------------------------
$('undo').addEventListener('click', undoMark);
$('apply').addEventListener('click', () => {
  const list = changes();
  if (!list.length) return;
  const removed = list.filter(c => c.action === 'remove').length;
  $('confirm-text').textContent = 'Apply ' + list.length + (list.length === 1 ? ' change' : ' changes') + ': ' +
    removed + ' removed (moved to <class>/.removed/, never deleted), ' + (list.length - removed) +
    ' moved to another class. Each apply can be undone with scrapy review --undo.';
  $('confirm').showModal();
});
$('confirm-cancel').addEventListener('click', () => $('confirm').close());
$('confirm-ok').addEventListener('click', async () => {
  $('confirm').close();
  const list = changes();
  say('applying ' + list.length + ' changes…');
  try {
    const r = await fetch('/api/apply?' + query({}), {method: 'POST',
      headers: {'Content-Type': 'application/json', 'X-Review-Token': token}, body: JSON.stringify({marks: list})});
    const d = await r.json();
    if (!r.ok) throw new Error(d.error || ('HTTP ' + r.status));
    state.marks.clear(); state.history = [];
    say('Applied review ' + d.review_id + ': ' + d.removed + ' removed, ' + d.moved +
      ' moved. To reverse it: scrapy review --undo ' + d.review_id);
    document.body.dataset.applied = d.review_id;
    await loadClasses();
    if (!state.classes.some(c => c.label === state.label) && state.classes.length) state.label = state.classes[0].label;
    refreshMarks();
    await loadFacets();
    reload();
  } catch (e) { say('not applied: ' + e.message, true); }
});

// -- keyboard ---------------------------------------------------------------------------
document.addEventListener('keydown', e => {
  if (document.querySelector('dialog[open]')) return;
  if (e.target.tagName === 'SELECT' || e.target.tagName === 'INPUT') return;
  const cols = columns();
  if ((e.key === 'z' && (e.ctrlKey || e.metaKey)) || e.key === 'u') { undoMark(); e.preventDefault(); return; }
  if (e.key === 'Escape') { if (!$('view').hidden) closeView(); if (!$('groups').hidden) closeGroups(); return; }
  if (!$('groups').hidden) return;
  const file = focusedFile();
  const moves = {ArrowRight: 1, ArrowLeft: -1, ArrowDown: state.viewing ? 1 : cols, ArrowUp: state.viewing ? -1 : -cols,
    PageDown: cols * 3, PageUp: -cols * 3};
  if (e.key in moves) { focusOn(state.focus + moves[e.key]); e.preventDefault(); }
  else if (e.key === 'Home') { focusOn(0); e.preventDefault(); }
  else if (e.key === 'End') { focusOn(state.total - 1); e.preventDefault(); }
  else if (e.key === 'x' || e.key === 'Delete' || e.key === 'Backspace') { mark(file, 'remove'); e.preventDefault(); }
  else if (e.key === 'k') mark(file, 'keep');
  else if (e.key === 'm') { e.preventDefault(); askMove(file); }
  else if (/^[1-9]$/.test(e.key) && state.classes[Number(e.key) - 1]) mark(file, 'move', state.classes[Number(e.key) - 1].label);
  else if ((e.key === 'Enter' || e.key === ' ') && file) { e.preventDefault(); state.viewing ? closeView() : openView(file); }
  else if (e.key === 'd') openGroups().catch(err => say(err.message, true));
});
for (const select of document.querySelectorAll('#filters select')) {
  select.addEventListener('change', () => { state.filters[select.dataset.filter] = select.value; reload(); });
}

loadClasses().then(() => { if (state.classes.length) return selectClass(state.classes[0].label); say('This store holds no image yet.'); })
  .then(() => { document.body.dataset.ready = '1'; })
  .catch(e => say('could not load the store: ' + e.message, true));
})();

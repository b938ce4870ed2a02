// Obscura web UI: a single-page app on the REST API (/api/v1) and its Server-Sent Events.
// Plain modern JavaScript, no dependencies, nothing loaded from the network: it must work on an offline Pi.
// Pages are chosen by the URL fragment (#/live, #/camera/<name>, ...). Every page is a function that renders
// into <main> and returns a cleanup function (closing streams and timers) called when the page is left.
// DOM is always built with h() (text nodes, never innerHTML from data), so names from the server cannot inject.

const API = '/api/v1';
const TOKEN_KEY = 'obscura.token';
const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

// ---------------------------------------------------------------------------------------------- DOM helpers

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'style') el.style.cssText = v; // CSSOM: allowed by the page's Content-Security-Policy
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, ...children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function clear(el) { while (el.firstChild) el.firstChild.remove(); return el; }

const enc = encodeURIComponent;

function toast(message, kind) {
  const t = h('div', { class: 'toast ' + (kind || '') }, message);
  document.getElementById('toasts').append(t);
  setTimeout(() => t.remove(), kind === 'bad' ? 8000 : 4000);
}

function fmtBytes(n) {
  if (n === null || n === undefined) return '';
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + ' ' + u[i];
}

function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString();
}

function fmtDuration(s) {
  s = Math.floor(s || 0);
  const d = Math.floor(s / 86400), hr = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return (d ? d + 'd ' : '') + (d || hr ? hr + 'h ' : '') + m + 'm';
}

function fmtMode(m) {
  if (!m) return '';
  return [m.format, m.width && m.height ? m.width + '×' + m.height : null, m.fps ? (+m.fps).toFixed(m.fps % 1 ? 1 : 0) + ' fps' : null]
    .filter(Boolean).join(' · ');
}

// ---------------------------------------------------------------------------------------------- API client

class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || ('HTTP ' + status));
    this.status = status;
    this.problem = problem || {};
    this.field = this.problem.field || null;
  }
}

const auth = {
  info: { authenticated: false, user: null, viewing_open: true, available: false },
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  set token(t) { if (t) sessionStorage.setItem(TOKEN_KEY, t); else sessionStorage.removeItem(TOKEN_KEY); },
  // A viewing token on picture URLs, only when the server does not let anyone view (img tags send no headers).
  mediaUrl(url) {
    if (!url || this.info.viewing_open || !this.token) return url;
    return url + (url.includes('?') ? '&' : '?') + 'token=' + enc(this.token);
  },
};

// One request. A 401 opens the login dialog and, once logged in, repeats the request once; cancelling the
// login rejects with the original 401. Problems (application/problem+json) become ApiError with detail/field.
async function api(method, path, body, retried) {
  const headers = { Accept: 'application/json' };
  if (auth.token) headers.Authorization = 'Bearer ' + auth.token;
  let payload;
  if (body instanceof Blob) { headers['Content-Type'] = 'application/java-archive'; payload = body; }
  else if (body !== undefined) { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  let res;
  try {
    res = await fetch(path.startsWith('/') ? path : API + '/' + path, { method, headers, body: payload, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, { title: 'Network error', detail: 'the server cannot be reached (' + e.message + ')' });
  }
  if (res.status === 401 && !retried) {
    auth.token = null;
    const problem = await readJson(res);
    if (await login(problem && problem.detail)) return api(method, path, body, true);
    throw new ApiError(401, problem || { detail: 'administrator login needed' });
  }
  if (res.status === 204) return null;
  const data = await readJson(res);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

async function readJson(res) {
  const text = await res.text();
  if (!text) return null;
  try { return JSON.parse(text); } catch (e) { return { detail: text.slice(0, 300) }; }
}

async function refreshAuth() {
  try {
    const res = await fetch(API + '/auth', { headers: auth.token ? { Authorization: 'Bearer ' + auth.token } : {}, cache: 'no-store' });
    if (res.ok) {
      auth.info = Object.assign({ available: true }, await res.json());
      if (!auth.info.authenticated && auth.token) auth.token = null;
    } else {
      // No authentication on this server (route missing): everything is open, nothing to log in to.
      auth.info = { authenticated: false, user: null, viewing_open: true, available: false };
    }
  } catch (e) { /* keep the last known state */ }
  renderAuthButton();
}

function renderAuthButton() {
  const b = document.getElementById('auth-button');
  b.hidden = !auth.info.available && !auth.token;
  b.textContent = auth.token ? 'Log out (' + (auth.info.user || 'admin') + ')' : 'Log in';
}

let loginPending = null;

// Shows the login dialog; resolves true when a token was obtained, false when cancelled.
function login(reason) {
  if (loginPending) return loginPending;
  const dialog = document.getElementById('login-dialog');
  const form = document.getElementById('login-form');
  const error = document.getElementById('login-error');
  document.getElementById('login-reason').textContent = reason || 'Changes need the administrator password.';
  error.hidden = true;
  form.password.value = '';
  form.password.removeAttribute('aria-invalid');
  loginPending = new Promise(resolve => {
    const done = ok => {
      form.removeEventListener('submit', submit);
      document.getElementById('login-cancel').removeEventListener('click', cancel);
      dialog.removeEventListener('cancel', cancel);
      dialog.close();
      loginPending = null;
      renderAuthButton();
      resolve(ok);
    };
    const cancel = e => { e.preventDefault(); done(false); };
    const submit = async e => {
      e.preventDefault();
      const password = form.password.value;
      if (!password) {
        error.textContent = 'Enter the password.'; error.hidden = false;
        form.password.setAttribute('aria-invalid', 'true');
        return;
      }
      try {
        const res = await fetch(API + '/auth/token', {
          method: 'POST', cache: 'no-store',
          headers: { Authorization: 'Basic ' + btoa(unescape(enc('admin:' + password))), Accept: 'application/json' },
        });
        const data = await readJson(res);
        if (!res.ok || !data || !data.token) {
          error.textContent = res.status === 401 ? 'Wrong password.' : ((data && data.detail) || 'Login failed (HTTP ' + res.status + ').');
          error.hidden = false;
          form.password.setAttribute('aria-invalid', 'true');
          return;
        }
        auth.token = data.token;
        auth.info = Object.assign({}, auth.info, { authenticated: true, user: 'admin' });
        toast('Logged in as admin', 'ok');
        done(true);
      } catch (err) {
        error.textContent = 'The server cannot be reached.'; error.hidden = false;
      }
    };
    form.addEventListener('submit', submit);
    document.getElementById('login-cancel').addEventListener('click', cancel);
    dialog.addEventListener('cancel', cancel);
    dialog.showModal();
    form.password.focus();
  });
  return loginPending;
}

// ---------------------------------------------------------------------------------------------- live events

// One EventSource for the whole app; pages subscribe with on(name, fn) and get an unsubscribe function.
// The browser reconnects by itself (the server sends retry: 3000); the dot in the header shows the state.
const events = {
  listeners: new Map(),
  source: null,
  on(name, fn) {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set());
    this.listeners.get(name).add(fn);
    return () => this.listeners.get(name).delete(fn);
  },
  emit(name, data) {
    for (const fn of this.listeners.get(name) || []) {
      try { fn(data); } catch (e) { console.warn('event handler failed', name, e); }
    }
  },
  start() {
    if (!window.EventSource) return;
    const dot = document.getElementById('conn');
    const src = new EventSource(API + '/events');
    this.source = src;
    src.onopen = () => { dot.className = 'dot on'; dot.title = 'Live updates: connected'; this.emit('open', {}); };
    src.onerror = () => { dot.className = 'dot off'; dot.title = 'Live updates: reconnecting'; };
    for (const name of ['camera/added', 'camera/removed', 'camera/online', 'camera/offline', 'capture/done',
      'sequence/progress', 'overflow']) {
      src.addEventListener(name, e => {
        let data = {};
        try { data = JSON.parse(e.data); } catch (err) { /* comment-only or malformed: ignore */ }
        this.emit(name, data);
        this.emit('*', { name, data });
      });
    }
  },
};

// ---------------------------------------------------------------------------------------------- router

const pages = {};
let cleanup = null;

function route() {
  const hash = location.hash.replace(/^#\/?/, '') || 'live';
  const parts = hash.split('/').map(decodeURIComponent);
  const page = pages[parts[0]] ? parts[0] : 'notfound';
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', a.dataset.page === page || (page === 'camera' && a.dataset.page === 'live'));
  }
  if (cleanup) { try { cleanup(); } catch (e) { console.warn(e); } }
  cleanup = null;
  const view = clear(document.getElementById('view'));
  const ctx = { view, disposers: [] };
  ctx.onLeave = fn => ctx.disposers.push(fn);
  cleanup = () => ctx.disposers.forEach(fn => fn());
  Promise.resolve(pages[page](ctx, ...parts.slice(1))).catch(e => {
    append(view, h('div', { class: 'panel error' }, 'Could not load this page: ' + e.message));
  });
  window.scrollTo(0, 0);
}

// An <img> showing a live MJPEG stream. Setting src to '' on leave closes the connection: browsers keep at
// most six connections per server, so streams of a left page must not linger.
function streamImg(ctx, url, alt) {
  const img = h('img', { alt, src: auth.mediaUrl(url), decoding: 'async' });
  ctx.onLeave(() => { img.src = ''; img.removeAttribute('src'); });
  return img;
}

function cameraStreamUrl(cam) { return (cam.urls && cam.urls.stream) || API + '/cameras/' + enc(cam.name) + '/stream'; }
function cameraFrameUrl(cam) { return (cam.urls && cam.urls.frame) || API + '/cameras/' + enc(cam.name) + '/frame'; }

function stateBadge(state) { return h('span', { class: 'badge ' + (state || ''), dataset: { role: 'state' } }, state || 'unknown'); }

// ---------------------------------------------------------------------------------------------- Live

// At most this many live streams on the grid; beyond it the cards refresh small frames instead, leaving
// connections for the event stream and the API.
const MAX_GRID_STREAMS = 4;

pages.live = async ctx => {
  const { view } = ctx;
  append(view, h('div', { class: 'row' }, h('h1', {}, 'Live'), h('span', { class: 'grow' }),
    h('button', { type: 'button', onclick: () => snapshotAll(false) }, 'Snapshot all'),
    h('button', { type: 'button', onclick: () => snapshotAll(true) }, 'Stereo snapshot')));
  const grid = h('div', { class: 'grid', id: 'live-grid' });
  append(view, grid);
  const cards = new Map();
  let useStreams = true;

  function card(cam) {
    const badges = h('div', { class: 'badges' });
    let picture;
    if (useStreams) picture = streamImg(ctx, cameraStreamUrl(cam), cam.label || cam.name);
    else picture = h('img', { alt: cam.label || cam.name, src: auth.mediaUrl(cameraFrameUrl(cam) + '?width=480') });
    const el = h('div', { class: 'card camera-card', dataset: { camera: cam.name } },
      h('a', { href: '#/camera/' + enc(cam.name), class: 'frame', title: 'Open ' + (cam.label || cam.name) }, picture),
      h('div', { class: 'head' }, h('a', { href: '#/camera/' + enc(cam.name) }, cam.label || cam.name),
        h('span', { class: 'grow' }), h('span', { class: 'muted' }, cam.driver || '')),
      badges);
    return { el, badges, picture, cam };
  }

  function paint(c) {
    const cam = c.cam;
    clear(c.badges);
    append(c.badges, stateBadge(cam.state),
      cam.state !== 'offline' && cam.fps !== undefined ? h('span', { class: 'badge', dataset: { role: 'fps' } }, (+cam.fps).toFixed(1) + ' fps') : null,
      h('span', { class: 'badge', dataset: { role: 'viewers' } }, (cam.viewers || 0) + ' viewer' + (cam.viewers === 1 ? '' : 's')),
      cam.mode ? h('span', { class: 'badge' }, fmtMode(cam.mode)) : null,
      cam.enabled === false ? h('span', { class: 'badge warn' }, 'disabled') : null,
      cam.lastError && cam.state === 'offline' ? h('span', { class: 'badge bad', title: cam.lastError }, 'error') : null);
  }

  async function load() {
    const cams = await api('GET', 'cameras');
    useStreams = cams.length <= MAX_GRID_STREAMS;
    const seen = new Set();
    for (const cam of cams) {
      seen.add(cam.name);
      let c = cards.get(cam.name);
      if (!c) { c = card(cam); cards.set(cam.name, c); grid.append(c.el); }
      c.cam = cam;
      paint(c);
    }
    for (const [name, c] of cards) {
      if (!seen.has(name)) { c.picture.src = ''; c.el.remove(); cards.delete(name); }
    }
    if (!cams.length && !grid.querySelector('.empty')) {
      grid.append(h('div', { class: 'panel empty' }, 'No cameras yet. ', h('a', { href: '#/settings/new' }, 'Add a camera'), '.'));
    } else if (cams.length) grid.querySelector('.empty')?.remove();
  }

  await load();
  // State changes arrive as events at once; fps and viewer counts change all the time, so poll them too.
  const offState = (name, state) => data => {
    const c = cards.get(data.camera);
    if (c) { c.cam = Object.assign({}, c.cam, { state }); paint(c); }
    load().catch(() => { });
  };
  ctx.onLeave(events.on('camera/online', offState('online', 'online')));
  ctx.onLeave(events.on('camera/offline', offState('offline', 'offline')));
  ctx.onLeave(events.on('camera/added', () => load().catch(() => { })));
  ctx.onLeave(events.on('camera/removed', () => load().catch(() => { })));
  const timer = setInterval(() => {
    if (document.hidden) return;
    load().catch(() => { });
    if (!useStreams) for (const c of cards.values()) c.picture.src = auth.mediaUrl(cameraFrameUrl(c.cam) + '?width=480&t=' + Date.now());
  }, 3000);
  ctx.onLeave(() => clearInterval(timer));
};

async function snapshotAll(stereo) {
  try {
    const r = await api('POST', stereo ? 'snapshot/stereo' : 'snapshot', {});
    const n = (r.results || []).length;
    const errors = Object.entries(r.errors || {});
    toast((stereo ? 'Stereo: ' : '') + n + ' still' + (n === 1 ? '' : 's') + ' taken' +
      (r.skew_ms !== undefined && r.skew_ms !== null ? ', skew ' + (+r.skew_ms).toFixed(1) + ' ms' : '') +
      (errors.length ? '; failed: ' + errors.map(([c, m]) => c + ' (' + m + ')').join(', ') : ''), errors.length ? 'bad' : 'ok');
    return r;
  } catch (e) { toast('Snapshot failed: ' + e.message, 'bad'); return null; }
}

// ---------------------------------------------------------------------------------------------- Camera

pages.camera = async (ctx, name) => {
  const { view } = ctx;
  let cam = await api('GET', 'cameras/' + enc(name));
  const title = h('h1', {}, cam.label || cam.name);
  const badges = h('div', { class: 'badges', style: 'padding:0' });
  const info = h('div', { class: 'scroll' });
  const result = h('div', { class: 'muted', id: 'snapshot-result' });
  const settingsBox = h('div', { id: 'camera-settings' }, h('p', { class: 'muted' }, 'Reading settings…'));
  const modeBox = h('div', { id: 'camera-mode' });

  append(view,
    h('div', { class: 'row' }, h('a', { href: '#/live' }, '← Live'), h('span', { class: 'grow' }),
      h('a', { class: 'button', href: '#/settings/edit/' + enc(cam.name) }, 'Edit configuration')),
    h('div', { class: 'row' }, title, badges),
    h('div', { class: 'camera-layout' },
      h('div', {},
        h('div', { class: 'card' }, h('div', { class: 'frame big' }, streamImg(ctx, cameraStreamUrl(cam), cam.label || cam.name))),
        h('div', { class: 'row', style: 'margin-top:.8rem' },
          h('button', { type: 'button', class: 'primary', id: 'snap-this', onclick: snapThis }, 'Snapshot'),
          h('button', { type: 'button', id: 'snap-all', onclick: () => snapshotAll(false) }, 'Snapshot all'),
          h('button', { type: 'button', id: 'snap-stereo', onclick: () => snapshotAll(true) }, 'Stereo'),
          h('a', { class: 'button', href: auth.mediaUrl(cameraFrameUrl(cam)), target: '_blank', rel: 'noopener' }, 'Current frame'),
          h('button', { type: 'button', onclick: reset }, 'Reset device')),
        result,
        h('div', { class: 'panel', style: 'margin-top:1rem' }, h('h2', { style: 'margin-top:0' }, 'Information'), info)),
      h('div', {},
        h('div', { class: 'panel' }, h('h2', { style: 'margin-top:0' }, 'Mode'), modeBox),
        h('div', { class: 'panel' }, h('h2', { style: 'margin-top:0' }, 'Settings and controls'), settingsBox))));

  function paintInfo() {
    clear(badges);
    append(badges, stateBadge(cam.state), cam.fps !== undefined ? h('span', { class: 'badge' }, (+cam.fps).toFixed(1) + ' fps') : null,
      h('span', { class: 'badge' }, (cam.viewers || 0) + ' viewers'));
    const rows = [['Name', cam.name], ['Driver', cam.driver], ['Device', cam.device], ['State', cam.state],
      ['Mode', fmtMode(cam.mode)], ['Frames', cam.frames], ['Last frame', fmtTime(cam.lastFrame)],
      ['Capabilities', (cam.capabilities || []).join(', ')], ['Stereo', cam.stereo ? 'yes (order ' + (cam.stereoOrder ?? 0) + ')' : 'no'],
      ['Interrupt service', cam.interruptService], ['Last error', cam.lastError]];
    for (const [k, v] of Object.entries(cam.properties || {})) rows.push([k, typeof v === 'object' ? JSON.stringify(v) : v]);
    clear(info);
    info.append(h('table', {}, h('tbody', {}, rows.filter(r => r[1] !== undefined && r[1] !== null && r[1] !== '')
      .map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, String(v)))))));
  }

  async function snapThis() {
    const b = document.getElementById('snap-this');
    b.disabled = true;
    try {
      const r = await api('POST', 'cameras/' + enc(cam.name) + '/snapshot', {});
      clear(result);
      append(result, 'Saved ', h('a', { href: '#/captures/' + enc(r.camera) + '/' + enc(r.file) }, r.file),
        ' (' + r.width + '×' + r.height + ', ' + fmtBytes(r.size) + ')');
      toast('Snapshot saved: ' + r.file, 'ok');
    } catch (e) { toast('Snapshot failed: ' + e.message, 'bad'); } finally { b.disabled = false; }
  }

  async function reset() {
    try { const r = await api('POST', 'cameras/' + enc(cam.name) + '/reset', {}); toast('Device reopened: ' + r.state, 'ok'); } catch (e) { toast('Reset failed: ' + e.message, 'bad'); }
  }

  function paintMode() {
    clear(modeBox);
    const m = cam.mode || {};
    const f = h('form', { class: 'generated', id: 'mode-form', novalidate: true });
    const fields = {
      format: h('input', { name: 'format', value: m.format || '', placeholder: 'e.g. YUYV' }),
      width: h('input', { name: 'width', type: 'number', min: 1, step: 1, value: m.width || '' }),
      height: h('input', { name: 'height', type: 'number', min: 1, step: 1, value: m.height || '' }),
      fps: h('input', { name: 'fps', type: 'number', min: 0.1, step: 'any', value: m.fps || '' }),
    };
    for (const [k, input] of Object.entries(fields)) f.append(fieldBox(k, k === 'fps' ? 'Frame rate' : k[0].toUpperCase() + k.slice(1), input));
    const err = h('div', { class: 'form-error', hidden: true });
    append(modeBox, h('p', {}, 'Current: ', h('strong', { id: 'current-mode' }, fmtMode(cam.mode) || 'unknown')), f, err,
      h('div', { class: 'actions' }, h('button', { type: 'button', disabled: cam.configurable === false, onclick: applyMode }, 'Apply mode')));
    async function applyMode() {
      clearErrors(f); err.hidden = true;
      const body = {};
      let bad = false;
      if (fields.format.value.trim()) body.format = fields.format.value.trim();
      for (const k of ['width', 'height']) {
        if (!fields[k].value) continue;
        if (!/^\d+$/.test(fields[k].value) || +fields[k].value < 1) { showFieldError(f, k, 'a whole number above 0'); bad = true; } else body[k] = +fields[k].value;
      }
      if (fields.fps.value) { if (!(+fields.fps.value > 0)) { showFieldError(f, 'fps', 'a number above 0'); bad = true; } else body.fps = +fields.fps.value; }
      if (bad) return;
      try {
        await api('PUT', 'cameras/' + enc(cam.name) + '/mode', body);
        toast('Mode changed; the camera restarts', 'ok');
        setTimeout(refresh, 1500);
      } catch (e) { showProblem(f, err, e); }
    }
  }

  async function refresh() {
    try { cam = await api('GET', 'cameras/' + enc(name)); paintInfo(); document.getElementById('current-mode').textContent = fmtMode(cam.mode) || 'unknown'; } catch (e) { /* keep */ }
  }

  paintInfo();
  paintMode();
  loadSettings(cam.name, settingsBox);
  const onState = data => { if (data.camera === cam.name) refresh(); };
  ctx.onLeave(events.on('camera/online', onState));
  ctx.onLeave(events.on('camera/offline', data => {
    if (data.camera === cam.name) { cam.state = 'offline'; paintInfo(); refresh(); }
  }));
  const timer = setInterval(() => { if (!document.hidden) refresh(); }, 4000);
  ctx.onLeave(() => clearInterval(timer));
};

// Settings and controls read from the device. Each change is written at once (PUT) and the control shows
// the value read back, so the stream shows the effect live; a refused value shows the server's message.
async function loadSettings(camera, box) {
  let settings;
  try { settings = await api('GET', 'cameras/' + enc(camera) + '/settings'); } catch (e) {
    clear(box).append(h('p', { class: 'muted' }, e.status === 501 ? 'This camera has no adjustable settings.' : 'Settings unavailable: ' + e.message));
    return;
  }
  clear(box);
  if (!settings.length) { box.append(h('p', { class: 'muted' }, 'This camera has no adjustable settings.')); return; }
  let group = null;
  for (const s of settings) {
    if (s.group && s.group !== group) { group = s.group; box.append(h('h3', {}, group)); }
    box.append(settingRow(camera, s));
  }
}

function settingRow(camera, s) {
  const err = h('div', { class: 'field-error', hidden: true });
  const control = h('div', { class: 'control' });
  const row = h('div', { class: 'setting', dataset: { setting: s.name } }, h('label', { for: 'set-' + s.name }, s.label || s.name), control, err);
  let pending = null;
  async function write(value, inputs) {
    err.hidden = true;
    inputs.forEach(i => i.removeAttribute('aria-invalid'));
    try {
      const back = await api('PUT', 'cameras/' + enc(camera) + '/settings/' + enc(s.name), { value });
      if (back && back.value !== undefined) show(back.value);
    } catch (e) {
      err.textContent = e.message; err.hidden = false;
      inputs.forEach(i => i.setAttribute('aria-invalid', 'true'));
    }
  }
  let show = () => { };
  const type = (s.type || 'TEXT').toUpperCase();
  const ro = !!s.readOnly;
  if (type === 'BOOLEAN') {
    const cb = h('input', { type: 'checkbox', id: 'set-' + s.name, checked: s.value === true || s.value === 'true' || s.value === 1, disabled: ro });
    cb.addEventListener('change', () => write(cb.checked, [cb]));
    show = v => { cb.checked = v === true || v === 'true' || v === 1; };
    control.append(cb);
  } else if (type === 'MENU' || (s.options && s.options.length && type !== 'BUTTON')) {
    const sel = h('select', { id: 'set-' + s.name, disabled: ro }, (s.options || []).map(o => {
      const v = typeof o === 'object' ? o.value : o;
      const l = typeof o === 'object' ? (o.label ?? o.value) : o;
      return h('option', { value: String(v), selected: String(v) === String(s.value) }, String(l));
    }));
    sel.addEventListener('change', () => write(sel.value, [sel]));
    show = v => { sel.value = String(v); };
    control.append(sel);
  } else if (type === 'RANGE' || type === 'INTEGER') {
    const attrs = { min: s.min, max: s.max, step: s.step || (type === 'INTEGER' ? 1 : 'any'), disabled: ro };
    const num = h('input', Object.assign({ type: 'number', id: 'set-' + s.name, value: s.value }, attrs));
    const inputs = [num];
    if (type === 'RANGE' && s.min !== undefined && s.max !== undefined && s.min !== null && s.max !== null) {
      const range = h('input', Object.assign({ type: 'range', value: s.value, 'aria-label': s.label || s.name }, attrs));
      range.addEventListener('input', () => {
        num.value = range.value;
        clearTimeout(pending);
        pending = setTimeout(() => write(Number(range.value), inputs), 120);
      });
      inputs.push(range);
      control.append(range);
      show = v => { num.value = v; range.value = v; };
    } else show = v => { num.value = v; };
    num.addEventListener('change', () => {
      if (num.value === '' || isNaN(Number(num.value))) { err.textContent = 'Enter a number.'; err.hidden = false; num.setAttribute('aria-invalid', 'true'); return; }
      write(Number(num.value), inputs);
    });
    control.append(num);
  } else if (type === 'BUTTON') {
    control.append(h('button', { type: 'button', id: 'set-' + s.name, disabled: ro, onclick: () => write(true, []) }, s.label || s.name));
  } else {
    const t = h('input', { id: 'set-' + s.name, value: s.value ?? '', disabled: ro });
    t.addEventListener('change', () => write(t.value, [t]));
    show = v => { t.value = v; };
    control.append(t);
  }
  return row;
}

// ---------------------------------------------------------------------------------------------- forms

function fieldBox(id, label, input, opts) {
  opts = opts || {};
  const isCheck = input.type === 'checkbox';
  input.id = input.id || 'f-' + id;
  input.name = id;
  const lab = h('label', { for: input.id, class: 'label' }, label, opts.required ? h('span', { class: 'req', title: 'required' }, '*') : null);
  return h('div', { class: 'field' + (isCheck ? ' check' : ''), dataset: { field: id } },
    isCheck ? [input, lab] : [lab, input],
    opts.help ? h('div', { class: 'help' }, opts.help) : null,
    h('div', { class: 'field-error', hidden: true }));
}

function showFieldError(form, field, message) {
  const box = form.querySelector('.field[data-field="' + CSS.escape(field) + '"]');
  if (!box) return false;
  const e = box.querySelector('.field-error');
  e.textContent = message; e.hidden = false;
  box.querySelectorAll('input,select,textarea').forEach(i => i.setAttribute('aria-invalid', 'true'));
  return true;
}

function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach(e => { e.hidden = true; e.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach(i => i.removeAttribute('aria-invalid'));
}

// The server's problem next to the field it names, else above the buttons.
function showProblem(form, general, e) {
  const placed = e.field && showFieldError(form, e.field, e.message);
  if (!placed) { general.textContent = e.message; general.hidden = false; }
  const first = form.querySelector('[aria-invalid=true]');
  if (first) first.focus();
}

const INTEGER_TYPES = { integer: [-2147483648, 2147483647], short: [-32768, 32767], byte: [-128, 127], long: null, biginteger: null };
const DECIMAL_TYPES = ['double', 'float', 'bigdecimal'];

// A form generated from a driver's metatype (GET /drivers/{id} `form`): any driver, including a third
// party's, gets its form without UI changes. Returns {el, values(), setValue(id, v)}; values() validates
// every field first and returns null (showing the errors inline) when one is wrong.
function metatypeForm(attributes, initial, opts) {
  const form = h('form', { class: 'generated', id: 'camera-form', novalidate: true });
  const inputs = new Map();
  for (const a of attributes) {
    const type = a.type || 'string';
    const v = initial && a.id in initial ? initial[a.id] : undefined;
    let input;
    if (a.cardinality && a.cardinality !== 0) {
      const list = Array.isArray(v) ? v : (v === undefined || v === null ? (Array.isArray(a.default) ? a.default : []) : [v]);
      input = h('input', { value: list.join(', '), placeholder: 'comma-separated' });
    } else if (type === 'boolean') {
      const def = v !== undefined ? v : a.default;
      input = h('input', { type: 'checkbox', checked: def === true || def === 'true' });
    } else if (a.options && a.options.length) {
      const cur = v !== undefined ? v : a.default;
      input = h('select', {}, a.required ? null : h('option', { value: '' }, '(default)'),
        a.options.map(o => h('option', { value: String(o.value), selected: String(o.value) === String(cur) }, o.label || String(o.value))));
      if (cur === undefined || cur === null) input.value = a.required ? String(a.options[0].value) : '';
    } else if (type === 'password') {
      input = h('input', { type: 'password', value: v ?? '', autocomplete: 'new-password' });
    } else if (type in INTEGER_TYPES || DECIMAL_TYPES.includes(type)) {
      input = h('input', { type: 'text', inputmode: type in INTEGER_TYPES ? 'numeric' : 'decimal', value: v ?? '', placeholder: a.default !== null && a.default !== undefined ? String(a.default) : '' });
    } else {
      input = h('input', { type: 'text', value: v ?? '', placeholder: a.default !== null && a.default !== undefined ? String(a.default) : '' });
    }
    if (opts && opts.readonly && opts.readonly.includes(a.id)) { input.readOnly = true; input.disabled = input.tagName === 'SELECT'; }
    inputs.set(a.id, { a, input });
    form.append(fieldBox(a.id, a.name || a.id, input, { required: a.required && !hasDefault(a) && type !== 'boolean', help: a.description }));
  }

  function parse(a, raw) {
    const type = a.type || 'string';
    if (type in INTEGER_TYPES) {
      if (!/^[-+]?\d+$/.test(raw)) throw new Error('must be a whole number');
      const n = Number(raw), r = INTEGER_TYPES[type];
      if (r && (n < r[0] || n > r[1])) throw new Error('must be between ' + r[0] + ' and ' + r[1]);
      return n;
    }
    if (DECIMAL_TYPES.includes(type)) {
      if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) throw new Error('must be a number');
      return Number(raw);
    }
    if (type === 'char' && raw.length !== 1) throw new Error('must be one character');
    if (type === 'boolean') { if (!/^(true|false)$/i.test(raw)) throw new Error('must be true or false'); return /^true$/i.test(raw); }
    return raw;
  }

  return {
    el: form,
    inputs,
    setValue(id, value) {
      const f = inputs.get(id);
      if (!f) return false;
      if (f.input.type === 'checkbox') f.input.checked = !!value;
      else f.input.value = value === undefined || value === null ? '' : String(value);
      return true;
    },
    values() {
      clearErrors(form);
      const out = {};
      let ok = true;
      for (const [id, { a, input }] of inputs) {
        try {
          if (input.type === 'checkbox') { out[id] = input.checked; continue; }
          const raw = input.value.trim();
          if (a.cardinality && a.cardinality !== 0) {
            const items = raw ? raw.split(',').map(s => s.trim()).filter(Boolean) : [];
            if (a.required && !items.length && !hasDefault(a)) throw new Error('is required');
            if (Math.abs(a.cardinality) < items.length) throw new Error('takes at most ' + Math.abs(a.cardinality) + ' values');
            if (items.length) out[id] = items.map(i => parse(a, i));
            continue;
          }
          // Empty means absent: the metatype default applies (the server writes no value). Only a required
          // attribute without a default must be filled in.
          if (raw === '') { if (a.required && !hasDefault(a)) throw new Error('is required'); continue; }
          if (a.options && a.options.length && !a.options.some(o => String(o.value) === raw)) throw new Error('must be one of ' + a.options.map(o => o.value).join(', '));
          if (id === 'name' && !NAME_PATTERN.test(raw)) throw new Error('lower case letters, digits, "_" and "-" (up to 63), starting with a letter or digit');
          out[id] = isPassword(a) ? input.value : parse(a, raw);
        } catch (e) {
          ok = false;
          showFieldError(form, id, (a.name || id) + ' ' + e.message);
        }
      }
      if (!ok) form.querySelector('[aria-invalid=true]')?.focus();
      return ok ? out : null;
    },
  };
}

function hasDefault(a) {
  return a.default !== undefined && a.default !== null && !(Array.isArray(a.default) && !a.default.length);
}

function isPassword(a) { return a.type === 'password'; }

// ---------------------------------------------------------------------------------------------- Settings

pages.settings = async (ctx, action, name) => {
  if (action === 'new') return cameraEditor(ctx, null);
  if (action === 'edit' && name) return cameraEditor(ctx, name);
  const { view } = ctx;
  append(view, h('div', { class: 'row' }, h('h1', {}, 'Cameras'), h('span', { class: 'grow' }),
    h('a', { class: 'button primary', href: '#/settings/new', id: 'add-camera' }, '+ Add camera')));
  const box = h('div', { class: 'panel scroll' });
  view.append(box);
  async function load() {
    const cams = await api('GET', 'cameras');
    clear(box);
    if (!cams.length) { box.append(h('p', { class: 'muted' }, 'No cameras configured yet.')); return; }
    box.append(h('table', { id: 'camera-table' }, h('thead', {}, h('tr', {}, ['Camera', 'Driver', 'Device', 'Mode', 'State', ''].map(t => h('th', {}, t)))),
      h('tbody', {}, cams.map(c => h('tr', { dataset: { camera: c.name } },
        h('td', {}, h('a', { href: '#/camera/' + enc(c.name) }, c.label || c.name), c.label && c.label !== c.name ? h('div', { class: 'muted' }, c.name) : null),
        h('td', {}, c.driver), h('td', {}, c.device || ''), h('td', {}, fmtMode(c.mode)), h('td', {}, stateBadge(c.state)),
        h('td', {}, h('div', { class: 'row end' },
          c.configurable === false ? h('span', { class: 'muted' }, 'built in') : [
            h('a', { class: 'button', href: '#/settings/edit/' + enc(c.name) }, 'Edit'),
            h('button', { type: 'button', class: 'danger', onclick: () => remove(c) }, 'Delete')])))))));
  }
  async function remove(c) {
    if (!confirm('Delete camera "' + (c.label || c.name) + '"? Its captures stay.')) return;
    try { await api('DELETE', 'cameras/' + enc(c.name)); toast('Camera ' + c.name + ' deleted', 'ok'); load(); } catch (e) { toast('Delete failed: ' + e.message, 'bad'); }
  }
  await load();
  ctx.onLeave(events.on('camera/added', () => load().catch(() => { })));
  ctx.onLeave(events.on('camera/removed', () => load().catch(() => { })));
};

// Add (name null) or edit a camera: driver -> discovered device -> mode, then the driver's metatype form.
async function cameraEditor(ctx, name) {
  const { view } = ctx;
  const editing = !!name;
  let camera = null;
  if (editing) camera = await api('GET', 'cameras/' + enc(name));
  append(view, h('div', { class: 'row' }, h('a', { href: '#/settings' }, '← Cameras')),
    h('h1', {}, editing ? 'Edit ' + (camera.label || camera.name) : 'Add a camera'));
  const drivers = (await api('GET', 'drivers'));
  const driverSel = h('select', { id: 'driver-select', disabled: editing },
    editing ? null : h('option', { value: '' }, 'Choose a driver…'),
    drivers.map(d => h('option', { value: d.id, disabled: !d.available, selected: editing && d.id === camera.driver },
      (d.name || d.id) + (d.available ? '' : ' (unavailable)'))));
  const deviceSel = h('select', { id: 'device-select', disabled: true }, h('option', { value: '' }, '—'));
  const modeSel = h('select', { id: 'mode-select', disabled: true }, h('option', { value: '' }, '—'));
  const pickers = h('div', { class: 'panel' },
    h('div', { class: 'generated', style: 'display:grid;gap:.8rem;grid-template-columns:repeat(auto-fill,minmax(240px,1fr))' },
      h('label', {}, 'Driver', driverSel), h('label', {}, 'Device', deviceSel), h('label', {}, 'Mode', modeSel)),
    h('p', { class: 'muted', id: 'driver-status' }));
  const formBox = h('div', { class: 'panel', hidden: true });
  const general = h('div', { class: 'form-error', id: 'form-error', hidden: true });
  const saveBtn = h('button', { type: 'submit', class: 'primary', id: 'save-camera', form: 'camera-form' }, editing ? 'Save' : 'Create camera');
  append(view, pickers, formBox);
  let mf = null, devices = [];

  async function chooseDriver(id) {
    clear(formBox); formBox.hidden = true; mf = null;
    clear(deviceSel).append(h('option', { value: '' }, '—')); deviceSel.disabled = true;
    clear(modeSel).append(h('option', { value: '' }, '—')); modeSel.disabled = true;
    if (!id) return;
    const status = document.getElementById('driver-status');
    status.textContent = 'Loading the driver form…';
    const d = await api('GET', 'drivers/' + enc(id));
    status.textContent = d.status ? 'Driver status: ' + d.status : '';
    const attrs = (d.form && d.form.attributes) || [];
    const initial = editing ? Object.assign({}, camera.configuration && camera.configuration.properties) : {};
    mf = metatypeForm(attrs, initial, { readonly: editing ? ['name'] : [] });
    formBox.hidden = false;
    append(formBox, h('h2', { style: 'margin-top:0' }, (d.form && d.form.name) || (d.name || d.id) + ' settings'),
      d.form && d.form.description ? h('p', { class: 'muted' }, d.form.description) : null,
      !d.form || d.form.described === false ? h('p', { class: 'muted' }, 'This driver describes no settings; only the common ones apply.') : null,
      mf.el, general, h('div', { class: 'actions' }, h('a', { class: 'button', href: '#/settings' }, 'Cancel'), saveBtn));
    mf.el.addEventListener('submit', e => { e.preventDefault(); save(id); });
    // Discovery may take a moment (the driver probes its devices); the form is usable meanwhile.
    try {
      devices = await api('GET', 'drivers/' + enc(id) + '/devices');
      append(clear(deviceSel), h('option', { value: '' }, devices.length ? 'Choose a device…' : 'No device found'),
        devices.map((dev, i) => h('option', { value: String(i), selected: editing && dev.device === camera.device }, (dev.name || dev.device) + (dev.name && dev.name !== dev.device ? ' (' + dev.device + ')' : ''))));
      deviceSel.disabled = !devices.length;
      if (editing && deviceSel.value) fillModes(devices[+deviceSel.value]);
    } catch (e) {
      clear(deviceSel).append(h('option', { value: '' }, 'Discovery failed: ' + e.message));
    }
  }

  function fillModes(dev) {
    clear(modeSel).append(h('option', { value: '' }, 'Choose a mode…'));
    const modes = [];
    for (const f of dev.formats || []) for (const s of f.sizes || []) for (const fps of (s.fps && s.fps.length ? s.fps : [null])) modes.push({ format: f.fourcc, width: s.width, height: s.height, fps });
    modes.forEach((m, i) => modeSel.append(h('option', { value: String(i) }, fmtMode(m))));
    modeSel.disabled = !modes.length;
    modeSel.modes = modes;
  }

  deviceSel.addEventListener('change', () => {
    if (deviceSel.value === '' || !mf) return;
    const dev = devices[+deviceSel.value];
    mf.setValue('device', dev.device);
    if (!editing && dev.name && mf.inputs.get('label') && !mf.inputs.get('label').input.value) mf.setValue('label', dev.name);
    fillModes(dev);
  });
  modeSel.addEventListener('change', () => {
    const m = modeSel.modes && modeSel.modes[+modeSel.value];
    if (!m || !mf) return;
    for (const k of ['format', 'width', 'height', 'fps']) if (m[k] !== null && m[k] !== undefined) mf.setValue(k, m[k]);
  });
  driverSel.addEventListener('change', () => chooseDriver(driverSel.value).catch(e => toast(e.message, 'bad')));

  async function save(driver) {
    general.hidden = true;
    const values = mf.values();
    if (!values) return;
    saveBtn.disabled = true;
    try {
      if (editing) {
        await api('PUT', 'cameras/' + enc(name), Object.assign({}, values, { name }));
        toast('Camera ' + name + ' saved', 'ok');
      } else {
        const r = await api('POST', 'cameras', Object.assign({ driver }, values));
        toast('Camera ' + ((r && r.properties && r.properties.name) || values.name) + ' created', 'ok');
      }
      location.hash = '#/settings';
    } catch (e) {
      showProblem(mf.el, general, e);
    } finally { saveBtn.disabled = false; }
  }

  if (editing) await chooseDriver(camera.driver);
}

// ---------------------------------------------------------------------------------------------- Captures

const PAGE_SIZE = 48;

pages.captures = async (ctx, camera, file) => {
  const { view } = ctx;
  const cams = await api('GET', 'cameras').catch(() => []);
  const filter = h('select', { id: 'capture-filter' }, h('option', { value: '' }, 'All cameras'),
    cams.map(c => h('option', { value: c.name, selected: c.name === camera }, c.label || c.name)));
  const grid = h('div', { class: 'thumbs', id: 'capture-grid' });
  const more = h('button', { type: 'button', hidden: true }, 'Load more');
  const count = h('span', { class: 'muted' });
  append(view, h('div', { class: 'row' }, h('h1', {}, 'Captures'), h('span', { class: 'grow' }), count, filter), grid,
    h('div', { class: 'row', style: 'justify-content:center;margin-top:1rem' }, more));
  let offset = 0;

  async function load(reset) {
    if (reset) { offset = 0; clear(grid); }
    const q = 'captures?limit=' + PAGE_SIZE + '&offset=' + offset + (filter.value ? '&camera=' + enc(filter.value) : '');
    const page = await api('GET', q);
    offset += page.items.length;
    count.textContent = page.total + ' still' + (page.total === 1 ? '' : 's');
    for (const c of page.items) grid.append(thumb(c));
    more.hidden = offset >= page.total;
    if (!page.total) grid.append(h('p', { class: 'muted' }, 'No captures yet. Take a snapshot from a camera page.'));
  }
  function captureUrl(c) { return c.url || API + '/captures/' + enc(c.camera) + '/' + enc(c.file); }
  function thumb(c) {
    // No thumbnail route exists for stored stills: the browser scales the image; lazy loading keeps a long
    // gallery from fetching every file at once.
    return h('button', { type: 'button', class: 'thumb', dataset: { file: c.file, camera: c.camera }, onclick: () => openCapture(c) },
      h('img', { src: auth.mediaUrl(captureUrl(c)), alt: c.file, loading: 'lazy', decoding: 'async' }),
      h('div', { class: 'cap' }, c.camera + ' · ' + fmtTime(c.timestamp)));
  }
  async function openCapture(c) {
    const url = captureUrl(c);
    const meta = h('pre', {}, 'Loading metadata…');
    showViewer(h('h2', { style: 'margin-top:0' }, c.file),
      h('img', { src: auth.mediaUrl(url), alt: c.file, id: 'viewer-image' }),
      h('p', { class: 'muted' }, c.camera + ' · ' + fmtTime(c.timestamp) + ' · ' + fmtBytes(c.size)),
      h('details', {}, h('summary', {}, 'Metadata'), meta),
      h('div', { class: 'actions' },
        h('a', { class: 'button', href: url + (url.includes('?') ? '&' : '?') + 'download=true', download: c.file }, 'Download'),
        h('button', { type: 'button', class: 'danger', id: 'delete-capture', onclick: () => del(c) }, 'Delete'),
        h('button', { type: 'button', class: 'primary', onclick: closeViewer }, 'Close')));
    try { meta.textContent = JSON.stringify(await api('GET', url + (url.includes('?') ? '&' : '?') + 'sidecar=true'), null, 2); } catch (e) { meta.textContent = 'No metadata: ' + e.message; }
  }
  async function del(c) {
    if (!confirm('Delete ' + c.file + '?')) return;
    try { await api('DELETE', 'captures/' + enc(c.camera) + '/' + enc(c.file)); closeViewer(); toast(c.file + ' deleted', 'ok'); load(true); } catch (e) { toast('Delete failed: ' + e.message, 'bad'); }
  }
  filter.addEventListener('change', () => { location.hash = '#/captures' + (filter.value ? '/' + enc(filter.value) : ''); });
  more.addEventListener('click', () => load(false));
  await load(true);
  if (file) openCapture({ camera, file, url: API + '/captures/' + enc(camera) + '/' + enc(file) });
  // A capture finishing anywhere (another tab, the API, a sequence) shows up without reload.
  ctx.onLeave(events.on('capture/done', data => { if (!filter.value || data.camera === filter.value) load(true).catch(() => { }); }));
};

function showViewer(...children) {
  const d = document.getElementById('viewer-dialog');
  const body = clear(d.querySelector('.viewer-body'));
  append(body, children);
  if (!d.open) d.showModal();
}

function closeViewer() {
  const d = document.getElementById('viewer-dialog');
  clear(d.querySelector('.viewer-body'));
  if (d.open) d.close();
}

// ---------------------------------------------------------------------------------------------- Lab

pages.lab = async ctx => {
  const { view } = ctx;
  const lightsBox = h('div', { id: 'lights' }, h('p', { class: 'muted' }, 'Loading lights…'));
  const seqBox = h('div', { id: 'sequence-builder' });
  const setsBox = h('div', { id: 'image-sets' });
  append(view, h('h1', {}, 'Lab'),
    h('div', { class: 'panel' }, h('h2', { style: 'margin-top:0' }, 'Lights'), lightsBox),
    h('div', { class: 'panel' }, h('h2', { style: 'margin-top:0' }, 'Photometric sequence'), seqBox),
    h('div', { class: 'panel' }, h('h2', { style: 'margin-top:0' }, 'Image sets'), setsBox));

  let lightNames = [];
  async function loadLights() {
    try {
      const r = await api('GET', 'lights');
      lightNames = Object.keys(r.states || {});
      clear(lightsBox);
      if (!r.gpio_available) lightsBox.append(h('p', { class: 'muted' }, 'No GPIO on this machine: the lights are virtual.'));
      lightsBox.append(h('div', { class: 'lights' }, lightNames.map(name => {
        const cb = h('input', { type: 'checkbox', checked: !!r.states[name], id: 'light-' + name, dataset: { light: name } });
        cb.addEventListener('change', async () => {
          cb.disabled = true;
          try { const back = await api('PUT', 'lights/' + enc(name), { on: cb.checked }); cb.checked = !!back.on; } catch (e) { cb.checked = !cb.checked; toast('Light ' + name + ': ' + e.message, 'bad'); } finally { cb.disabled = false; }
        });
        return h('label', { class: 'switch', for: cb.id }, cb, h('span', {}, name));
      })));
      if (!lightNames.length) lightsBox.append(h('p', { class: 'muted' }, 'No lights configured.'));
    } catch (e) {
      clear(lightsBox).append(h('p', { class: 'muted' }, e.message));
    }
  }

  async function buildSequencer() {
    const cams = await api('GET', 'cameras').catch(() => []);
    const order = [];
    const chips = h('div', { class: 'chips', id: 'sequence-steps' });
    const addButtons = h('div', { class: 'row', id: 'sequence-add' });
    const prefix = h('input', { id: 'seq-prefix', placeholder: 'set name prefix (optional)', value: 'set' });
    const settle = h('input', { id: 'seq-settle', type: 'number', min: 0, max: 60000, step: 1, placeholder: 'default' });
    const camBoxes = cams.map(c => h('label', { class: 'switch' }, h('input', { type: 'checkbox', value: c.name, dataset: { camera: c.name } }), c.label || c.name));
    const form = h('form', { class: 'generated', id: 'sequence-form', novalidate: true });
    append(form, fieldBox('prefix', 'Set prefix', prefix), fieldBox('settle_ms', 'Settle time (ms)', settle, { help: 'wait after switching a light, 0 to 60000' }));
    const general = h('div', { class: 'form-error', hidden: true });
    const bar = h('div', { class: 'progress', id: 'sequence-progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0 }, h('div'));
    const status = h('div', { class: 'muted', id: 'sequence-status' }, 'Idle');
    const start = h('button', { type: 'button', class: 'primary', id: 'start-sequence' }, 'Start sequence');
    function paintChips() {
      clear(chips);
      if (!order.length) chips.append(h('span', { class: 'muted' }, 'Add lights in the order they should light up.'));
      order.forEach((l, i) => chips.append(h('span', { class: 'chip' }, (i + 1) + '. ' + l,
        h('button', { type: 'button', title: 'Remove', onclick: () => { order.splice(i, 1); paintChips(); } }, '×'))));
    }
    clear(addButtons);
    for (const l of lightNames) addButtons.append(h('button', { type: 'button', dataset: { add: l }, onclick: () => { order.push(l); paintChips(); } }, '+ ' + l));
    if (lightNames.length) addButtons.append(h('button', { type: 'button', onclick: () => { order.push(...lightNames); paintChips(); } }, '+ all'));
    paintChips();
    clear(seqBox);
    append(seqBox, h('h3', {}, 'Steps'), addButtons, h('div', { style: 'margin:.6rem 0' }, chips),
      cams.length ? [h('h3', {}, 'Cameras'), h('p', { class: 'muted' }, 'None ticked: the sequencer\'s default camera.'), h('div', { class: 'lights', id: 'sequence-cameras' }, camBoxes)] : null,
      h('h3', {}, 'Options'), form, general, h('div', { class: 'actions' }, start), bar, status,
      h('h3', {}, 'Recent sequences'), recent);

    let watching = null;
    start.addEventListener('click', async () => {
      clearErrors(form); general.hidden = true;
      if (!order.length) { general.textContent = 'Add at least one light step.'; general.hidden = false; return; }
      const body = { lights: order.slice() };
      if (prefix.value.trim()) {
        if (!/^[A-Za-z0-9_-]{1,64}$/.test(prefix.value.trim())) { showFieldError(form, 'prefix', 'letters, digits, "_" and "-" only'); return; }
        body.prefix = prefix.value.trim();
      }
      if (settle.value !== '') {
        if (!/^\d+$/.test(settle.value) || +settle.value > 60000) { showFieldError(form, 'settle_ms', 'a whole number from 0 to 60000'); return; }
        body.settle_ms = +settle.value;
      }
      const chosen = camBoxes.map(l => l.querySelector('input')).filter(i => i.checked).map(i => i.value);
      if (chosen.length) body.cameras = chosen;
      start.disabled = true;
      try {
        const seq = await api('POST', 'sequences/photometric', body);
        watch(seq);
      } catch (e) { showProblem(form, general, e); start.disabled = false; }
    });

    function paintProgress(p, state) {
      const total = p.total || 0, step = p.step || 0;
      const finished = state === 'completed' || p.status === 'completed';
      const failed = state === 'failed' || p.status === 'failed';
      const pct = finished ? 100 : total ? Math.min(100, Math.round((p.status === 'captured' ? step : Math.max(0, step - 1)) * 100 / total)) : 0;
      bar.firstChild.style.width = pct + '%';
      bar.setAttribute('aria-valuenow', String(pct));
      bar.classList.toggle('done', finished); bar.classList.toggle('failed', failed);
      status.textContent = failed ? 'Failed: ' + (p.errorDetail || 'see the server log')
        : finished ? 'Completed: ' + total + ' step' + (total === 1 ? '' : 's') + (p.setFolder ? ' in ' + p.setFolder : '')
          : 'Step ' + step + ' of ' + total + (p.currentLight ? ' — light ' + p.currentLight : '') + ' (' + (p.status || 'running') + ')';
      return finished || failed;
    }

    // Progress comes from the event stream as it happens; a slow poll covers a dropped connection and
    // reports the final state (result) even when the last event was missed.
    function watch(seq) {
      if (watching) watching();
      paintProgress(seq.progress || { step: 0, total: seq.request && seq.request.lights ? seq.request.lights.length : 0 }, seq.state);
      let done = false;
      const finish = () => { if (done) return; done = true; start.disabled = false; stop(); loadSets(); loadRecent(); };
      const off = events.on('sequence/progress', data => {
        if (data.sequence && data.sequence !== seq.id) return;
        if (paintProgress(data, null)) setTimeout(poll, 200);
      });
      async function poll() {
        try {
          const s = await api('GET', 'sequences/' + enc(seq.id));
          if (s.progress) paintProgress(s.progress, s.state);
          if (s.state !== 'running') { paintProgress(s.progress || {}, s.state); finish(); }
        } catch (e) { /* keep watching */ }
      }
      const timer = setInterval(poll, 1000);
      const stop = () => { off(); clearInterval(timer); watching = null; };
      watching = stop;
    }
    ctx.onLeave(() => watching && watching());
  }

  const recent = h('div', { id: 'sequence-list', class: 'scroll' });
  async function loadRecent() {
    try {
      const list = await api('GET', 'sequences');
      clear(recent);
      if (!list.length) { recent.append(h('p', { class: 'muted' }, 'None since the server started.')); return; }
      recent.append(h('table', {}, h('tbody', {}, list.slice(0, 10).map(s => h('tr', {},
        h('td', {}, fmtTime(s.started)), h('td', {}, stateBadge(s.state === 'completed' ? 'ok' : s.state === 'failed' ? 'bad' : s.state)),
        h('td', {}, (s.request && s.request.lights || []).join(' → ')), h('td', {}, (s.result && s.result.setFolder) || (s.progress && s.progress.setFolder) || ''))))));
    } catch (e) { clear(recent).append(h('p', { class: 'muted' }, e.message)); }
  }

  async function loadSets() {
    try {
      const sets = await api('GET', 'sets');
      clear(setsBox);
      if (!sets.length) { setsBox.append(h('p', { class: 'muted' }, 'No image sets yet.')); return; }
      setsBox.append(h('table', { id: 'set-table' }, h('tbody', {}, sets.map(s => h('tr', { dataset: { set: s.name } },
        h('td', {}, h('a', { href: '#', onclick: e => { e.preventDefault(); openSet(s.name); } }, s.name)),
        h('td', {}, fmtTime(s.created)), h('td', {}, s.imageCount + ' images'), h('td', {}, stateBadge(s.status)),
        h('td', {}, h('div', { class: 'row end' }, h('button', { type: 'button', onclick: () => openSet(s.name) }, 'View'),
          archiveLink(s.name),
          h('button', { type: 'button', class: 'danger', onclick: () => deleteSet(s.name) }, 'Delete'))))))));
    } catch (e) { clear(setsBox).append(h('p', { class: 'muted' }, e.message)); }
  }

  // The whole set as one ZIP (GET /sets/{set}/archive), streamed by the server: a plain link, so the browser
  // saves it without holding it in memory. Links send no Authorization header, so like picture URLs it
  // carries ?token= when viewing is closed.
  function archiveLink(name) {
    return h('a', { class: 'button', href: auth.mediaUrl(API + '/sets/' + enc(name) + '/archive'), download: name + '.zip',
      dataset: { role: 'archive' } }, 'Download zip');
  }

  async function openSet(name) {
    try {
      const s = await api('GET', 'sets/' + enc(name));
      const images = s.files.filter(f => (f.mimeType || '').startsWith('image/'));
      const others = s.files.filter(f => !(f.mimeType || '').startsWith('image/'));
      const big = h('img', { alt: '', id: 'set-image', hidden: !images.length, src: images.length ? auth.mediaUrl(images[0].url) : undefined });
      showViewer(h('h2', { style: 'margin-top:0' }, s.name), big,
        h('div', { class: 'thumbs', style: 'margin-top:.8rem' }, images.map(f => h('button', { type: 'button', class: 'thumb', onclick: () => { big.src = auth.mediaUrl(f.url); } },
          h('img', { src: auth.mediaUrl(f.url), alt: f.file, loading: 'lazy' }), h('div', { class: 'cap' }, f.file)))),
        h('p', {}, others.map(f => [h('a', { href: f.url, target: '_blank', rel: 'noopener' }, f.file), ' '])),
        h('div', { class: 'actions' },
          archiveLink(name),
          h('button', { type: 'button', class: 'danger', onclick: () => { closeViewer(); deleteSet(name); } }, 'Delete set'),
          h('button', { type: 'button', class: 'primary', onclick: closeViewer }, 'Close')));
    } catch (e) { toast(e.message, 'bad'); }
  }

  async function deleteSet(name) {
    if (!confirm('Delete image set ' + name + ' and all its files?')) return;
    try { await api('DELETE', 'sets/' + enc(name)); toast('Set ' + name + ' deleted', 'ok'); loadSets(); } catch (e) { toast('Delete failed: ' + e.message, 'bad'); }
  }

  await loadLights();
  await buildSequencer();
  loadRecent();
  loadSets();
};

// ---------------------------------------------------------------------------------------------- System

pages.system = async ctx => {
  const { view } = ctx;
  const healthBox = h('div', { id: 'health' });
  const driversBox = h('div', { class: 'scroll', id: 'drivers' });
  const pluginsBox = h('div', { id: 'plugins' });
  append(view, h('div', { class: 'row' }, h('h1', {}, 'System'), h('span', { class: 'grow' }),
    h('a', { class: 'button', href: '/system/console', target: '_blank', rel: 'noopener', id: 'console-link' }, 'Felix web console (bundles, configuration)')),
    h('div', { class: 'panel' }, h('h2', { style: 'margin-top:0' }, 'Health'), healthBox),
    h('div', { class: 'panel' }, h('h2', { style: 'margin-top:0' }, 'Drivers'), driversBox),
    h('div', { class: 'panel' }, h('h2', { style: 'margin-top:0' }, 'Plugins: features and bundles'), pluginsBox));
  async function load() {
    const [health, drivers] = await Promise.all([api('GET', 'health'), api('GET', 'drivers')]);
    clear(healthBox);
    const disk = health.dataDir || health;
    const used = disk.totalBytes ? 1 - disk.freeBytes / disk.totalBytes : null;
    const d = health.drivers, c = health.cameras;
    const driverText = d && typeof d === 'object' ? d.available + ' of ' + d.total + ' available' : d;
    const cameraText = c && typeof c === 'object' ? c.total + ' (' + ['online', 'streaming', 'offline'].filter(k => k in c).map(k => c[k] + ' ' + k).join(', ') + ')' : c;
    append(healthBox, h('div', { class: 'row' }, stateBadge(health.status), h('span', { class: 'muted' }, 'version ' + (health.version || '?'))),
      (health.problems || []).length ? h('ul', { class: 'error' }, health.problems.map(p => h('li', {}, typeof p === 'string' ? p : JSON.stringify(p)))) : null,
      h('table', {}, h('tbody', {},
        [['Started', fmtTime(health.started)], ['Uptime', fmtDuration(health.uptimeSeconds)],
          ['Drivers', driverText], ['Cameras', cameraText],
          ['Data disk', disk.totalBytes ? fmtBytes(disk.freeBytes) + ' free of ' + fmtBytes(disk.totalBytes) + ' (' + Math.round(used * 100) + '% used)' : ''],
          ['JPEG encoder', health.encoder ? health.encoder.name + (health.encoder.fallback ? ' (fallback: ' + health.encoder.fallback + ')' : '') : '']]
          .filter(r => r[1] !== undefined && r[1] !== null && r[1] !== '')
          .map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', { dataset: { key: k } }, typeof v === 'object' ? JSON.stringify(v) : String(v)))))));
    clear(driversBox);
    driversBox.append(h('table', {}, h('thead', {}, h('tr', {}, ['Driver', 'Status', 'Bundle', 'Version'].map(t => h('th', {}, t)))),
      h('tbody', {}, drivers.map(d => h('tr', { dataset: { driver: d.id } }, h('td', {}, d.name || d.id, h('div', { class: 'muted' }, d.id)),
        h('td', {}, stateBadge(d.available ? 'ok' : 'bad'), ' ', d.status || ''), h('td', {}, d.bundle || ''), h('td', {}, d.version || ''))))));
  }
  await load();
  plugins(pluginsBox, !!auth.token);
  const timer = setInterval(() => { if (!document.hidden) load().catch(() => { }); }, 10000);
  ctx.onLeave(() => clearInterval(timer));
};

// Features and bundles (the plugins bundle's routes, administrator only). Without a login the lists are
// only fetched on request, so opening the System page never pops up the login dialog by itself.
async function plugins(box, fetchNow) {
  clear(box);
  if (!fetchNow) {
    box.append(h('button', { type: 'button', id: 'show-plugins', onclick: () => plugins(box, true) }, 'Show features and bundles (administrator)'));
    return;
  }
  let features, bundles;
  try {
    [features, bundles] = await Promise.all([api('GET', 'features'), api('GET', 'bundles')]);
  } catch (e) {
    box.append(h('p', { class: 'muted' }, e.status === 404 ? 'Not available: the plugins bundle is not running.' : e.message));
    return;
  }
  const act = async (method, path, body, what) => {
    try { await api(method, path, body); toast(what, 'ok'); } catch (e) { toast(e.message, 'bad'); }
    plugins(box, true);
  };
  const file = h('input', { type: 'file', accept: '.jar,application/java-archive', id: 'plugin-file' });
  const install = h('button', { type: 'button', class: 'primary', id: 'install-plugin', onclick: () => {
    if (!file.files.length) { toast('Choose a bundle jar first', 'bad'); return; }
    act('POST', 'bundles', file.files[0], 'Installed ' + file.files[0].name);
  } }, 'Install bundle');
  append(box,
    h('h3', {}, 'Features'),
    (features.features || []).length ? h('div', { class: 'scroll' }, h('table', { id: 'feature-table' }, h('tbody', {}, features.features.map(f => h('tr', { dataset: { feature: f.name } },
      h('td', {}, h('strong', {}, f.name), h('div', { class: 'muted' }, f.description || '')),
      h('td', {}, stateBadge(f.installed ? 'ok' : 'offline'), ' ', f.installed ? 'installed' : 'not installed', f.problem ? h('div', { class: 'error' }, f.problem) : null),
      h('td', {}, (f.bundles || []).map(b => h('div', { class: 'muted' }, b.symbolicName + ' ' + (b.version || '') + ': ' + b.state))),
      h('td', {}, h('div', { class: 'row end' }, f.installed
        ? h('button', { type: 'button', class: 'danger', onclick: () => act('DELETE', 'features/' + enc(f.name), undefined, 'Feature ' + f.name + ' uninstalled') }, 'Uninstall')
        : h('button', { type: 'button', onclick: () => act('POST', 'features/' + enc(f.name), {}, 'Feature ' + f.name + ' installed') }, 'Install')))))))) : h('p', { class: 'muted' }, 'No features defined.'),
    h('h3', {}, 'Install a plugin bundle'),
    h('div', { class: 'row' }, file, install),
    h('h3', {}, 'Bundles'),
    h('div', { class: 'scroll' }, h('table', { id: 'bundle-table' }, h('thead', {}, h('tr', {}, ['#', 'Bundle', 'Version', 'State', ''].map(t => h('th', {}, t)))),
      h('tbody', {}, (bundles.bundles || []).map(b => h('tr', { dataset: { bundle: b.symbolicName } },
        h('td', {}, b.id), h('td', {}, b.name || b.symbolicName, h('div', { class: 'muted' }, b.symbolicName)), h('td', {}, b.version),
        h('td', {}, stateBadge(b.state === 'active' ? 'ok' : b.state === 'installed' ? 'bad' : b.state), ' ', b.state),
        h('td', {}, b.id === 0 || b.fragment ? null : h('div', { class: 'row end' },
          b.state === 'active' ? h('button', { type: 'button', onclick: () => act('POST', 'bundles/' + b.id + '/stop', {}, b.symbolicName + ' stopped') }, 'Stop')
            : h('button', { type: 'button', onclick: () => act('POST', 'bundles/' + b.id + '/start', {}, b.symbolicName + ' started') }, 'Start'),
          h('button', { type: 'button', class: 'danger', onclick: () => { if (confirm('Uninstall ' + b.symbolicName + '?')) act('DELETE', 'bundles/' + b.id, undefined, b.symbolicName + ' uninstalled'); } }, 'Uninstall')))))))));
}

// ---------------------------------------------------------------------------------------------- Login page

pages.login = async ctx => {
  append(ctx.view, h('h1', {}, 'Administrator'),
    h('div', { class: 'panel' }, auth.token ? h('p', {}, 'You are logged in as admin for this browser tab.')
      : h('p', {}, 'Viewing is open; changes (cameras, lights, sequences, deletions) need the administrator.'),
      h('div', { class: 'actions' }, auth.token
        ? h('button', { type: 'button', onclick: () => { logout(); route(); } }, 'Log out')
        : h('button', { type: 'button', class: 'primary', onclick: async () => { if (await login()) route(); } }, 'Log in'))));
};

pages.notfound = ctx => { append(ctx.view, h('div', { class: 'panel' }, 'No such page. ', h('a', { href: '#/live' }, 'Back to the live view'), '.')); };

function logout() { auth.token = null; auth.info.authenticated = false; renderAuthButton(); toast('Logged out'); }

// ---------------------------------------------------------------------------------------------- start

document.getElementById('auth-button').addEventListener('click', async () => {
  if (auth.token) { logout(); return; }
  if (await login()) route();
});
document.getElementById('viewer-dialog').addEventListener('click', e => { if (e.target.id === 'viewer-dialog') closeViewer(); });
// A capture finishing or a camera going away anywhere is worth a word, whatever the page.
events.on('camera/offline', d => toast('Camera ' + d.camera + ' went offline' + (d.reason ? ': ' + d.reason : ''), 'bad'));
events.on('camera/online', d => toast('Camera ' + d.camera + ' is online'));
events.on('capture/done', d => toast('Capture saved' + (d.camera ? ' from ' + d.camera : '') + (d.path ? ': ' + d.path.split('/').pop() : ''), 'ok'));
window.addEventListener('hashchange', route);
// Leaving or reloading the page: close the streams and the event stream explicitly. Otherwise a page kept
// in the back/forward cache holds its connections, and browsers allow only six per server: after a few
// reloads the API calls of the new page would wait behind them. A page restored from that cache reloads.
window.addEventListener('pagehide', () => {
  if (cleanup) { try { cleanup(); } catch (e) { /* leaving anyway */ } cleanup = null; }
  if (events.source) { events.source.close(); events.source = null; }
});
window.addEventListener('pageshow', e => { if (e.persisted) location.reload(); });
refreshAuth().finally(() => { events.start(); route(); });

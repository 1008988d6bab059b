// WhatsApp for HubSpot — the local demo page. Vanilla JS, no build step.
// Left: the customer's phone (Meta simulator). Right: a HubSpot contact record (HubSpot simulator)
// with the app's WhatsApp card, which calls the app's /api/v1 through the simulated hubspot.fetch.

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const POLL_MS = 1000;

const state = {
  boot: null,
  waId: null,
  userId: null,
  gen: 0,
  phone: null,
  phoneKey: '',
  hub: null,
  hubKey: '',
  view: 'record',
  mounted: null,
  readRequested: new Set(),
  busy: false,
};

// ---------------------------------------------------------------- helpers
async function getJson(url) {
  const res = await fetch(url, { cache: 'no-store' });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
  return body;
}
async function postJson(url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  const out = await res.json().catch(() => null);
  if (!res.ok) throw new Error(out?.error?.message ?? `HTTP ${res.status}`);
  return out;
}
const PALETTE = ['#00a4bd', '#ff7a59', '#7c3aed', '#00bda5', '#f5c26b', '#6a78d1', '#f2547d', '#516f90'];
const colorOf = (s) => PALETTE[[...String(s)].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7) % PALETTE.length];
const initials = (name) => String(name || '?').split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]).join('').toUpperCase();
const COUNTRIES = { '57': 'CO', '1': 'US', '52': 'MX', '34': 'ES' };
const countryOf = (phone) => COUNTRIES[Object.keys(COUNTRIES).sort((a, b) => b.length - a.length).find((k) => String(phone).replace('+', '').startsWith(k))] ?? '';
const hhmm = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const when = (ms) => {
  const d = new Date(ms);
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  return sameDay ? `Today at ${hhmm(ms)}` : `${d.toLocaleDateString([], { month: 'short', day: 'numeric', year: 'numeric' })} at ${hhmm(ms)}`;
};
const userById = (id) => state.boot?.users.find((u) => u.userId === Number(id));
const userByOwner = (ownerId) => state.boot?.users.find((u) => u.ownerId && String(u.ownerId) === String(ownerId));
const customer = () => state.boot?.customers.find((c) => c.waId === state.waId);

const ICON = {
  tick1: '<svg viewBox="0 0 16 11" width="16" height="11"><path d="M2 6.3 5 9.2 11.4 1.8" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/></svg>',
  tick2: '<svg viewBox="0 0 18 11" width="18" height="11"><path d="M1.4 6.3 4.4 9.2 10.8 1.8M8.1 8.6l.7.6 6.4-7.4" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/></svg>',
  clock: '<svg viewBox="0 0 12 12" width="12" height="12"><circle cx="6" cy="6" r="4.7" fill="none" stroke="currentColor" stroke-width="1.2"/><path d="M6 3.4V6l1.7 1.1" fill="none" stroke="currentColor" stroke-width="1.2" stroke-linecap="round"/></svg>',
  fail: '<svg viewBox="0 0 14 14" width="13" height="13"><circle cx="7" cy="7" r="6" fill="currentColor"/><path d="M7 3.8v3.8" stroke="#fff" stroke-width="1.6" stroke-linecap="round"/><circle cx="7" cy="10.2" r=".9" fill="#fff"/></svg>',
  reply: '<svg viewBox="0 0 16 16" width="15" height="15"><path d="M6.5 3.5 2 8l4.5 4.5M2.5 8H10a4 4 0 0 1 4 4v1" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/></svg>',
  link: '<svg viewBox="0 0 16 16" width="14" height="14"><path d="M9 2.5h4.5V7M13.5 2.5 7.5 8.5M11.5 9.5v3a1 1 0 0 1-1 1h-7a1 1 0 0 1-1-1v-7a1 1 0 0 1 1-1h3" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round"/></svg>',
  doc: '<svg viewBox="0 0 16 16" width="13" height="13"><path d="M4 1.5h5l3.5 3.5v9a.5.5 0 0 1-.5.5H4a.5.5 0 0 1-.5-.5V2a.5.5 0 0 1 .5-.5z" fill="none" stroke="currentColor" stroke-width="1.3"/><path d="M9 1.5V5h3.5" fill="none" stroke="currentColor" stroke-width="1.3"/></svg>',
  wa: '<svg viewBox="0 0 24 24" width="16" height="16"><path d="M12 2.5a9.5 9.5 0 0 0-8.2 14.3L2.5 21.5l4.8-1.3A9.5 9.5 0 1 0 12 2.5z" fill="#25d366"/><path d="M8.6 7.3c.2-.4.5-.4.8-.4h.6c.2 0 .4.1.5.4l.8 1.9c.1.2 0 .5-.1.6l-.6.7c-.1.1-.2.3 0 .5.7 1.2 1.7 2.2 2.9 2.8.2.1.4.1.5 0l.8-.9c.2-.2.4-.2.6-.1l1.8.9c.2.1.3.3.3.5 0 .5-.2 1.2-.7 1.6-.6.5-1.5.7-2.5.3a10 10 0 0 1-5.4-5c-.5-1-.4-2.1.1-2.9z" fill="#fff"/></svg>',
};
const tickHtml = (status, title) => {
  const s = status || 'accepted';
  const icon = s === 'read' || s === 'delivered' ? ICON.tick2 : s === 'sent' ? ICON.tick1 : s === 'failed' ? ICON.fail : ICON.clock;
  return `<span class="tick" data-testid="tick" data-status="${esc(s)}" title="${esc(title ?? s)}">${icon}</span>`;
};

// ---------------------------------------------------------------- switchers
function renderSwitchers() {
  const b = state.boot;
  $('customers').innerHTML = b.customers
    .map(
      (c) => `<button class="chip" role="tab" data-testid="customer-${esc(c.waId)}" data-wa-id="${esc(c.waId)}" aria-selected="${c.waId === state.waId}" title="${esc(c.phone)}${c.inCrm ? ' · in the CRM' : ' · not in the CRM yet'}">
        <span class="av" style="background:${colorOf(c.name)}">${esc(initials(c.name))}</span>${esc(c.name.split(' ')[0])}<small class="cc">${esc(countryOf(c.phone))}</small></button>`,
    )
    .join('');
  $('agents').innerHTML = b.users
    .map(
      (u) => `<button class="chip" role="tab" data-testid="agent-${u.userId}" data-user-id="${u.userId}" aria-selected="${u.userId === state.userId}" title="${esc(u.email)} · HubSpot user ${u.userId}">
        <span class="av" style="background:${colorOf(u.name)}">${esc(initials(u.name))}</span>${esc(u.name)}${u.role === 'admin' ? ' <small>admin</small>' : ''}</button>`,
    )
    .join('');
  const u = userById(state.userId);
  $('hs-me').innerHTML = u ? `<span class="av" style="background:${colorOf(u.name)}">${esc(initials(u.name))}</span>${esc(u.name)}` : '';
  $('card-user').textContent = u ? `${u.name} (userId ${u.userId})` : '—';
  const c = customer();
  const sugg = $('phone-suggest');
  sugg.querySelector('button').textContent = c?.suggestion ?? '';
}

function saveSelection() {
  const q = new URLSearchParams(location.search);
  q.set('customer', state.waId);
  q.set('user', String(state.userId));
  if (state.view !== 'record') q.set('view', state.view);
  else q.delete('view');
  history.replaceState(null, '', `${location.pathname}?${q}`);
}

function selectCustomer(waId) {
  if (waId === state.waId) return;
  state.waId = waId;
  state.gen++;
  state.phone = null;
  state.phoneKey = '';
  state.hub = null;
  state.hubKey = '';
  $('phone-messages').innerHTML = '';
  $('timeline').innerHTML = '';
  renderSwitchers();
  saveSelection();
  void refreshNow();
}

function selectUser(userId) {
  if (userId === state.userId) return;
  state.userId = userId;
  state.gen++;
  renderSwitchers();
  saveSelection();
  void refreshNow();
}

// ---------------------------------------------------------------- the phone
function quoteOf(id) {
  const m = state.phone?.messages.find((x) => x.id === id);
  if (!m) return '';
  return m.text || m.header || (m.media ? (m.media.kind === 'image' ? 'Photo' : m.media.filename ?? 'Document') : '');
}

function mediaHtml(media) {
  if (!media || !media.url) return '';
  if (media.kind === 'image' || /^image\//.test(media.mimeType)) return `<img class="media" src="${esc(media.url)}" alt="">`;
  const name = media.filename || 'Document';
  const ext = (name.split('.').pop() || 'FILE').slice(0, 4).toUpperCase();
  return `<a class="doc" href="${esc(media.url)}" target="_blank" rel="noopener"><span class="doc-ico">${esc(ext)}</span><span><b>${esc(name)}</b><small>${esc(media.mimeType || '')}</small></span></a>`;
}

function renderPhone() {
  const data = state.phone;
  const box = $('phone-messages');
  const key = JSON.stringify(data?.messages ?? []);
  $('phone-suggest').hidden = !!data && data.messages.length > 0;
  if (key === state.phoneKey) return;
  const chat = $('phone-chat');
  const nearBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 80;
  const grew = !state.phoneKey || (data?.messages.length ?? 0) !== (JSON.parse(state.phoneKey || '[]').length ?? 0);
  state.phoneKey = key;
  box.innerHTML = (data?.messages ?? [])
    .map((m) => {
      const fromBiz = m.direction === 'out';
      const quote = m.replyTo ? `<span class="reply-quote">${esc(quoteOf(m.replyTo)) || '…'}</span>` : '';
      const head = m.header ? `<div class="b-head">${esc(m.header)}</div>` : '';
      const foot = m.footer ? `<div class="b-foot">${esc(m.footer)}</div>` : '';
      const text = m.text ? `<span class="b-text">${esc(m.text)}</span>` : '';
      const ticks = fromBiz ? tickHtml(m.status, `Meta reported: ${m.status}`) : tickHtml(m.status, m.status === 'read' ? 'The business read it' : 'Delivered to the business');
      const meta = `<span class="meta">${hhmm(m.at)} ${ticks}</span>`;
      let buttons = '';
      if (fromBiz && m.buttons?.length) {
        const done = !!m.tapped && m.type === 'interactive';
        buttons = `<div class="wa-buttons">${m.buttons
          .map((b) =>
            b.kind === 'url'
              ? `<a href="${esc(b.url)}" target="_blank" rel="noopener">${ICON.link}${esc(b.title)}</a>`
              : `<button type="button" data-testid="phone-button" data-wamid="${esc(m.id)}" data-id="${esc(b.id)}" data-title="${esc(b.title)}" class="${m.tapped === b.id ? 'tapped' : ''}" ${done ? 'disabled' : ''}>${ICON.reply}${esc(b.title)}</button>`,
          )
          .join('')}</div>`;
      }
      const err = m.error ? `<div class="wa-error">Not delivered: ${esc(m.error)}</div>` : '';
      return `<div class="msg-row ${fromBiz ? 'business' : 'customer'}" data-testid="phone-msg" data-from="${fromBiz ? 'business' : 'customer'}" data-wamid="${esc(m.id)}" data-status="${esc(m.status ?? '')}" data-type="${esc(m.type)}">
        <div class="bubble">${quote}${mediaHtml(m.media)}${head}${text}${foot}${meta}</div>${err}${buttons}</div>`;
    })
    .join('');
  if (nearBottom || grew) stickToBottom(chat);
}

/** Scrolls to the end now and again as images in it finish loading. */
function stickToBottom(el) {
  el.scrollTop = el.scrollHeight;
  for (const img of el.querySelectorAll('img')) {
    if (!img.complete) img.addEventListener('load', () => (el.scrollTop = el.scrollHeight), { once: true });
  }
}

/** The customer has the chat open: business messages delivered to the phone become read. */
async function readVisible() {
  if (document.visibilityState !== 'visible' || !state.phone) return;
  const ids = state.phone.messages.filter((m) => m.direction === 'out' && m.status === 'delivered' && !state.readRequested.has(m.id)).map((m) => m.id);
  if (!ids.length) return;
  ids.forEach((id) => state.readRequested.add(id));
  await postJson(`/demo/api/phone/${state.waId}/read`, { wamids: ids }).catch(() => ids.forEach((id) => state.readRequested.delete(id)));
}

async function loadPhone(gen) {
  const data = await getJson(`/demo/api/phone/${state.waId}`);
  if (gen !== state.gen) return;
  state.phone = data;
  renderPhone();
  await readVisible();
}

async function sendPhone(kind, payload) {
  const waId = state.waId;
  $('phone-send').disabled = true;
  try {
    await postJson(`/demo/api/phone/${waId}/${kind}`, payload);
  } catch (e) {
    alert(`The phone could not send: ${e.message}`);
  } finally {
    $('phone-send').disabled = false;
    void refreshNow();
  }
}

// ---------------------------------------------------------------- the HubSpot record
function renderHub() {
  const h = state.hub;
  const c = customer();
  const key = JSON.stringify(h ?? null) + state.waId;
  if (key === state.hubKey) return;
  state.hubKey = key;
  const contact = h?.contact;
  const name = contact ? `${contact.firstname} ${contact.lastname}`.trim() || contact.phone : c?.name ?? '—';
  $('rec-name').textContent = name;
  $('rec-name').style.color = contact ? '' : '#99afc4';
  $('rec-avatar').textContent = initials(name);
  $('rec-avatar').style.background = contact ? colorOf(name) : '#cbd6e2';
  $('rec-sub').innerHTML = contact
    ? [contact.email, contact.phone].filter(Boolean).map(esc).join('<br>') + (h.duplicates ? `<br><b style="color:#b51b24">${h.duplicates} duplicate contact(s) with this phone</b>` : '')
    : `${esc(c?.phone ?? '')}<br><i>Not in HubSpot yet</i>`;
  $('address').textContent = `app.hubspot.com/contacts/${state.boot.portalId}/record/0-1/${contact ? contact.id : ''}`;
  const dd = (v) => (v ? `<dd>${esc(v)}</dd>` : '<dd class="empty">—</dd>');
  $('rec-about').innerHTML = contact
    ? `<dt>Email</dt>${dd(contact.email)}<dt>Phone number</dt>${dd(contact.phone)}<dt>Contact owner</dt>${dd(contact.owner)}<dt>Lifecycle stage</dt>${dd(contact.lifecyclestage && contact.lifecyclestage[0].toUpperCase() + contact.lifecyclestage.slice(1))}<dt>City</dt>${dd(contact.city)}<dt>Create date</dt>${dd(when(contact.createdAt))}`
    : '<dd class="empty">No contact with this phone number yet. When the customer writes, the app looks the number up and creates the contact (never a duplicate).</dd>';
  $('rec-app-props').innerHTML =
    contact && contact.appProperties.length
      ? contact.appProperties.map((p) => `<dt>${esc(p.label)}</dt>${dd(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(p.value) ? when(Date.parse(p.value)) : p.value)}`).join('')
      : '<dd class="empty">None yet</dd>';

  const items = h?.timeline ?? [];
  $('tl-count').textContent = items.length ? `· ${items.length}` : '';
  $('timeline').innerHTML = items.length
    ? items
        .map((t) =>
          t.kind === 'task'
            ? `<li class="tl-item" data-testid="timeline-item" data-kind="task"><span class="tl-ico task">✓</span><div>
                <div class="tl-top"><b>Task${t.owner ? ` assigned to ${esc(t.owner)}` : ''}</b><span>${esc(when(t.at))}</span></div>
                <div class="tl-body"><b>${esc(t.subject)}</b>${t.body ? `\n${esc(t.body)}` : ''}</div>
                <div class="tl-foot">${esc([t.status, t.priority && t.priority !== 'NONE' ? `priority ${t.priority}` : ''].filter(Boolean).join(' · ').toLowerCase().replace(/_/g, ' '))}</div></div></li>`
            : `<li class="tl-item" data-testid="timeline-item" data-kind="communication"><span class="tl-ico">${ICON.wa}</span><div>
                <div class="tl-top"><b>WhatsApp message${t.owner ? ` · ${esc(t.owner)}` : ''}</b><span>${esc(when(t.at))}</span></div>
                <div class="tl-body">${esc(t.body)}</div>
                <div class="tl-foot">Logged by WhatsApp for HubSpot · channel ${esc(t.channel === 'WHATS_APP' ? 'WhatsApp' : t.channel ?? '')}</div></div></li>`,
        )
        .join('')
    : `<li class="tl-empty">${contact ? 'No activity yet. Every WhatsApp message, in and out, is logged here by the app.' : 'The timeline appears once the contact exists.'}</li>`;
}

async function loadHub(gen) {
  const data = await getJson(`/demo/api/hubspot/contact/${state.waId}`);
  if (gen !== state.gen) return;
  state.hub = data;
  renderHub();
}

// ---------------------------------------------------------------- the app's real extensions
// The card, the settings page and the app pages are the real bundles from extensions/app, run by the
// local extension host (simulators/extension-host) in a Web Worker, as HubSpot runs them.
const host = () => window.HubSpotExtensionHost;

function contextFor(kind) {
  const u = userById(state.userId);
  const [firstName, ...rest] = (u?.name ?? '').split(' ');
  const ctx = {
    location: kind === 'card' ? 'crm.record.tab' : kind === 'settings' ? 'settings' : 'app.page',
    portal: { id: state.boot.portalId, timezone: state.boot.timezone ?? 'America/Bogota' },
    user: { id: state.userId, email: u?.email ?? '', firstName, lastName: rest.join(' '), locale: 'en-US' },
    variables: { apiBaseUrl: state.boot.urls.app },
    extension: { appName: 'WhatsApp for HubSpot' },
  };
  if (kind === 'card') ctx.crm = { objectId: Number(state.hub.contact.id), objectTypeId: '0-1' };
  return ctx;
}

/** (Re)mounts what the current view shows, when who/what changed: a new user is a new HubSpot session. */
function mountExtension() {
  const exts = state.extensions;
  if (!exts || !host()) return;
  const view = state.view;
  const contact = state.hub?.contact;
  const x = view === 'record' ? exts.find((e) => e.kind === 'card') : exts.find((e) => e.uid === view);
  const key = view === 'record' ? `card:${x?.uid}:${contact?.id ?? ''}:${state.userId}` : `${view}:${state.userId}`;
  if (key === state.mountedKey) return;
  state.mounted?.unmount();
  state.mounted = null;
  state.mountedKey = key;
  const target = view === 'record' ? $('card-host') : $('app-view-host');
  target.innerHTML = '';
  if (!x) return void (target.textContent = 'No extension found in extensions/**/*-hsmeta.json.');
  if (view === 'record' && !contact) {
    target.innerHTML = '<div class="card-empty" data-testid="card-no-record">The card appears on the contact record once the contact exists.</div>';
    return;
  }
  const el = document.createElement('div');
  target.appendChild(el);
  state.mounted = host().mount(el, {
    uid: x.uid,
    context: contextFor(x.kind),
    location: x.kind === 'page' ? { path: '/', params: {} } : undefined,
    crmProperties: async (names) => {
      const c = state.hub?.contact ?? {};
      return Object.fromEntries(names.map((n) => [n, c[n] ?? c.appProperties?.find((p) => p.name === n)?.value ?? null]));
    },
    onRefreshProperties: () => void refreshNow(),
  });
}

function renderViews() {
  const exts = state.extensions ?? [];
  const views = [{ id: 'record', label: 'Contact record' }, ...exts.filter((e) => e.kind !== 'card').map((e) => ({ id: e.uid, label: e.kind === 'settings' ? 'App settings' : e.name }))];
  $('views').innerHTML = views
    .map((v) => `<button type="button" class="view-tab" data-view="${esc(v.id)}" data-testid="view-${esc(v.id)}" aria-selected="${v.id === state.view}">${esc(v.label)}</button>`)
    .join('');
  $('record').hidden = state.view !== 'record';
  $('app-view').hidden = state.view === 'record';
  const x = exts.find((e) => e.uid === state.view);
  $('app-view-title').textContent = x ? (x.kind === 'settings' ? 'WhatsApp for HubSpot · Settings' : x.name) : '';
}

function selectView(view) {
  if (view === state.view) return;
  state.view = view;
  renderViews();
  saveSelection();
  mountExtension();
}

// ---------------------------------------------------------------- polling
let timer = null;
let running = false;
async function refreshNow() {
  if (running) return;
  running = true;
  clearTimeout(timer);
  const gen = state.gen;
  try {
    await Promise.all([loadPhone(gen).catch(() => undefined), loadHub(gen).catch(() => undefined)]);
    if (gen === state.gen) mountExtension();
  } finally {
    running = false;
    timer = setTimeout(refreshNow, POLL_MS);
  }
}

async function loadBoot() {
  const b = await getJson('/demo/api/bootstrap');
  state.boot = b;
  const s = $('setup-status');
  const problems = $('setup-problems');
  if (!b.setup) {
    s.dataset.state = 'starting';
    s.querySelector('.setup-text').textContent = 'Setting up the demo account…';
    setTimeout(() => loadBoot().then(renderSwitchers).catch(() => undefined), 1500);
  } else if (b.setup.ok) {
    s.dataset.state = 'ready';
    s.querySelector('.setup-text').textContent = `Portal ${b.portalId} ready`;
    problems.hidden = true;
  } else {
    s.dataset.state = 'failed';
    s.querySelector('.setup-text').textContent = 'Setup incomplete';
    problems.textContent = `Part of the demo setup failed:\n${b.setup.steps.filter((x) => !x.ok).map((x) => `✗ ${x.name}: ${x.detail}`).join('\n')}`;
    problems.hidden = false;
  }
  $('link-health').href = `${b.urls.app}/health`;
  $('link-install').href = b.urls.install;
  $('biz-name').textContent = b.business.name;
  $('biz-sub').textContent = `${b.business.label} · ${b.business.displayPhoneNumber}`;
  return b;
}

// ---------------------------------------------------------------- events
function wire() {
  $('customers').addEventListener('click', (e) => {
    const b = e.target.closest('[data-wa-id]');
    if (b) selectCustomer(b.dataset.waId);
  });
  $('views').addEventListener('click', (e) => {
    const b = e.target.closest('[data-view]');
    if (b) selectView(b.dataset.view);
  });
  $('agents').addEventListener('click', (e) => {
    const b = e.target.closest('[data-user-id]');
    if (b) selectUser(Number(b.dataset.userId));
  });
  $('phone-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('phone-input').value.trim();
    if (!text) return;
    $('phone-input').value = '';
    void sendPhone('text', { text });
  });
  $('phone-suggest').addEventListener('click', () => {
    $('phone-input').value = customer()?.suggestion ?? '';
    $('phone-input').focus();
  });
  $('phone-attach').addEventListener('click', (e) => {
    e.stopPropagation();
    $('attach-menu').hidden = !$('attach-menu').hidden;
  });
  document.addEventListener('click', (e) => {
    if (!e.target.closest('#attach-menu')) $('attach-menu').hidden = true;
  });
  $('attach-menu').addEventListener('click', (e) => {
    const b = e.target.closest('[data-sample]');
    if (!b) return;
    $('attach-menu').hidden = true;
    void sendPhone('media', { sample: b.dataset.sample });
  });
  $('file-input').addEventListener('change', async () => {
    const f = $('file-input').files[0];
    $('attach-menu').hidden = true;
    if (!f) return;
    if (f.size > 5 * 1024 * 1024) return alert('Please choose a file under 5 MB.');
    const buf = new Uint8Array(await f.arrayBuffer());
    let bin = '';
    for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode(...buf.subarray(i, i + 0x8000));
    $('file-input').value = '';
    void sendPhone('media', { bytesBase64: btoa(bin), mimeType: f.type || 'application/octet-stream', filename: f.name });
  });
  $('phone-messages').addEventListener('click', async (e) => {
    const b = e.target.closest('[data-testid="phone-button"]');
    if (!b || b.disabled) return;
    b.disabled = true;
    try {
      await postJson(`/demo/api/phone/${state.waId}/tap`, { wamid: b.dataset.wamid, buttonId: b.dataset.id, title: b.dataset.title });
    } catch (err) {
      alert(err.message);
    }
    void refreshNow();
  });

  document.addEventListener('visibilitychange', () => void readVisible());
  setInterval(() => ($('phone-clock').textContent = hhmm(Date.now())), 10_000);
  $('phone-clock').textContent = hhmm(Date.now());
}

async function init() {
  wire();
  let boot;
  for (;;) {
    try {
      boot = await loadBoot();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  const q = new URLSearchParams(location.search);
  state.waId = boot.customers.some((c) => c.waId === q.get('customer')) ? q.get('customer') : boot.customers[0].waId;
  const wanted = Number(q.get('user'));
  state.userId = boot.users.some((u) => u.userId === wanted) ? wanted : boot.users[0].userId;
  state.extensions = (await host().extensions()).extensions;
  state.view = state.extensions.some((e) => e.uid === q.get('view')) ? q.get('view') : 'record';
  renderSwitchers();
  renderViews();
  void refreshNow();
}

void init();

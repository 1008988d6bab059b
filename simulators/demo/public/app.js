// WhatsApp for HubSpot — the local demo page. Vanilla JS, no build step.
// Left: the customer's phone (Meta simulator). Right: a HubSpot contact record (HubSpot simulator)
// with the app's WhatsApp card, which calls the app's /api/v1 through the simulated hubspot.fetch.

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const uuid = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`);
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
  conv: null,
  convKey: '',
  convError: null,
  lists: { agents: [], settings: null, numbers: [], me: null, templates: [], templatesFor: null, loadedFor: null, loadedAt: 0 },
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
/** hubspot.fetch, as the card would call it: the demo server relays it through the HubSpot simulator's signing proxy. */
async function hsFetch(method, path, body, userId = state.userId) {
  const r = await postJson('/demo/api/hubspot-fetch', { userId, method, path, body, idempotencyKey: method === 'GET' ? undefined : uuid() });
  return r; // {status, body}
}
const apiError = (r) => {
  const e = r?.body?.error;
  if (e) return `${e.message || e.code}${e.details ? ` (${Object.entries(e.details).map(([k, v]) => `${k}: ${v}`).join('; ')})` : ''}`;
  return `The app answered HTTP ${r?.status}`;
};

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
  state.conv = null;
  state.convKey = '';
  state.convError = null;
  $('phone-messages').innerHTML = '';
  $('timeline').innerHTML = '';
  $('panel-thread').innerHTML = '';
  $('reply-input').value = '';
  hideError();
  renderSwitchers();
  saveSelection();
  void refreshNow();
}

function selectUser(userId) {
  if (userId === state.userId) return;
  state.userId = userId;
  state.gen++;
  state.conv = null;
  state.convKey = '';
  state.lists.loadedFor = null;
  hideError();
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

// ---------------------------------------------------------------- the app's card (signed extension API)
function showError(msg, info = false) {
  const el = $('panel-error');
  el.textContent = msg;
  el.classList.toggle('info', info);
  el.hidden = false;
}
function hideError() {
  $('panel-error').hidden = true;
}

async function loadLists(gen) {
  const L = state.lists;
  if (L.loadedFor === state.userId && Date.now() - L.loadedAt < 10_000) return;
  const [agents, settings, numbers, me] = await Promise.all([
    hsFetch('GET', '/api/v1/agents'),
    hsFetch('GET', '/api/v1/settings'),
    hsFetch('GET', '/api/v1/whatsapp-numbers'),
    hsFetch('GET', '/api/v1/me'),
  ]);
  if (gen !== state.gen) return;
  L.agents = agents.status === 200 ? agents.body.agents ?? [] : [];
  L.settings = settings.status === 200 ? settings.body : null;
  L.numbers = numbers.status === 200 ? numbers.body.numbers ?? [] : [];
  L.me = me.status === 200 ? me.body : null;
  L.loadedFor = state.userId;
  L.loadedAt = Date.now();
  renderLists();
  const pnid = $('tpl-number').value || L.numbers[0]?.phoneNumberId;
  if (pnid && L.templatesFor !== pnid) await loadTemplates(pnid);
}

async function loadTemplates(phoneNumberId) {
  const r = await hsFetch('GET', `/api/v1/templates?phoneNumberId=${encodeURIComponent(phoneNumberId)}`);
  state.lists.templates = r.status === 200 ? r.body.templates ?? [] : [];
  state.lists.templatesFor = phoneNumberId;
  renderTemplates();
}

function setOptions(select, options, keep = true) {
  const prev = select.value;
  const html = options.map((o) => `<option value="${esc(o.value)}" ${o.disabled ? 'disabled' : ''}>${esc(o.label)}</option>`).join('');
  if (select.dataset.html !== html) {
    select.innerHTML = html;
    select.dataset.html = html;
    if (keep && options.some((o) => o.value === prev)) select.value = prev;
  }
}

function renderLists() {
  const L = state.lists;
  setOptions($('assign-select'), L.agents.filter((a) => a.active).map((a) => ({ value: a.agentId, label: a.name + (a.available ? '' : ' (away)') })));
  const labels = L.settings?.resolutionLabels ?? [];
  setOptions($('resolve-label'), [{ value: '', label: 'Resolution label…' }, ...labels.map((l) => ({ value: l, label: l }))]);
  const pnid = state.conv?.conversation?.phoneNumberId;
  const qr = (L.settings?.quickReplies ?? []).filter((q) => !q.phoneNumberId || !pnid || q.phoneNumberId === pnid);
  setOptions($('quick-replies'), [{ value: '', label: 'Quick replies' }, ...qr.map((q) => ({ value: q.id || q.title, label: q.title }))], false);
  setOptions($('tpl-number'), L.numbers.map((n) => ({ value: n.phoneNumberId, label: `${n.label} · ${n.displayPhoneNumber ?? n.phoneNumberId}` })));
  const num = L.numbers[0];
  $('card-number').textContent = num ? `${num.label}` : '';
  $('assign-me').disabled = !L.me?.agent;
  $('assign-me').title = L.me?.agent ? '' : 'You are not an agent of this account';
}

function selectedTemplate() {
  const i = Number($('tpl-name').value);
  return Number.isInteger(i) ? state.lists.templates[i] : undefined;
}

function renderTemplates() {
  const list = state.lists.templates;
  setOptions(
    $('tpl-name'),
    list.map((t, i) => ({ value: String(i), label: `${t.name} · ${t.language}${t.header && t.header.format !== 'TEXT' ? ' (media header)' : ''}`, disabled: !!(t.header && t.header.format !== 'TEXT') })),
  );
  renderTemplateParams();
}

function renderTemplateParams() {
  const t = selectedTemplate();
  const box = $('tpl-params');
  const sig = t ? `${t.name}:${t.language}` : '';
  if (box.dataset.sig !== sig) {
    box.dataset.sig = sig;
    const c = customer();
    box.innerHTML = (t?.placeholders ?? [])
      .map((p, i) => {
        const guess = i === 0 && p.component === 'body' ? (c?.name.split(' ')[0] ?? '') : '';
        return `<label>${esc(p.component)} {{${esc(p.index)}}}<input data-testid="panel-template-param" data-i="${i}" value="${esc(guess)}" placeholder="${esc(p.example ?? '')}"></label>`;
      })
      .join('');
  }
  renderTemplatePreview();
}

function renderTemplatePreview() {
  const t = selectedTemplate();
  if (!t) {
    $('tpl-preview').innerHTML = '';
    return;
  }
  const values = [...$('tpl-params').querySelectorAll('input')].map((i) => i.value || i.placeholder);
  const fill = (text, component) =>
    String(text ?? '').replace(/\{\{\s*(\w+)\s*\}\}/g, (m, k) => {
      const i = t.placeholders.findIndex((p) => p.component === component && String(p.index) === String(k));
      return i >= 0 ? values[i] || m : m;
    });
  const head = t.header?.format === 'TEXT' ? `<b>${esc(fill(t.header.text, 'header'))}</b>` : '';
  $('tpl-preview').innerHTML = `${head}${esc(fill(t.body, 'body'))}${t.footer ? `\n<small>${esc(t.footer)}</small>` : ''}`;
}

async function loadPanel(gen) {
  const contact = state.hub?.contact;
  if (!contact) {
    state.conv = null;
    renderPanel();
    return;
  }
  await loadLists(gen).catch(() => undefined);
  const r = await hsFetch('GET', `/api/v1/contacts/${encodeURIComponent(contact.id)}/conversation`);
  if (gen !== state.gen) return;
  if (r.status === 200) {
    state.conv = r.body;
    state.convError = null;
  } else {
    state.conv = null;
    state.convError = apiError(r);
  }
  renderPanel();
}

const mediaUrls = new Map();
const STATUS_LABEL = { bot: 'Bot · waiting for consent', open: 'Open', pending: 'Pending', resolved: 'Resolved' };

function renderPanel() {
  const contact = state.hub?.contact;
  const empty = $('card-empty');
  const main = $('card-main');
  if (!state.hub) {
    empty.textContent = 'Loading…';
    empty.hidden = false;
    main.hidden = true;
    return;
  }
  if (!contact) {
    empty.innerHTML = 'The WhatsApp card shows on the contact record.<br>This customer is not a HubSpot contact yet: the app creates the contact when they write.';
    empty.hidden = false;
    main.hidden = true;
    return;
  }
  if (!state.conv) {
    empty.textContent = state.convError ? `The app could not load this contact: ${state.convError}` : 'Loading…';
    empty.hidden = false;
    main.hidden = true;
    return;
  }
  empty.hidden = true;
  main.hidden = false;
  renderLists();
  const { contact: wa, conversation: conv, messages } = state.conv;

  const st = $('panel-status');
  st.dataset.status = conv?.status ?? 'none';
  st.className = `tag s-${conv?.status ?? 'resolved'}`;
  st.textContent = conv ? STATUS_LABEL[conv.status] ?? conv.status : 'No conversation yet';
  if (conv?.status === 'resolved' && conv.label) st.textContent = /^resolved\b/i.test(conv.label) ? conv.label : `Resolved · ${conv.label}`;

  const cs = $('panel-consent');
  const consent = wa?.optedOut ? 'opted_out' : wa?.consent ?? 'unknown';
  cs.dataset.consent = consent;
  cs.className = `tag ${consent === 'granted' ? 'ok' : consent === 'unknown' ? 'warn' : 'bad'}`;
  cs.textContent = { granted: 'Consent given', unknown: 'Consent pending', declined: 'Consent declined', opted_out: 'Opted out' }[consent];

  const win = $('panel-window');
  if (conv?.windowExpiresAt) {
    const left = Date.parse(conv.windowExpiresAt) - Date.now();
    if (left > 0) {
      const h = Math.floor(left / 3_600_000);
      const m = Math.floor((left % 3_600_000) / 60_000);
      win.textContent = `Window ${h} h ${String(m).padStart(2, '0')} m left`;
      win.className = `tag ${conv.urgent ? 'warn' : 'ok'}`;
    } else {
      win.textContent = 'Window closed · send a template';
      win.className = 'tag bad';
    }
  } else win.textContent = '';
  $('panel-urgent').hidden = !conv?.urgent;

  const a = conv?.assignee;
  const au = a ? userByOwner(a.ownerId) : null;
  const an = $('panel-assignee');
  an.textContent = a ? a.name : 'Unassigned';
  an.dataset.agentId = a?.agentId ?? '';
  an.dataset.ownerId = a?.ownerId ?? '';
  an.dataset.userId = au ? String(au.userId) : '';
  const av = $('assignee-avatar');
  av.textContent = a ? initials(a.name) : '–';
  av.style.background = a ? colorOf(a.name) : '#cbd6e2';
  if (a && document.activeElement !== $('assign-select') && $('assign-select').dataset.conv !== `${conv.id}:${a.agentId}`) {
    $('assign-select').value = a.agentId;
    $('assign-select').dataset.conv = `${conv.id}:${a.agentId}`;
  }
  const closed = !conv || conv.status === 'resolved';
  $('assign-btn').disabled = closed || state.busy;
  $('assign-me').disabled = closed || state.busy || !state.lists.me?.agent;
  $('resolve-btn').disabled = closed || state.busy;
  $('resolve-label').disabled = closed;
  $('reply-send').disabled = state.busy;

  // The app signs media URLs with a fresh expiry on every call: keep the first URL of each message for
  // 10 minutes (it is valid for 30), so the thread does not re-render (and images reload) every second.
  for (const m of messages) {
    if (!m.media?.url) continue;
    const hit = mediaUrls.get(m.id);
    if (hit && Date.now() - hit.at < 600_000) m.media.url = hit.url;
    else mediaUrls.set(m.id, { url: m.media.url, at: Date.now() });
  }
  const key = JSON.stringify(messages);
  if (key !== state.convKey) {
    const th = $('panel-thread');
    const nearBottom = th.scrollHeight - th.scrollTop - th.clientHeight < 60;
    state.convKey = key;
    th.innerHTML = messages.length
      ? messages
          .map((m) => {
            const out = m.direction === 'out';
            const bot = out && /^(bot|system)$/i.test(m.sentBy ?? '');
            let media = '';
            if (m.media?.url) media = /^image\//.test(m.media.mimeType) ? `<img src="${esc(m.media.url)}" alt="">` : `<a class="t-doc" href="${esc(m.media.url)}" target="_blank" rel="noopener">${ICON.doc} ${esc(m.media.filename ?? m.type)}</a>\n`;
            const tpl = m.type === 'template' ? `<span class="t-tpl">Template · ${esc(m.templateName ?? '')}</span>` : '';
            const who = out ? esc(m.sentBy ?? '') : '';
            return `<div class="t-row ${out ? 'out' : 'in'} ${bot ? 'bot' : ''} ${m.status === 'failed' ? 'failed' : ''}" data-testid="panel-msg" data-direction="${m.direction}" data-status="${esc(m.status ?? '')}" data-type="${esc(m.type)}">
              <div class="t-bubble">${tpl}${media}${m.media && m.text === m.media.filename ? '' : esc(m.text ?? '')}</div>
              <div class="t-meta">${who ? `${who} · ` : ''}${hhmm(Date.parse(m.sentAt))}${out ? ` ${tickHtml(m.status)}` : ''}</div>
              ${m.error ? `<div class="t-err">${esc(m.error.title ?? '')} ${esc(m.error.message ?? '')} (${esc(m.error.code)})</div>` : ''}</div>`;
          })
          .join('')
      : '<div class="t-empty">No WhatsApp messages with this contact yet.<br>Send a template to start a conversation.</div>';
    if (nearBottom || !th.dataset.seen) stickToBottom(th);
    th.dataset.seen = '1';
  }
}

async function act(what, fn) {
  if (state.busy) return;
  state.busy = true;
  hideError();
  renderPanel();
  try {
    const r = await fn();
    if (r && r.status >= 300) showError(apiError(r));
    state.lists.loadedAt = 0;
  } catch (e) {
    showError(`${what} failed: ${e.message}`);
  } finally {
    state.busy = false;
    await refreshNow();
  }
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
    if (gen === state.gen) await loadPanel(gen).catch((e) => {
      state.convError = e.message;
      renderPanel();
    });
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

  $('reply-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('reply-input').value.trim();
    const contact = state.hub?.contact;
    if (!text || !contact) return;
    void act('Send', async () => {
      const r = await hsFetch('POST', `/api/v1/contacts/${encodeURIComponent(contact.id)}/messages`, { text });
      if (r.status === 201 || r.status === 200) $('reply-input').value = '';
      return r;
    });
  });
  $('reply-input').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      $('reply-form').requestSubmit();
    }
  });
  $('quick-replies').addEventListener('change', () => {
    const v = $('quick-replies').value;
    const q = (state.lists.settings?.quickReplies ?? []).find((x) => (x.id || x.title) === v);
    if (q) {
      const ta = $('reply-input');
      ta.value = ta.value ? `${ta.value} ${q.text}` : q.text;
      ta.focus();
    }
    $('quick-replies').value = '';
  });
  $('assign-btn').addEventListener('click', () => {
    const conv = state.conv?.conversation;
    const agentId = $('assign-select').value;
    if (!conv || !agentId) return;
    void act('Assign', () => hsFetch('POST', `/api/v1/conversations/${encodeURIComponent(conv.id)}/assign`, { agentId }));
  });
  $('assign-me').addEventListener('click', () => {
    const conv = state.conv?.conversation;
    const agentId = state.lists.me?.agent?.agentId;
    if (!conv || !agentId) return;
    void act('Assign', () => hsFetch('POST', `/api/v1/conversations/${encodeURIComponent(conv.id)}/assign`, { agentId }));
  });
  $('resolve-btn').addEventListener('click', () => {
    const conv = state.conv?.conversation;
    const label = $('resolve-label').value;
    if (!conv) return;
    if (!label) return showError('Choose a resolution label first: resolving requires one.');
    void act('Resolve', () => hsFetch('POST', `/api/v1/conversations/${encodeURIComponent(conv.id)}/resolve`, { label }));
  });
  $('tpl-number').addEventListener('change', () => void loadTemplates($('tpl-number').value));
  $('tpl-name').addEventListener('change', renderTemplateParams);
  $('tpl-params').addEventListener('input', renderTemplatePreview);
  $('tpl-send').addEventListener('click', () => {
    const t = selectedTemplate();
    const contact = state.hub?.contact;
    if (!t || !contact) return;
    const parameters = [...$('tpl-params').querySelectorAll('input')].map((i) => i.value.trim());
    void act('Send template', () =>
      hsFetch('POST', `/api/v1/contacts/${encodeURIComponent(contact.id)}/template-messages`, {
        phoneNumberId: $('tpl-number').value,
        templateName: t.name,
        language: t.language,
        parameters,
      }),
    );
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
  renderSwitchers();
  void refreshNow();
}

void init();

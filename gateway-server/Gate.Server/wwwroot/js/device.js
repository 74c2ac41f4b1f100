import { t, word, applyTo } from './i18n.js';
import { h, clear, ago, dateTime } from './format.js';
import { api } from './api.js';
import { store, subscribe, can } from './store.js';
import { stateBadge, reasonText, beatStrip, powerText } from './devices.js';

const COMMANDS = ['raise_bollard', 'lower_bollard', 'drill_on', 'drill_off', 'reset_latch', 'reload_config', 'reboot'];
// Commands that move steel or drop the device off the network ask twice.
const CONFIRM = new Set(['raise_bollard', 'lower_bollard', 'reboot']);

/** One device: live state, commissioning record, commands and its event history. */
export function deviceView(root, id) {
  let device = null;
  let events = null;
  let message = null;
  let loadError = null;
  const body = h('div', { class: 'device-body' });
  root.append(h('section', { class: 'view view-device' },
    h('a', { href: '#/devices', class: 'back', 'data-i18n': 'device.back' }), body));

  async function load() {
    try {
      [device, events] = await Promise.all([api.device(id), api.deviceEvents(id)]);
      loadError = null;
    } catch (e) {
      loadError = e;
    }
    render();
  }

  async function send(name) {
    if (CONFIRM.has(name) && !window.confirm(t('device.confirmCommand', { command: word('command', name), device: device.name }))) { return; }
    try {
      await api.sendCommand(id, name);
      message = { ok: true, text: t('device.commandSent', { command: word('command', name) }) };
    } catch (e) {
      message = { ok: false, text: t('device.commandFailed', { command: word('command', name), message: e.message }) };
    }
    await load();
  }

  function render() {
    clear(body);
    applyTo(root);
    if (loadError) { body.append(h('p', { class: 'form-error', role: 'alert' }, loadError.status === 404 ? t('device.notFound') : t('common.error', { message: loadError.message }))); return; }
    if (!device) { body.append(h('p', { class: 'muted' }, t('common.loading'))); return; }
    const d = device;
    body.append(
      h('header', { class: `device-head state-${d.state}` },
        h('div', {}, h('h1', {}, d.name), h('p', { class: 'muted' }, `${d.district} · ${d.schoolName}${d.name !== d.id ? ` · ${d.id}` : ''}`)),
        stateBadge(d.state)),
      h('div', { class: 'device-summary' },
        h('p', { class: 'tile-reason' }, reasonText(d)),
        h('p', {}, t('device.lastSeen'), ' ', h('strong', { 'data-ago': d.lastSeen || '' }, ago(d.lastSeen, Date.now())),
          d.lastSeen ? h('span', { class: 'muted small' }, ` (${dateTime(d.lastSeen)})`) : null),
        beatStrip(d),
        h('dl', { class: 'facts-grid' },
          pair('devices.fw', d.firmware || t('common.none')),
          pair('devices.signal', d.rssi === null ? t('common.none') : d.rssi === 0 ? t('devices.wired') : t('devices.dbm', { n: d.rssi })),
          pair('devices.power', powerText(d)),
          pair('devices.outbox', d.outbox === null ? t('common.none') : String(d.outbox)),
          pair('device.bollard', word('bollard', d.bollard)),
          pair('device.barrier', word('barrier', d.barrier)),
          pair('device.interval', d.intervalS ? t('time.s', { n: d.intervalS }) : t('common.none')),
          pair('device.drill', d.drill ? t('common.yes') : t('common.no')))),
      ...[commandsCard(d), commissioningCard(d.commissioning), historyCard(events || [])].filter(Boolean));
  }

  function commandsCard(d) {
    if (!can.command()) { return null; }
    return h('section', { class: 'card' },
      h('h2', {}, t('device.commands')),
      message ? h('p', { class: message.ok ? 'form-ok' : 'form-error', role: 'status' }, message.text) : null,
      h('div', { class: 'command-buttons' }, COMMANDS.map(name => h('button', {
        type: 'button', class: `btn ${CONFIRM.has(name) ? 'btn-warn' : ''}`, 'data-command': name,
        disabled: d.state === 'never' ? true : null, onclick: () => send(name),
      }, word('command', name)))),
      h('p', { class: 'muted small' }, t('device.commandsHint')));
  }

  function commissioningCard(c) {
    const rows = c && typeof c === 'object' ? Object.entries(c).filter(([, v]) => v !== null && v !== undefined && v !== '') : [];
    return h('section', { class: 'card' },
      h('h2', {}, t('device.commissioning')),
      rows.length === 0 ? h('p', { class: 'muted' }, t('device.noCommissioning'))
        : h('dl', { class: 'facts-grid' }, rows.map(([k, v]) => pair(`commissioning.${k}`, formatValue(k, v)))));
  }

  function historyCard(list) {
    return h('section', { class: 'card' },
      h('h2', {}, t('device.history')),
      list.length === 0 ? h('p', { class: 'muted' }, t('device.noHistory')) :
        h('ol', { class: 'timeline' }, list.map(e => h('li', { class: `ev ev-${e.category}`, 'data-category': e.category },
          h('time', { datetime: e.at }, dateTime(e.at)),
          h('span', { class: `tag tag-${e.category}` }, word('category', e.category)),
          h('span', { class: 'ev-text' }, eventText(e)),
          e.actor ? h('span', { class: 'muted small' }, ` · ${e.actor}`) : null))));
  }

  const unsubscribe = subscribe(what => { if (what === 'devices') { load(); } });
  load();
  return {
    render,
    tick: () => root.querySelectorAll('[data-ago]').forEach(el => { el.textContent = ago(el.dataset.ago || null, Date.now()); }),
    destroy: unsubscribe,
  };
}

const TRACKER_STATES = { never_seen: 'never', unknown: 'late', online: 'online', late: 'late', offline: 'offline' };

function eventText(e) {
  // Liveness details read "offline -> online (connected)": shown with the page's own state and reason words.
  const m = e.category === 'liveness' && e.detail ? /^(\w+) -> (\w+) \((\w+)\)$/.exec(e.detail) : null;
  if (m) { return `${word('state', TRACKER_STATES[m[1]] || m[1])} → ${word('state', TRACKER_STATES[m[2]] || m[2])} · ${word('reason', m[3])}`; }
  const kind = word(e.category === 'alarm' ? 'kind' : e.category === 'command' ? 'command' : e.category === 'liveness' ? 'state' : 'event', e.kind);
  return e.detail ? `${kind} — ${word('detail', e.detail)}` : kind;
}

function pair(key, value) { return h('div', { class: 'fact' }, h('dt', {}, t(key)), h('dd', {}, value)); }

function formatValue(key, v) {
  if (typeof v === 'boolean') { return v ? t('common.yes') : t('common.no'); }
  if (/At$/.test(key) && typeof v === 'string') { return dateTime(v); }
  if (key === 'credential') { return word('credential', v); }
  if (key === 'placementStatus') { return word('placement', v); }
  return String(v);
}

import { t, applyTo } from './i18n.js';
import { h, clear, dateTime } from './format.js';
import { api } from './api.js';

/** The filter choices: each asks the server for the audit trail (category=security), one type or all of them. */
const FILTERS = [
  { key: 'all', types: null },
  { key: 'signIn', types: ['login_failed', 'login_locked'] },
  { key: 'accounts', types: ['user_created', 'api_key_created', 'api_key_revoked'] },
  { key: 'devices', types: ['credential_issued', 'credential_revoked', 'device_registered', 'device_replaced', 'device_decommissioned'] },
];

/** Security events for admins: who failed to sign in, which names were locked, whose keys and credentials changed. */
export function auditView(root) {
  let events = null;
  let error = null;
  let filter = sessionStorage.getItem('gate.auditFilter') || 'all';
  const select = h('select', { id: 'audit-filter' });
  const body = h('div', { class: 'audit-body' });
  select.addEventListener('change', () => { filter = select.value; sessionStorage.setItem('gate.auditFilter', filter); render(); });

  root.append(h('section', { class: 'view view-audit' },
    h('div', { class: 'view-head' },
      h('h1', { 'data-i18n': 'audit.title' }),
      h('div', { class: 'toolbar' }, h('label', { for: 'audit-filter', 'data-i18n': 'audit.filter' }), select)),
    body));

  async function load() {
    try { events = await api.securityEvents(); error = null; } catch (e) { error = e; }
    render();
  }

  function render() {
    applyTo(root);
    clear(select);
    for (const f of FILTERS) { select.append(h('option', { value: f.key, selected: f.key === filter }, t(`audit.${f.key}`))); }
    clear(body);
    if (error) { body.append(h('p', { class: 'form-error', role: 'alert' }, t('common.error', { message: error.message }))); return; }
    if (!events) { body.append(h('p', { class: 'muted' }, t('common.loading'))); return; }
    const types = (FILTERS.find(f => f.key === filter) || FILTERS[0]).types;
    const shown = types ? events.filter(e => types.includes(e.type)) : events;
    if (shown.length === 0) { body.append(h('p', { class: 'muted', id: 'audit-none' }, t('audit.none'))); return; }
    body.append(h('table', { class: 'table', id: 'audit-table' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('audit.time')), h('th', { scope: 'col' }, t('audit.type')),
        h('th', { scope: 'col' }, t('audit.actor')), h('th', { scope: 'col' }, t('audit.device')), h('th', { scope: 'col' }, t('audit.detail')))),
      h('tbody', {}, shown.map(e => h('tr', { 'data-type': e.type },
        h('td', {}, dateTime(e.at)), h('td', {}, t(`audit.type.${e.type}`)),
        h('td', {}, e.actor || ''), h('td', {}, e.deviceId || ''), h('td', {}, e.detail || ''))))));
  }

  load();
  return { render, destroy() {} };
}

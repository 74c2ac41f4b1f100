import { t, word, applyTo } from './i18n.js';
import { h, clear, ago } from './format.js';
import { store, subscribe } from './store.js';
import { STATES } from './api.js';

const FILTER_KEY = 'gate.deviceFilter';

/** Technician grid: every device, grouped by district and school, with counts, filters and a heartbeat strip. */
export function devicesView(root) {
  const saved = JSON.parse(sessionStorage.getItem(FILTER_KEY) || '{}');
  const filter = { q: saved.q || '', district: saved.district || '', state: saved.state || '', firmware: saved.firmware || '' };
  let unsubscribe = null;

  const counts = h('div', { class: 'counts', role: 'group', 'data-i18n-aria': 'devices.countsLabel' });
  const search = h('input', { type: 'search', id: 'f-q', 'data-i18n-placeholder': 'devices.searchPlaceholder', value: filter.q });
  const district = h('select', { id: 'f-district' });
  const state = h('select', { id: 'f-state' });
  const firmware = h('select', { id: 'f-fw' });
  const grid = h('div', { class: 'groups', id: 'device-groups' });
  const summary = h('p', { class: 'muted small', 'aria-live': 'polite' });

  const filters = h('form', { class: 'filters', role: 'search', onsubmit: e => e.preventDefault() },
    h('div', { class: 'field grow' }, h('label', { for: 'f-q', 'data-i18n': 'devices.search' }), search),
    h('div', { class: 'field' }, h('label', { for: 'f-district', 'data-i18n': 'devices.district' }), district),
    h('div', { class: 'field' }, h('label', { for: 'f-state', 'data-i18n': 'devices.state' }), state),
    h('div', { class: 'field' }, h('label', { for: 'f-fw', 'data-i18n': 'devices.firmware' }), firmware));

  root.append(h('section', { class: 'view view-devices' },
    h('div', { class: 'view-head' }, h('h1', { 'data-i18n': 'devices.title' }), summary),
    counts, filters, grid));

  const changed = () => {
    filter.q = search.value; filter.district = district.value; filter.state = state.value; filter.firmware = firmware.value;
    sessionStorage.setItem(FILTER_KEY, JSON.stringify(filter));
    renderGrid();
  };
  search.addEventListener('input', changed);
  for (const s of [district, state, firmware]) { s.addEventListener('change', changed); }

  function options(select, values, allKey, label) {
    const keep = select.value || filter[select === district ? 'district' : select === state ? 'state' : 'firmware'];
    clear(select);
    select.append(h('option', { value: '' }, t(allKey)));
    for (const v of values) { select.append(h('option', { value: v }, label ? label(v) : v)); }
    select.value = values.includes(keep) ? keep : '';
  }

  function matches(d) {
    if (filter.district && d.district !== filter.district) { return false; }
    if (filter.state && d.state !== filter.state) { return false; }
    if (filter.firmware && d.firmware !== filter.firmware) { return false; }
    if (filter.q) {
      const q = filter.q.trim().toLowerCase();
      const hay = `${d.id} ${d.name} ${d.schoolName} ${d.schoolId} ${d.district}`.toLowerCase();
      if (!hay.includes(q)) { return false; }
    }
    return true;
  }

  function renderCounts() {
    clear(counts);
    const all = store.devices;
    const n = s => all.filter(d => d.state === s).length;
    const card = (s, value) => h('button', {
      type: 'button', class: `count count-${s}${filter.state === s ? ' active' : ''}`, 'data-count': s,
      'aria-pressed': filter.state === s ? 'true' : 'false',
      onclick: () => { state.value = filter.state === s ? '' : s; changed(); renderCounts(); },
    }, h('span', { class: 'count-n' }, String(value)), h('span', { class: 'count-label' }, t(`state.${s}`)));
    counts.append(card('online', n('online')), card('late', n('late')), card('offline', n('offline')), card('never', n('never')),
      h('div', { class: 'count count-total' }, h('span', { class: 'count-n' }, String(all.length)), h('span', { class: 'count-label' }, t('devices.total'))));
  }

  function renderGrid() {
    clear(grid);
    if (!store.devicesLoaded) { grid.append(h('p', { class: 'muted' }, t('common.loading'))); return; }
    const shown = store.devices.filter(matches);
    summary.textContent = t('devices.showing', { n: shown.length, total: store.devices.length });
    if (shown.length === 0) { grid.append(h('p', { class: 'empty' }, t('devices.none'))); return; }
    const byDistrict = groupBy(shown, d => d.district || t('devices.noDistrict'));
    for (const [districtName, inDistrict] of byDistrict) {
      const bad = inDistrict.filter(d => d.state !== 'online').length;
      const section = h('section', { class: 'district', 'data-district': districtName },
        h('h2', {}, districtName, ' ', h('span', { class: 'muted small' }, t('devices.districtSummary', { n: inDistrict.length, bad }))));
      const schools = h('div', { class: 'schools' });
      section.append(schools);
      for (const [, inSchool] of groupBy(inDistrict, d => d.schoolId)) {
        const school = inSchool[0];
        schools.append(h('div', { class: 'school' },
          h('h3', {}, school.schoolName),
          h('ul', { class: 'tiles' }, inSchool.map(tile))));
      }
      grid.append(section);
    }
  }

  function render() {
    applyTo(root);
    options(district, unique(store.devices.map(d => d.district).filter(Boolean)), 'devices.allDistricts');
    options(state, STATES, 'devices.allStates', s => t(`state.${s}`));
    options(firmware, unique(store.devices.map(d => d.firmware).filter(Boolean)), 'devices.allFirmware');
    renderCounts();
    renderGrid();
  }

  unsubscribe = subscribe(what => { if (what === 'devices') { render(); } });

  return {
    render,
    tick: () => root.querySelectorAll('[data-ago]').forEach(el => { el.textContent = ago(el.dataset.ago || null, Date.now()); }),
    destroy: () => unsubscribe?.(),
  };
}

export function tile(d) {
  return h('li', { class: `tile state-${d.state}`, 'data-device': d.id, 'data-state': d.state },
    h('a', { href: `#/devices/${encodeURIComponent(d.id)}`, class: 'tile-link', 'aria-label': `${d.name} ${t(`state.${d.state}`)}` },
      h('div', { class: 'tile-head' },
        h('span', { class: 'tile-name' }, d.name, d.name !== d.id ? h('span', { class: 'tile-id' }, d.id) : null),
        stateBadge(d.state)),
      h('div', { class: 'tile-reason' }, reasonText(d)),
      h('div', { class: 'tile-seen' },
        h('span', { 'data-ago': d.lastSeen || '' }, ago(d.lastSeen, Date.now())),
        d.drill ? h('span', { class: 'tag tag-drill' }, t('devices.drillMode')) : null),
      beatStrip(d),
      h('dl', { class: 'tile-facts' },
        fact('devices.fw', d.firmware || t('common.none')),
        fact('devices.signal', d.rssi === null ? t('common.none') : d.rssi === 0 ? t('devices.wired') : t('devices.dbm', { n: d.rssi }), signalClass(d.rssi)),
        fact('devices.outbox', d.outbox === null ? t('common.none') : String(d.outbox), d.outbox > 0 ? 'warn' : ''),
        fact('devices.power', powerText(d), `wide ${d.mains === false ? 'warn' : ''}`))));
}

export function stateBadge(state) {
  return h('span', { class: `badge badge-${state}`, 'data-state-word': state }, h('span', { class: 'dot', 'aria-hidden': 'true' }), t(`state.${state}`));
}

export function reasonText(d) {
  if (!d.reason) { return t(`stateHint.${d.state}`); }
  return word('reason', d.reason);
}

export function powerText(d) {
  if (d.mains === null) { return t('common.none'); }
  const batt = d.batteryMv ? t('devices.volts', { v: (d.batteryMv / 1000).toFixed(2) }) : t('devices.noBattery');
  return `${d.mains ? t('devices.mains') : t('devices.onBattery')} · ${batt}`;
}

function signalClass(rssi) {
  if (rssi === null || rssi === 0) { return ''; }
  return rssi < -80 ? 'warn' : '';
}

function fact(key, value, cls) {
  return h('div', { class: `fact ${cls || ''}` }, h('dt', {}, t(key)), h('dd', {}, value));
}

/** The last N heartbeat slots, oldest first: a received beat is a bar, a missed one a gap (Uptime Kuma style). */
export function beatStrip(d) {
  const beats = d.beats.length ? d.beats : [];
  const missed = beats.filter(b => !b).length;
  const label = beats.length ? t('devices.beatsLabel', { n: beats.length, missed }) : t('devices.noBeats');
  return h('div', { class: 'beats', role: 'img', 'aria-label': label, title: label },
    beats.map(b => h('span', { class: b ? 'beat' : 'beat beat-miss' })));
}

function groupBy(items, key) {
  const map = new Map();
  for (const item of items) {
    const k = key(item);
    if (!map.has(k)) { map.set(k, []); }
    map.get(k).push(item);
  }
  return map;
}

function unique(values) { return [...new Set(values)].sort(); }

import { t, word, applyTo, currentLang } from './i18n.js';
import { h, clear, dateTime, percent } from './format.js';
import { api } from './api.js';

/**
 * Compliance: the provincial security statistics' columns per district, counted from what the devices prove
 * (online, and a police acknowledgement of an alarm or test within the window), never from a checkbox.
 */
export function complianceView(root) {
  let report = null;
  let error = null;
  let days = Number(sessionStorage.getItem('gate.complianceDays')) || null;
  let focusDistrict = '';
  const body = h('div', { class: 'compliance-body' });
  const daysInput = h('input', { type: 'number', id: 'c-days', min: '1', max: '366', class: 'narrow' });
  const csv = h('a', { class: 'btn', id: 'c-csv', download: '' });
  const print = h('button', { type: 'button', class: 'btn', onclick: () => window.print() });
  const meta = h('p', { class: 'muted small' });

  daysInput.addEventListener('change', () => {
    const v = Number(daysInput.value);
    if (Number.isInteger(v) && v >= 1 && v <= 366) { days = v; sessionStorage.setItem('gate.complianceDays', String(v)); load(); }
  });

  root.append(h('section', { class: 'view view-compliance' },
    h('div', { class: 'view-head' },
      h('h1', { 'data-i18n': 'compliance.title' }),
      h('div', { class: 'toolbar no-print' },
        h('label', { for: 'c-days', 'data-i18n': 'compliance.window' }), daysInput, csv, print)),
    meta, body));

  async function load() {
    try { report = await api.compliance(days); error = null; } catch (e) { error = e; }
    render();
  }

  function render() {
    applyTo(root);
    csv.textContent = t('compliance.exportCsv');
    print.textContent = t('compliance.print');
    clear(body);
    if (error) { body.append(h('p', { class: 'form-error', role: 'alert' }, t('common.error', { message: error.message }))); return; }
    if (!report) { body.append(h('p', { class: 'muted' }, t('common.loading'))); return; }
    daysInput.value = String(report.windowDays);
    csv.href = api.complianceCsvUrl(report.windowDays, currentLang());
    meta.textContent = t('compliance.meta', { days: report.windowDays, at: dateTime(report.generatedAt) });

    const head = h('tr', {},
      h('th', { scope: 'col' }, t('compliance.district')),
      h('th', { scope: 'col', class: 'num' }, t('compliance.campuses')),
      h('th', { scope: 'col', class: 'num' }, t('compliance.linked')),
      h('th', { scope: 'col', class: 'num' }, t('compliance.linkedPct')),
      h('th', { scope: 'col', class: 'num' }, t('compliance.antiRam')),
      h('th', { scope: 'col', class: 'num' }, t('compliance.antiRamPct')));
    const row = (r, total) => h('tr', { class: total ? 'total' : focusDistrict === r.district ? 'focus' : '', 'data-district': total ? '' : r.district },
      total ? h('th', { scope: 'row' }, t('compliance.total')) : h('th', { scope: 'row' },
        h('button', { type: 'button', class: 'linklike', onclick: () => { focusDistrict = focusDistrict === r.district ? '' : r.district; render(); } }, r.district)),
      h('td', { class: 'num', 'data-col': 'campuses' }, String(r.campuses)),
      h('td', { class: 'num', 'data-col': 'linked' }, String(r.linked)),
      h('td', { class: 'num' }, meter(r.linked, r.campuses)),
      h('td', { class: 'num', 'data-col': 'antiRam' }, String(r.antiRam)),
      h('td', { class: 'num' }, meter(r.antiRam, r.campuses)));
    body.append(h('div', { class: 'table-wrap' }, h('table', { class: 'stats', id: 'compliance-table' },
      h('caption', { class: 'visually-hidden' }, t('compliance.title')),
      h('thead', {}, head),
      h('tbody', {}, report.districts.map(r => row(r, false))),
      h('tfoot', {}, row(report.totals, true)))));

    const out = report.campuses.filter(c => !(c.linked && c.antiRam) && (!focusDistrict || c.district === focusDistrict));
    body.append(h('section', { class: 'card' },
      h('h2', {}, focusDistrict ? t('compliance.outOfComplianceIn', { district: focusDistrict, n: out.length }) : t('compliance.outOfCompliance', { n: out.length })),
      out.length === 0 ? h('p', { class: 'muted' }, t('compliance.allGood')) :
        h('ul', { class: 'reasons' }, out.map(c => h('li', { 'data-school': c.schoolId },
          h('strong', {}, c.name), h('span', { class: 'muted' }, ` · ${c.district}`),
          h('ul', {}, c.reasons.map(r => h('li', { 'data-reason': r.code }, reasonText(r)))))))));
  }

  load();
  return { render, destroy: () => {} };
}

function meter(part, whole) {
  const p = whole ? part / whole : 0;
  return h('span', { class: 'meter-cell' },
    h('span', { class: 'meter', 'aria-hidden': 'true' }, h('span', { class: `meter-fill ${p < 0.6 ? 'low' : p < 0.9 ? 'mid' : ''}`, style: `width:${(p * 100).toFixed(1)}%` })),
    h('span', {}, percent(part, whole)));
}

function reasonText(r) {
  const params = { ...(r.params || {}) };
  if (params.at) { params.at = dateTime(params.at); }
  if (params.state) { params.state = word('state', params.state); }
  if (params.bollard) { params.bollard = word('bollard', params.bollard); }
  return t(`complianceReason.${r.code}`, params);
}

import { t, applyTo, currentLang } from './i18n.js';
import { h, clear, dateTime } from './format.js';
import { api } from './api.js';

/**
 * The monthly statistics return: the annex's columns per district, each city's subtotal and the province's total,
 * with the two heading rows of the printed form, an XLSX/CSV export of the same month and a print button.
 */
export function returnsView(root) {
  let index = null;
  let report = null;
  let error = null;
  let month = sessionStorage.getItem('gate.returnsMonth') || '';
  const body = h('div', { class: 'returns-body' });
  const monthInput = h('input', { type: 'month', id: 'r-month', class: 'narrow' });
  const xlsx = h('a', { class: 'btn', id: 'r-xlsx', download: '' });
  const csv = h('a', { class: 'btn', id: 'r-csv', download: '' });
  const print = h('button', { type: 'button', class: 'btn', onclick: () => window.print() });
  const meta = h('p', { class: 'muted small', id: 'r-meta' });

  monthInput.addEventListener('change', () => {
    if (/^\d{4}-\d{2}$/.test(monthInput.value)) { month = monthInput.value; sessionStorage.setItem('gate.returnsMonth', month); load(); }
  });

  root.append(h('section', { class: 'view view-returns' },
    h('div', { class: 'view-head' },
      h('h1', { 'data-i18n': 'returns.title' }),
      h('div', { class: 'toolbar no-print' },
        h('label', { for: 'r-month', 'data-i18n': 'returns.month' }), monthInput, xlsx, csv, print)),
    meta, body));

  async function load() {
    try {
      index = index || await api.returnsIndex();
      if (!month || month > index.currentMonth) { month = index.currentMonth; }
      report = await api.monthlyReturn(month);
      error = null;
    } catch (e) { error = e; }
    render();
  }

  function render() {
    applyTo(root);
    xlsx.textContent = t('returns.exportXlsx');
    csv.textContent = t('returns.exportCsv');
    print.textContent = t('returns.print');
    clear(body);
    if (error) { body.append(h('p', { class: 'form-error', role: 'alert' }, t('common.error', { message: error.message }))); return; }
    if (!report) { body.append(h('p', { class: 'muted' }, t('common.loading'))); return; }
    const english = currentLang() === 'en';
    monthInput.value = report.month;
    if (index) { monthInput.max = index.currentMonth; }
    xlsx.href = api.returnExportUrl(report.month, 'xlsx', currentLang());
    csv.href = api.returnExportUrl(report.month, 'csv', currentLang());
    meta.textContent = report.closed
      ? t('returns.closedMeta', { by: report.closedBy, at: dateTime(report.closedAt) })
      : t('returns.openMeta', { days: report.linkValidityDays, at: dateTime(report.generatedAt) });

    const columns = report.columns;
    const group = c => english ? c.groupEn : c.groupZh;
    const heading = c => english ? c.headingEn : c.headingZh;
    // The printed form's two heading rows: a group over its columns; a column that is its own group spans both.
    const top = [h('th', { scope: 'col', rowspan: '2' }, t('returns.district'))];
    const second = [];
    for (let i = 0; i < columns.length;) {
      let end = i;
      while (end + 1 < columns.length && group(columns[end + 1]) === group(columns[i])) { end++; }
      if (end === i && group(columns[i]) === heading(columns[i])) {
        top.push(h('th', { scope: 'col', rowspan: '2', 'data-col': columns[i].key }, heading(columns[i])));
      } else {
        top.push(h('th', { scope: 'colgroup', colspan: String(end - i + 1) }, group(columns[i])));
        for (let c = i; c <= end; c++) {
          second.push(h('th', { scope: 'col', 'data-col': columns[c].key, class: columns[c].source === 'measured' ? 'measured' : '' },
            heading(columns[c]), columns[c].source === 'measured' ? h('span', { class: 'muted small' }, ` (${t('returns.measured')})`) : null));
        }
      }
      i = end + 1;
    }

    const line = (label, values, attrs) => h('tr', attrs, h('th', { scope: 'row' }, label),
      columns.map(c => h('td', { class: 'num', 'data-col': c.key }, String(values[c.key] ?? 0))));
    const rows = [];
    for (const city of report.cities) {
      const alone = city.districts.length === 1 && city.districts[0].district === city.city;
      if (!alone) {
        for (const d of city.districts) { rows.push(line(d.district || t('returns.noDistrict'), d.values, { 'data-district': d.district, 'data-city': city.city })); }
      }
      rows.push(line(alone ? city.city : t('returns.subtotal', { city: city.city }), city.totals,
        { class: alone ? '' : 'subtotal', 'data-city': city.city, 'data-district': alone ? city.city : '' }));
    }

    body.append(h('div', { class: 'table-wrap' }, h('table', { class: 'stats', id: 'returns-table' },
      h('caption', { class: 'visually-hidden' }, t('returns.title')),
      h('thead', {}, h('tr', {}, top), h('tr', {}, second)),
      h('tbody', {}, rows),
      h('tfoot', {}, line(report.province ? t('returns.totalOf', { province: report.province }) : t('returns.total'), report.totals, { class: 'total' })))));

    // The directives ask for a drill a month per school: the ones the month's drill column does not count.
    const missing = report.missingDrills || [];
    body.append(h('section', { class: 'card', id: 'r-missing-drills' },
      h('h2', {}, t('returns.missingDrills', { n: missing.length })),
      missing.length === 0 ? h('p', { class: 'muted' }, t('returns.allDrilled')) :
        h('ul', {}, missing.map(m => h('li', { 'data-school': m.schoolId }, h('strong', {}, m.name), h('span', { class: 'muted' }, ` · ${m.district || t('returns.noDistrict')}`))))));
  }

  load();
  return { render, destroy: () => {} };
}

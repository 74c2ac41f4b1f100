import { t, currentLang } from './i18n.js';

/** "12 s ago", "3 min ago", "2 h ago", "4 d ago" from an ISO time, against the page's clock (corrected by server skew). */
export function ago(iso, nowMs) {
  if (!iso) { return t('time.never'); }
  const ms = Math.max(0, nowMs - Date.parse(iso));
  const s = Math.floor(ms / 1000);
  if (s < 60) { return t('time.secondsAgo', { n: s }); }
  const m = Math.floor(s / 60);
  if (m < 60) { return t('time.minutesAgo', { n: m }); }
  const h = Math.floor(m / 60);
  if (h < 48) { return t('time.hoursAgo', { n: h }); }
  return t('time.daysAgo', { n: Math.floor(h / 24) });
}

export function duration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) { return t('common.none'); }
  if (ms < 1000) { return t('time.ms', { n: Math.round(ms) }); }
  const s = ms / 1000;
  if (s < 60) { return t('time.s', { n: s < 10 ? s.toFixed(1) : Math.round(s) }); }
  return t('time.min', { n: Math.round(s / 60) });
}

export function dateTime(iso) {
  if (!iso) { return t('common.none'); }
  const d = new Date(iso);
  return d.toLocaleString(currentLang() === 'zh-CN' ? 'zh-CN' : 'en-GB', {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  });
}

export function time(iso) {
  if (!iso) { return t('common.none'); }
  return new Date(iso).toLocaleTimeString(currentLang() === 'zh-CN' ? 'zh-CN' : 'en-GB', { hour12: false });
}

export function percent(part, whole) {
  if (!whole) { return '–'; }
  return `${(100 * part / whole).toFixed(1)}%`;
}

/** Builds DOM without innerHTML so server text can never inject markup. h('div', {class:'x'}, child, 'text'). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (value === false || value === null || value === undefined) { continue; }
      if (name.startsWith('on') && typeof value === 'function') { el.addEventListener(name.slice(2), value); }
      else if (name === 'dataset') { Object.assign(el.dataset, value); }
      // Through the CSSOM: the Content-Security-Policy refuses style="" attributes (style-src 'self').
      else if (name === 'style') { el.style.cssText = value; }
      else if (value === true) { el.setAttribute(name, ''); }
      else { el.setAttribute(name, value); }
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) { continue; }
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) { while (el.firstChild) { el.removeChild(el.firstChild); } return el; }

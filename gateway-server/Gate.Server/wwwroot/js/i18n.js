// Text lives in i18n/{lang}.json; markup carries only keys (data-i18n, data-i18n-aria, data-i18n-placeholder).
// zh-CN is the default; the English switch is remembered in localStorage.
const STORAGE_KEY = 'gate.lang';
export const LANGS = ['zh-CN', 'en'];
let lang = 'zh-CN';
let dict = {};
let fallback = {};

export function currentLang() { return lang; }

export async function loadLanguage(wanted) {
  const chosen = LANGS.includes(wanted) ? wanted : (LANGS.includes(localStorage.getItem(STORAGE_KEY)) ? localStorage.getItem(STORAGE_KEY) : 'zh-CN');
  const [main, zh] = await Promise.all([fetchDict(chosen), chosen === 'zh-CN' ? null : fetchDict('zh-CN')]);
  dict = main;
  fallback = zh || main;
  lang = chosen;
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
  applyTo(document);
}

async function fetchDict(name) {
  const response = await fetch(`i18n/${name}.json`, { cache: 'no-cache' });
  if (!response.ok) { throw new Error(`i18n ${name}: ${response.status}`); }
  return response.json();
}

/** t('devices.lastSeen', { ago: '12 s' }) looks the key up and fills {placeholders}. A missing key shows itself. */
export function t(key, params) {
  let text = dict[key] ?? fallback[key];
  if (text === undefined) { return key; }
  if (params) {
    text = text.replace(/\{(\w+)\}/g, (m, name) => (params[name] === undefined || params[name] === null ? m : String(params[name])));
  }
  return text;
}

/** t() for a count: uses `${key}.one` when the count is 1 and such a key exists ("1 attempt", not "1 attempts"). */
export function plural(key, count, params) {
  const one = `${key}.one`;
  return t(count === 1 && (dict[one] !== undefined || fallback[one] !== undefined) ? one : key, { ...params, count });
}

/** Has a translation for this key (used for server words such as reasons that may be new to the page). */
export function has(key) { return dict[key] !== undefined || fallback[key] !== undefined; }

/** Translate a server word (state, alarm kind, reason) with a readable fallback. */
export function word(group, value) {
  if (value === null || value === undefined || value === '') { return t('common.none'); }
  const key = `${group}.${value}`;
  return has(key) ? t(key) : String(value).replace(/_/g, ' ');
}

export function applyTo(root) {
  root.querySelectorAll('[data-i18n]').forEach(el => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll('[data-i18n-aria]').forEach(el => { el.setAttribute('aria-label', t(el.dataset.i18nAria)); });
  root.querySelectorAll('[data-i18n-placeholder]').forEach(el => { el.setAttribute('placeholder', t(el.dataset.i18nPlaceholder)); });
  root.querySelectorAll('[data-i18n-title]').forEach(el => { el.setAttribute('title', t(el.dataset.i18nTitle)); });
  root.querySelectorAll('[data-lang-switch]').forEach(el => { el.textContent = t('lang.switchTo'); el.setAttribute('aria-label', t('lang.switchLabel')); });
  if (root === document) { document.title = t('app.title'); }
}

export function otherLang() { return lang === 'zh-CN' ? 'en' : 'zh-CN'; }

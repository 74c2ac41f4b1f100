import { loadLanguage, otherLang, t, applyTo } from './i18n.js';
import { api, setUnauthorizedHandler, ApiError } from './api.js';
import { LiveConnection, topicsOf, debounce } from './live.js';
import { store, loadDevices, loadAlarms, subscribe, roleOf, deliveryTroubleCount } from './store.js';
import { ring } from './alert.js';
import { devicesView } from './devices.js';
import { deviceView } from './device.js';
import { dutyView } from './duty.js';
import { complianceView } from './compliance.js';
import { returnsView } from './returns.js';
import { auditView } from './audit.js';

const $ = id => document.getElementById(id);
const live = new LiveConnection();
let current = null;      // { name, view, param }
let tick = null;

const routes = [
  { name: 'devices', pattern: /^#\/devices\/?$/, view: devicesView },
  { name: 'devices', pattern: /^#\/devices\/(.+)$/, view: deviceView },
  { name: 'duty', pattern: /^#\/duty\/?$/, view: dutyView },
  { name: 'compliance', pattern: /^#\/compliance\/?$/, view: complianceView },
  { name: 'returns', pattern: /^#\/returns\/?$/, view: returnsView },
  { name: 'audit', pattern: /^#\/audit\/?$/, view: auditView },
];

async function boot() {
  await loadLanguage();
  document.querySelectorAll('[data-lang-switch]').forEach(b => b.addEventListener('click', switchLanguage));
  $('login-form').addEventListener('submit', onLogin);
  $('logout').addEventListener('click', onLogout);
  setUnauthorizedHandler(showLogin);
  window.addEventListener('hashchange', route);
  document.body.classList.remove('booting');
  try {
    store.me = await api.me();
    await enterApp();
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) { console.error(e); }
    showLogin();
  }
}

async function switchLanguage() {
  await loadLanguage(otherLang());
  renderShell();
  if (current) { current.instance.render(); }
}

function showLogin() {
  live.stop();
  ring(null);
  if (tick) { clearInterval(tick); tick = null; }
  if (current) { current.instance.destroy?.(); current = null; }
  store.me = null;
  $('app-view').hidden = true;
  $('conn-banner').hidden = true;
  $('trouble-banner').hidden = true;
  $('login-view').hidden = false;
  $('login-user').focus();
}

async function onLogin(e) {
  e.preventDefault();
  const error = $('login-error');
  error.hidden = true;
  try {
    await api.login($('login-user').value.trim(), $('login-pass').value);
    store.me = await api.me();
    $('login-pass').value = '';
    await enterApp();
  } catch (err) {
    error.textContent = err instanceof ApiError && (err.status === 401 || err.status === 400) ? t('login.failed') : t('common.error', { message: err.message });
    error.hidden = false;
  }
}

async function onLogout() {
  try { await api.logout(); } catch { /* the cookie is gone either way */ }
  showLogin();
}

const refreshDevices = debounce(loadDevices, 400);
const refreshAlarms = debounce(loadAlarms, 150);

async function enterApp() {
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  renderShell();
  live.onEvent(type => {
    const topics = topicsOf(type);
    if (topics.has('devices')) { refreshDevices(); }
    if (topics.has('alarms')) { refreshAlarms(); }
  });
  live.onState((state, was) => {
    renderConnection(state);
    // Anything may have changed while we were away: reload both read models once the stream is back.
    if (state === 'live' && was === 'lost') { refreshDevices(); refreshAlarms(); }
  });
  live.start();
  subscribe(what => { if (what === 'alarms') { renderShell(); } });
  tick = setInterval(() => current?.instance.tick?.(), 1000);
  // Heartbeats are not pushed one by one (only changes of state are); refresh the strips and figures now and then.
  setInterval(() => { if (store.me && live.state === 'live') { refreshDevices(); } }, 15000);
  // Land on the role's home view at once: the duty officer must see the console even if a read model is slow or fails to load.
  if (!location.hash || location.hash === '#' || location.hash === '#/') {
    location.replace(roleOf(store.me) === 'duty_officer' ? '#/duty' : '#/devices');
  }
  await Promise.allSettled([loadDevices(), loadAlarms()]);
  route();
}

function renderShell() {
  const me = store.me;
  $('user-name').textContent = me ? `${me.user || me.name || ''} · ${t(`role.${roleOf(me)}`)}` : '';
  const open = store.alarms.filter(a => a.status === 'open' && !a.isTest).length;
  const pill = $('duty-count');
  pill.hidden = open === 0;
  pill.textContent = String(open);
  pill.setAttribute('aria-label', t('duty.openCount', { n: open }));
  $('nav-audit').hidden = roleOf(me) !== 'admin';
  const trouble = deliveryTroubleCount();
  const banner = $('trouble-banner');
  banner.hidden = trouble === 0;
  banner.textContent = trouble ? t('duty.troubleBanner', { n: trouble }) : '';
  document.querySelectorAll('[data-nav]').forEach(a => {
    if (current && a.dataset.nav === current.name) { a.setAttribute('aria-current', 'page'); } else { a.removeAttribute('aria-current'); }
  });
  applyTo($('app-view').querySelector('.topbar'));
  renderConnection(live.state);
}

function renderConnection(state) {
  const indicator = $('live-indicator');
  indicator.dataset.state = state;
  $('live-text').textContent = t(`conn.${state}`);
  $('conn-banner').hidden = state !== 'lost';
  document.body.dataset.connection = state;
}

function route() {
  if (!store.me) { return; }
  const hash = location.hash || '#/devices';
  let match = null;
  let chosen = routes[0];
  for (const r of routes) {
    match = hash.match(r.pattern);
    if (match) { chosen = r; break; }
  }
  const param = match && match[1] ? decodeURIComponent(match[1]) : null;
  if (current && current.view === chosen.view && current.param === param) { return; }
  current?.instance.destroy?.();
  const main = $('main');
  while (main.firstChild) { main.removeChild(main.firstChild); }
  const instance = chosen.view(main, param);
  current = { name: chosen.name, view: chosen.view, param, instance };
  document.body.dataset.view = chosen.view === deviceView ? 'device' : chosen.name;
  renderShell();
  instance.render();
}

boot();

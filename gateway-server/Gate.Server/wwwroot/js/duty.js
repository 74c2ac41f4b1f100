import { t, plural, word, applyTo } from './i18n.js';
import { h, clear, ago, time, duration } from './format.js';
import { api } from './api.js';
import { store, subscribe, can, sortAlarms, deliveryTroubleCount, failingPaths, loadAlarms } from './store.js';
import { enableSound, soundState } from './alert.js';

/** Duty console: open alarms, most urgent first, with their delivery trail to the police; acknowledge and resolve. */
export function dutyView(root) {
  const drafts = new Map();       // alarm id -> note being typed, kept across live re-renders
  let flash = null;
  const list = h('div', { class: 'alarms', id: 'alarm-list', 'aria-live': 'assertive' });
  const soundButton = h('button', { type: 'button', class: 'btn btn-sm', id: 'sound-toggle', onclick: async () => { await enableSound(); render(); } });
  const trouble = h('div', { class: 'trouble-card', role: 'alert', hidden: true });
  const status = h('p', { class: 'form-ok', role: 'status', hidden: true });
  root.append(h('section', { class: 'view view-duty' },
    h('div', { class: 'view-head' }, h('h1', { 'data-i18n': 'duty.title' }), soundButton),
    trouble, status, list));

  async function act(alarm, action) {
    const note = (drafts.get(alarm.id) || '').trim();
    if (action === 'resolve' && !note) { flash = { id: alarm.id, text: t('duty.noteRequired') }; render(); return; }
    try {
      if (action === 'ack') { await api.acknowledge(alarm.id, note || null); } else { await api.resolve(alarm.id, note); }
      drafts.delete(alarm.id);
      flash = null;
      status.hidden = false;
      status.textContent = t(action === 'ack' ? 'duty.acknowledgedBy' : 'duty.resolvedDone', { who: store.me?.user || '', kind: word('kind', alarm.kind), school: alarm.schoolName });
    } catch (e) {
      flash = { id: alarm.id, text: t('common.error', { message: e.message }) };
    }
    await loadAlarms();
  }

  function card(a) {
    const real = !a.isTest;
    const cls = ['alarm-card', real ? (a.lifeSafety ? 'alarm-life' : 'alarm-real') : 'alarm-test', `status-${a.status}`];
    if (a.delivery && a.delivery.trouble) { cls.push('alarm-trouble'); }
    if (a.restore) { cls.push('alarm-restore'); }
    const note = h('textarea', { rows: '2', id: `note-${a.id}`, placeholder: t('duty.notePlaceholder') });
    note.value = drafts.get(a.id) || '';
    note.addEventListener('input', () => drafts.set(a.id, note.value));
    return h('article', { class: cls.join(' '), 'data-alarm': a.id, 'data-kind': a.kind, 'data-test': a.isTest ? 'true' : 'false', 'data-status': a.status },
      h('header', { class: 'alarm-head' },
        h('div', { class: 'alarm-kind' },
          real ? h('span', { class: 'siren', 'aria-hidden': 'true' }) : null,
          h('span', {}, word('kind', a.kind)),
          a.restore ? h('span', { class: 'tag' }, t('duty.restore')) : null,
          !real ? h('span', { class: 'tag tag-test' }, t('duty.testTag')) : null),
        h('span', { class: `tag tag-status-${a.status}` }, word('alarmStatus', a.status))),
      h('div', { class: 'alarm-where' },
        h('strong', {}, a.schoolName), h('span', {}, ` · ${word('zone', a.zone)} · ${a.deviceName}`), h('span', { class: 'muted' }, ` · ${a.district}`)),
      h('div', { class: 'alarm-when' },
        h('time', { datetime: a.raisedAt }, time(a.raisedAt)), ' ',
        h('span', { class: 'muted', 'data-ago': a.raisedAt }, ago(a.raisedAt, Date.now())),
        a.detail ? h('span', { class: 'muted' }, ` · ${word('detail', a.detail)}`) : null),
      trail(a),
      a.acknowledgedBy ? h('p', { class: 'audit' }, t('duty.ackAudit', { who: a.acknowledgedBy, at: time(a.acknowledgedAt) }), a.note ? ` — ${a.note}` : '') : null,
      flash && flash.id === a.id ? h('p', { class: 'form-error', role: 'alert' }, flash.text) : null,
      can.acknowledge() ? h('div', { class: 'alarm-actions' },
        h('label', { for: `note-${a.id}`, class: 'visually-hidden' }, t('duty.note')), note,
        a.status === 'open' ? h('button', { type: 'button', class: 'btn btn-primary', 'data-action': 'ack', onclick: () => act(a, 'ack') }, t('duty.acknowledge')) : null,
        h('button', { type: 'button', class: 'btn', 'data-action': 'resolve', onclick: () => act(a, 'resolve') }, t('duty.resolve'))) : null);
  }

  function trail(a) {
    const d = a.delivery || {};
    const step = (key, done, at, extra, bad) => h('li', { class: `step ${done ? 'done' : ''} ${bad ? 'bad' : ''}`, 'data-step': key },
      h('span', { class: 'step-mark', 'aria-hidden': 'true' }, done ? '✓' : bad ? '!' : '·'),
      h('span', { class: 'step-name' }, t(`delivery.${key}`)),
      h('span', { class: 'step-at' }, at ? time(at) : done ? '' : t(bad ? 'delivery.failing' : 'delivery.pending')),
      extra ? h('span', { class: 'step-extra' }, extra) : null);
    return h('ol', { class: 'trail', 'aria-label': t('delivery.label') },
      step('received', true, a.receivedAt),
      step('forwarded', !!d.forwardedAt, d.forwardedAt, d.path ? word('path', d.path) : null, d.trouble && !d.forwardedAt),
      step('police_ack', !!d.policeAckAt, d.policeAckAt, d.latencyMs !== null && d.latencyMs !== undefined ? t('delivery.latency', { d: duration(d.latencyMs) }) : null, d.trouble && !d.policeAckAt),
      d.trouble ? h('li', { class: 'step bad trouble-note' }, plural('delivery.trouble', d.attempts ?? 0, { reason: word('troubleReason', d.troubleReason || 'no_ack'), attempts: d.attempts ?? 0 })) : null);
  }

  function render() {
    applyTo(root);
    const state = soundState();
    soundButton.textContent = t(state === 'on' ? 'duty.soundOn' : 'duty.soundEnable');
    soundButton.classList.toggle('btn-primary', state !== 'on');
    soundButton.setAttribute('aria-pressed', state === 'on' ? 'true' : 'false');
    const troubles = deliveryTroubleCount();
    trouble.hidden = troubles === 0;
    clear(trouble);
    if (troubles) {
      trouble.append(h('strong', {}, t('duty.troubleTitle')), h('p', {}, t('duty.troubleBody', { n: troubles })),
        ...failingPaths().map(p => h('p', { class: 'small' }, t('duty.receiverDown', { name: `${p.receiver} (${word('path', p.path)})`, reason: p.lastError || '' }))));
    }
    clear(list);
    if (!store.alarmsLoaded) { list.append(h('p', { class: 'muted' }, t('common.loading'))); return; }
    const alarms = sortAlarms(store.alarms);
    if (alarms.length === 0) { list.append(h('div', { class: 'calm' }, h('span', { class: 'calm-mark', 'aria-hidden': 'true' }, '✓'), t('duty.none'))); return; }
    // Keep focus in the note being typed while live updates re-render the list.
    const focused = document.activeElement && document.activeElement.id;
    list.append(...alarms.map(card));
    if (focused && focused.startsWith('note-')) { document.getElementById(focused)?.focus(); }
  }

  const unsubscribe = subscribe(what => { if (what === 'alarms') { render(); } });
  return {
    render,
    tick: () => root.querySelectorAll('[data-ago]').forEach(el => { el.textContent = ago(el.dataset.ago, Date.now()); }),
    destroy: unsubscribe,
  };
}

import { api } from './api.js';
import { ring } from './alert.js';

// What every view reads: the signed-in user, the devices, the open alarms and the police delivery status.
// Views subscribe and re-render on change; loads are triggered by the router and by live events.
export const store = {
  me: null,
  devices: [],
  devicesLoaded: false,
  alarms: [],
  alarmsLoaded: false,
  delivery: null,
  error: null,
  listeners: new Set(),
};

export function subscribe(fn) { store.listeners.add(fn); return () => store.listeners.delete(fn); }
function emit(what) { for (const fn of store.listeners) { fn(what); } }

export function roleOf(me) {
  if (!me) { return null; }
  const roles = Array.isArray(me.roles) ? me.roles : [me.role];
  for (const r of ['admin', 'duty_officer', 'technician', 'viewer']) {
    if (roles.includes(r)) { return r; }
  }
  return roles[0] || 'viewer';
}

export const can = {
  command: () => ['admin', 'technician'].includes(roleOf(store.me)),
  acknowledge: () => ['admin', 'duty_officer'].includes(roleOf(store.me)),
};

export async function loadDevices() {
  try {
    store.devices = await api.devices();
    store.devicesLoaded = true;
    store.error = null;
  } catch (e) {
    store.error = e;
  }
  emit('devices');
}

export async function loadAlarms() {
  try {
    store.alarms = await api.openAlarms();
    store.alarmsLoaded = true;
    store.error = null;
  } catch (e) {
    store.error = e;
  }
  try { store.delivery = await api.deliveryStatus(); } catch { store.delivery = null; }
  updateRinging();
  emit('alarms');
}

/** An alarm rings until a person acknowledges it; delivery trouble rings until the police acknowledge again. */
export function updateRinging() {
  const alarmRings = store.alarms.some(a => !a.isTest && a.status === 'open' && !a.restore);
  const troubleRings = deliveryTroubleCount() > 0;
  ring(alarmRings ? 'alarm' : troubleRings ? 'trouble' : null);
}

/** Real alarms the police have not acknowledged in time, plus one when every path to the police is failing. */
export function deliveryTroubleCount() {
  const fromAlarms = store.alarms.filter(a => a.delivery && a.delivery.trouble).length;
  const paths = failingPaths();
  const all = store.delivery && Array.isArray(store.delivery.paths) ? store.delivery.paths : [];
  return fromAlarms + (all.length > 0 && paths.length === all.length ? 1 : 0);
}

/** Paths to the police that failed on their last try (a failing backup is shown, but only all failing is trouble). */
export function failingPaths() {
  const all = store.delivery && Array.isArray(store.delivery.paths) ? store.delivery.paths : [];
  return all.filter(p => p.consecutiveFailures > 0);
}

export function urgency(a) {
  // Lower sorts first: unacknowledged real life-safety alarms, then delivery trouble, other real alarms, acknowledged,
  // and tests last; ties go to the one waiting longest.
  let rank = 50;
  if (!a.isTest) {
    if (a.status === 'open') { rank = a.lifeSafety ? 0 : 20; }
    else { rank = 30; }
    if (a.delivery && a.delivery.trouble) { rank = Math.min(rank, 10); }
  } else {
    rank = a.status === 'open' ? 40 : 45;
  }
  return rank;
}

export function sortAlarms(alarms) {
  return [...alarms].sort((x, y) => urgency(x) - urgency(y) || Date.parse(x.receivedAt) - Date.parse(y.receivedAt));
}

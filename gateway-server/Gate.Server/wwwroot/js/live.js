// Server-Sent Events: the server pushes every change; the page refetches the affected read model (debounced), so it
// never depends on the exact shape of an event, only on its name. The connection state is shown to the user:
// a page that silently stopped updating is worse than no page.
export const STREAM_URL = '/api/status-page/stream';

export class LiveConnection {
  constructor(url = STREAM_URL) {
    this.url = url;
    this.state = 'connecting';
    this.listeners = new Set();
    this.stateListeners = new Set();
    this.source = null;
  }

  onEvent(fn) { this.listeners.add(fn); return () => this.listeners.delete(fn); }
  onState(fn) { this.stateListeners.add(fn); fn(this.state); return () => this.stateListeners.delete(fn); }

  start() {
    this.stop();
    const source = new EventSource(this.url, { withCredentials: true });
    this.source = source;
    source.onopen = () => this.setState('live');
    source.onerror = () => {
      // EventSource retries by itself while readyState is CONNECTING; CLOSED means it gave up (e.g. 401 or 5xx).
      this.setState('lost');
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(() => { if (this.source === source) { this.start(); } }, 3000);
      }
    };
    source.onmessage = e => this.dispatch('message', e.data);
    for (const name of LiveConnection.EVENT_NAMES) {
      source.addEventListener(name, e => this.dispatch(name, e.data));
    }
  }

  stop() {
    if (this.source) { this.source.close(); this.source = null; }
  }

  setState(state) {
    if (state === this.state) { return; }
    const was = this.state;
    this.state = state;
    for (const fn of this.stateListeners) { fn(state, was); }
  }

  dispatch(name, data) {
    let payload = null;
    try { payload = data ? JSON.parse(data) : null; } catch { payload = data; }
    const type = (payload && typeof payload === 'object' && payload.type) || name;
    for (const fn of this.listeners) { fn(type, payload); }
  }
}

// Named events the server may send; unnamed ones arrive as 'message' and carry their type inside.
LiveConnection.EVENT_NAMES = [
  'device', 'liveness', 'heartbeat', 'state', 'alarm', 'alarm.acknowledged', 'alarm.resolved', 'delivery',
  'command', 'forwarding', 'ping',
];

/** Which read model an event touches: 'devices', 'alarms', or both. */
export function topicsOf(type) {
  const name = String(type || '').toLowerCase();
  const topics = new Set();
  if (/device|liveness|heartbeat|state|command|config|commission/.test(name)) { topics.add('devices'); }
  if (/alarm|delivery|forward|ack|resolve|police/.test(name)) { topics.add('alarms'); topics.add('devices'); }
  if (name === 'message') { topics.add('devices'); topics.add('alarms'); }
  return topics;
}

/** Runs fn at most once per `ms`, and once more after the last call (so the final change is never missed). */
export function debounce(fn, ms) {
  let timer = null;
  let pending = false;
  let running = false;
  const run = async () => {
    timer = null;
    if (running) { pending = true; return; }
    running = true;
    try { await fn(); } finally {
      running = false;
      if (pending) { pending = false; timer = setTimeout(run, ms); }
    }
  };
  return () => { if (!timer) { timer = setTimeout(run, ms); } };
}

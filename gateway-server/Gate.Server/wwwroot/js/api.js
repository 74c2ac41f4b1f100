// The one place that knows the server's URLs and JSON shapes. Views work with the normalised objects below,
// so a renamed field on the server is a one-line change here.
export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(handler) { onUnauthorized = handler; }

async function request(method, url, body) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  if (response.status === 401) { onUnauthorized(); throw new ApiError(401, 'unauthorized'); }
  if (!response.ok) {
    let message = `${response.status}`;
    try {
      const problem = await response.json();
      message = problem.detail || problem.title || problem.error || message;
    } catch { /* not JSON */ }
    throw new ApiError(response.status, message);
  }
  if (response.status === 204) { return null; }
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

export const api = {
  login: (user, password) => request('POST', '/api/auth/login', { user, password }),
  logout: () => request('POST', '/api/auth/logout'),
  me: () => request('GET', '/api/me'),

  devices: async () => (await request('GET', '/api/status-page/devices')).map(normaliseDevice),
  device: async id => normaliseDevice(await request('GET', `/api/status-page/devices/${encodeURIComponent(id)}`)),
  deviceEvents: async id => (await request('GET', `/api/status-page/devices/${encodeURIComponent(id)}/events`)),
  sendCommand: (id, name) => request('POST', `/api/devices/${encodeURIComponent(id)}/commands`, { name }),

  openAlarms: async () => (await request('GET', '/api/status-page/alarms')).map(normaliseAlarm),
  acknowledge: (id, note) => request('POST', `/api/alarms/${encodeURIComponent(id)}/acknowledge`, { note }),
  resolve: (id, note) => request('POST', `/api/alarms/${encodeURIComponent(id)}/resolve`, { note }),
  deliveryStatus: () => request('GET', '/api/forwarding/status'),

  securityEvents: () => request('GET', '/api/events?category=security&limit=500'),
  compliance: days => request('GET', `/api/status-page/compliance${days ? `?days=${days}` : ''}`),
  returnsIndex: () => request('GET', '/api/returns'),
  monthlyReturn: month => request('GET', `/api/returns/${encodeURIComponent(month)}`),
  returnExportUrl: (month, format, lang) => `/api/returns/${encodeURIComponent(month)}/export.${format}?lang=${encodeURIComponent(lang)}`,
  complianceCsvUrl: (days, lang) => `/api/status-page/compliance.csv?lang=${encodeURIComponent(lang)}${days ? `&days=${days}` : ''}`,
};

export const STATES = ['online', 'late', 'offline', 'never'];

export function normaliseDevice(d) {
  return {
    id: d.id,
    name: d.name || d.id,
    schoolId: d.schoolId,
    schoolName: d.schoolName || d.schoolId,
    district: d.district || '',
    state: STATES.includes(d.state) ? d.state : 'never',
    reason: d.reason || null,
    lastSeen: d.lastSeen || null,
    intervalS: d.intervalS || null,
    firmware: d.firmware || null,
    rssi: d.rssi ?? null,
    mains: d.mains ?? null,
    batteryMv: d.batteryMv ?? null,
    outbox: d.outbox ?? null,
    drill: !!d.drill,
    bollard: d.bollard || null,
    barrier: d.barrier || null,
    beats: Array.isArray(d.beats) ? d.beats : [],
    commissioning: d.commissioning || null,
  };
}

export function normaliseAlarm(a) {
  return {
    id: a.id,
    deviceId: a.deviceId,
    deviceName: a.deviceName || a.deviceId,
    schoolId: a.schoolId,
    schoolName: a.schoolName || a.schoolId,
    district: a.district || '',
    kind: a.kind,
    zone: a.zone ?? null,
    isTest: !!a.isTest,
    lifeSafety: !!a.lifeSafety,
    restore: !!a.restore,
    detail: a.detail || null,
    raisedAt: a.raisedAt || a.receivedAt,
    receivedAt: a.receivedAt || a.raisedAt,
    status: a.status || 'open',
    acknowledgedBy: a.acknowledgedBy || null,
    acknowledgedAt: a.acknowledgedAt || null,
    note: a.note || null,
    delivery: a.delivery || null,
  };
}

// The duty console's audible alert: a two-tone siren from Web Audio (no audio file to fetch). It rings only for real
// alarms and delivery trouble; drills and periodic tests never reach it. Browsers keep audio suspended until the user
// has interacted with the page, so the console offers an "enable sound" button until the context is running.
let context = null;
let timer = null;
let reason = null;

export function soundState() {
  if (!context) { return 'off'; }
  return context.state === 'running' ? 'on' : 'blocked';
}

export async function enableSound() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) { return 'unsupported'; }
  context = context || new Ctx();
  try { await context.resume(); } catch { /* stays blocked */ }
  return soundState();
}

function beep(freq, start, length) {
  const osc = context.createOscillator();
  const gain = context.createGain();
  osc.type = 'square';
  osc.frequency.value = freq;
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(0.18, start + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + length);
  osc.connect(gain).connect(context.destination);
  osc.start(start);
  osc.stop(start + length + 0.05);
}

function cycle() {
  if (!context || context.state !== 'running') { return; }
  const now = context.currentTime;
  if (reason === 'trouble') {
    beep(660, now, 0.25); beep(660, now + 0.45, 0.25);
  } else {
    beep(960, now, 0.35); beep(720, now + 0.4, 0.35); beep(960, now + 0.8, 0.35); beep(720, now + 1.2, 0.35);
  }
}

/** Rings while `why` is 'alarm' or 'trouble'; null silences. The body's data-ringing lets tests and CSS see it. */
export function ring(why) {
  document.body.dataset.ringing = why || '';
  if (why === reason) { return; }
  reason = why;
  if (timer) { clearInterval(timer); timer = null; }
  if (why) {
    cycle();
    timer = setInterval(cycle, 2000);
  }
}

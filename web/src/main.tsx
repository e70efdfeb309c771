import { effect } from '@preact/signals';
import { render } from 'preact';
import { api, senderApi } from './api.js';
import { startClock } from './clock.js';
import { App } from './components/App.js';
import { connectLive } from './live.js';
import { createModel, VIEWS } from './model.js';
import { createSenderModel } from './sender-model.js';
import './style.css';

/** While the live feed is down, the list is refreshed over HTTP this often. */
const FALLBACK_POLL_MS = 5000;
/** While the events view is open, its comparisons are refreshed this often. */
const EVENTS_POLL_MS = 30_000;

const model = createModel(api);
const sender = createSenderModel(senderApi, { onBin: (bin) => model.apply({ type: 'bin.updated', bin }), onAuth: () => (model.authRequired.value = true) });

// `#/binId`, `#/binId/captureId` or `#/binId/!events` (a view): a reload (or a shared link) opens the same place.
const [, hashBin, hashRest] = location.hash.split('/').map((s) => decodeURIComponent(s));
const hashView = hashRest?.startsWith('!') ? VIEWS.find((v) => v === hashRest.slice(1)) : undefined;
const hashCapture = hashRest && !hashRest.startsWith('!') ? hashRest : null;
if (hashView) model.setView(hashView);
if (hashBin) void model.selectBin(hashBin, { captureId: hashCapture, keepPane: !hashCapture }).then(() => {
  if (hashCapture) model.pane.value = 'detail';
});
effect(() => {
  const bin = model.selectedBinId.value;
  const cap = model.selectedCaptureId.value;
  const view = model.view.value;
  const rest = view !== 'captures' ? `/!${view}` : cap ? `/${encodeURIComponent(cap)}` : '';
  const hash = bin ? `#/${encodeURIComponent(bin)}${rest}` : '';
  if (hash !== location.hash && !(hash === '' && location.hash === '')) history.replaceState(null, '', hash || location.pathname + location.search);
});

const live = connectLive({
  onMessage: (msg) => {
    model.apply(msg);
    sender.apply(msg);
  },
  onStatus: (s) => (model.status.value = s),
  resync: () => Promise.all([model.resync(), sender.loadOutbox()]),
});
effect(() => {
  const bin = model.selectedBinId.value;
  live.subscribe(bin ? [bin] : []);
});
effect(() => {
  // Without a token nothing will work until the user opens the banner URL.
  if (model.authRequired.value) live.stop();
});
window.addEventListener('online', () => live.poke());
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') live.poke();
});

// The inspector works from HTTP alone: first load now, then a poll while the feed is down.
void model.resync();
setInterval(() => {
  if (model.status.value !== 'live' && !model.authRequired.value && document.visibilityState === 'visible') void model.resync();
}, FALLBACK_POLL_MS);
// The events' comparison depends on the time (a provider that "stopped early"): refresh it now and then.
setInterval(() => {
  if (model.view.value === 'events' && !model.authRequired.value && document.visibilityState === 'visible') void model.loadEvents();
}, EVENTS_POLL_MS);

startClock();
render(<App model={model} api={api} sender={sender} />, document.getElementById('app')!);

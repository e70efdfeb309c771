import { effect } from '@preact/signals';
import { render } from 'preact';
import { api, checkApi, checkToken, senderApi } from './api/http.js';
import { startClock } from './state/clock.js';
import { App } from './App.js';
import { connectLive } from './api/live.js';
import { createModel } from './state/model.js';
import { BIN_ID_PATTERN } from '../../server/common/limits.js';
import { bindAddress } from './state/address.js';
import { createSenderModel } from './state/sender.js';
import { createCheckModel } from './state/check.js';
import { createTransfer } from './state/transfer.js';
import { transferApi } from './api/transfer.js';
import { adoptTokenFromAddress, onTokenStored } from './api/token.js';
import './ui/style.css';

/** While the live feed is down, the list is refreshed over HTTP this often. */
const FALLBACK_POLL_MS = 5000;
/** While the events view is open, its comparisons are refreshed this often. */
const EVENTS_POLL_MS = 30_000;

const model = createModel(api);
const transfer = createTransfer(transferApi, { apply: model.apply, onAuth: () => (model.authRequired.value = true) });
const sender = createSenderModel(senderApi, { onBin: (bin) => model.apply({ type: 'bin.updated', bin }), onAuth: () => (model.authRequired.value = true) });
const check = createCheckModel(checkApi, { onAuth: () => (model.authRequired.value = true) });

// Before any request: the banner URL's `?token=` leaves the address bar and, once hookbin accepts it, goes to storage.
const linkToken = await adoptTokenFromAddress(checkToken);
model.linkRefused.value = linkToken === 'refused';

// `#/binId`, `#/binId/captureId` or `#/binId/!events` (a view): the address bar, Back/Forward, a reload
// and a shared link all open the same place (state/address.ts).
bindAddress(model);

const live = connectLive({
  onMessage: (msg) => {
    model.apply(msg);
    sender.apply(msg);
  },
  onStatus: (s) => (model.status.value = s),
  onUnauthorized: () => (model.authRequired.value = true),
  resync: () => Promise.all([model.resync(), sender.loadOutbox()]),
});
effect(() => {
  const bin = model.selectedBinId.value;
  // An address may name an id no bin can have: hookbin would refuse to subscribe to it.
  live.subscribe(bin && BIN_ID_PATTERN.test(bin) ? [bin] : []);
});
effect(() => {
  // Without a token nothing will work until the user opens the banner URL.
  if (model.authRequired.value) live.stop();
});
// Another tab stored a token (it opened a banner URL): use it here too, signed out or not.
onTokenStored(() => {
  model.linkRefused.value = false;
  model.authRequired.value = false;
  live.restart();
  void model.resync();
  void sender.loadOutbox();
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
render(<App model={model} api={api} sender={sender} transfer={transfer} check={check} />, document.getElementById('app')!);

import { useEffect, useState } from 'preact/hooks';
import { mergeSchemes } from '../../../../server/common/custom-scheme.js';
import type { Bin } from '../../../../server/common/types.js';
import type { Model } from '../../state/model.js';
import type { SenderModel } from '../../state/sender.js';
import type { CheckModel } from '../../state/check.js';
import { CheckPanel } from './CheckPanel.js';
import { Composer } from './Composer.js';
import { Outbox } from './Outbox.js';

/** A bin's forward target: every capture goes on to this URL live; relay passes the app's reply back to the provider. */
export function ForwardForm(props: {
  bin: Bin;
  globalForward?: { url: string; relay: boolean; insecure?: boolean } | null;
  onSave: (forwardTo: string | null, relay: boolean, insecure: boolean) => Promise<string | null>;
}) {
  const b = props.bin;
  const [url, setUrl] = useState(b.forwardTo ?? '');
  const [relay, setRelay] = useState(b.forward.relay);
  const [insecure, setInsecure] = useState(b.forward.insecure);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setUrl(b.forwardTo ?? '');
    setRelay(b.forward.relay);
    setInsecure(b.forward.insecure);
  }, [b.id, b.forwardTo, b.forward.relay, b.forward.insecure]);
  const save = async (target: string | null, r: boolean) => {
    setBusy(true);
    const err = await props.onSave(target, r, insecure && target !== null && target.startsWith('https:'));
    setBusy(false);
    setError(err);
  };
  return (
    <form
      class="forward-form"
      data-testid="forward-form"
      autocomplete="off"
      onSubmit={(e) => {
        e.preventDefault();
        void save(url.trim() === '' ? null : url.trim(), relay);
      }}
    >
      <p class="muted small" data-testid="forward-status">
        {b.forwardTo ? (
          <>
            Forwarding every capture to <span class="mono">{b.forwardTo}</span>
            {b.forward.relay ? ', relaying its reply to the sender.' : '; the sender gets the bin’s own answer.'}
            {b.forward.insecure && ' Its certificate is not verified.'}
          </>
        ) : props.globalForward ? (
          <>
            No target of its own: <span class="mono">--forward</span> sends every capture to <span class="mono">{props.globalForward.url}</span>
            {props.globalForward.relay ? ', relaying its reply.' : '.'}
            {props.globalForward.insecure && ' Its certificate is not verified.'}
          </>
        ) : (
          'Not forwarding: captures stay here.'
        )}
      </p>
      <div class="composer-line">
        <input
          class="input mono grow"
          type="url"
          aria-label="Forward captures to"
          data-testid="forward-url"
          placeholder="http://localhost:3000/webhook"
          value={url}
          onInput={(e) => setUrl(e.currentTarget.value)}
        />
        <label class="check small">
          <input type="checkbox" data-testid="forward-relay" checked={relay} onChange={(e) => setRelay(e.currentTarget.checked)} />
          relay the app’s reply
        </label>
        {url.trim().startsWith('https:') && (
          <label class="check small" title="For an app on https://localhost with a self-signed certificate">
            <input type="checkbox" data-testid="forward-insecure" checked={insecure} onChange={(e) => setInsecure(e.currentTarget.checked)} />
            don’t verify its certificate
          </label>
        )}
        <button type="submit" class="btn primary" data-testid="forward-save" disabled={busy}>
          Save
        </button>
        {b.forwardTo && (
          <button type="button" class="btn" data-testid="forward-stop" disabled={busy} onClick={() => void save(null, relay)}>
            Stop
          </button>
        )}
      </div>
      {error && (
        <p class="error small" data-testid="forward-error">
          {error}
        </p>
      )}
    </form>
  );
}

/** The Send view: the bin's forward target, the composer, the outbox, and the check of an endpoint. */
export function SenderView(props: { model: Model; sender: SenderModel; bin: Bin; check?: CheckModel }) {
  const { model: m, sender: s, bin } = props;
  useEffect(() => {
    void s.loadChoices();
  }, [s]);
  // A draft for another bin: aim it at this one (its last target, else its own URL).
  useEffect(() => s.draftForBin(bin), [bin.id]);
  const ownSchemes = mergeSchemes(bin.schemes ?? [], m.info.value?.globalSchemes ?? []);
  const secretNames = [...bin.secrets.map((x) => x.name), ...(m.info.value?.globalSecrets ?? []).map((x) => x.name)];
  return (
    <div class="sender" data-testid="sender-view">
      <section class="sender-block">
        <h3 class="sub-head">Forward this bin’s captures</h3>
        <ForwardForm bin={bin} globalForward={m.info.value?.forward ?? null} onSave={(to, relay, insecure) => s.saveForward(bin.id, to, relay, insecure)} />
      </section>
      <div class="sender-cols">
        <section class="sender-block">
          <h3 class="sub-head">Compose</h3>
          <Composer
            draft={s.draft.value}
            onChange={(d) => (s.draft.value = d)}
            templates={s.templates.value}
            presets={s.presets.value}
            onTemplate={(id) => void s.pickTemplate(id)}
            onSend={() => void s.send()}
            onNew={() => s.newDraft(bin.id)}
            sending={s.sending.value}
            error={s.sendError.value}
            secretNames={secretNames}
            ownSchemes={ownSchemes}
            binUrl={bin.url}
            onSendToBin={() => void s.sendToBin(bin.url)}
          />
        </section>
        <section class="sender-block">
          <h3 class="sub-head">Outbox</h3>
          <Outbox
            state={s.outbox.value}
            details={s.details.value}
            open={s.open.value}
            lastSent={s.lastSent.value}
            onToggle={s.toggle}
            onCancel={(id) => void s.cancel(id)}
            onMore={() => void s.loadOlder()}
          />
        </section>
      </div>
      {props.check && (
        <section class="sender-block">
          <h3 class="sub-head">Check endpoint</h3>
          <CheckPanel check={props.check} binId={bin.id} templates={s.templates.value} secretNames={secretNames} ownSchemes={ownSchemes} />
        </section>
      )}
    </div>
  );
}

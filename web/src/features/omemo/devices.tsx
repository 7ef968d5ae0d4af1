// The "Encryption devices" dialog: our own OMEMO devices (this browser marked, others removable) and the devices
// of the open contact, each with its fingerprint (as Conversations shows it) and trust, with Verify / Accept /
// Distrust, and the contact's "Only verified devices" switch. Fingerprints are compared out of band by the user;
// nothing here is parsed as HTML.
import type { Signal } from "@preact/signals";
import { useEffect, useRef, useState } from "preact/hooks";
import type { DeviceInfo, TrustAction } from "../../core/e2ee.ts";
import { trustLabel } from "../../crypto/trust-label.ts";
import { Alert } from "../../ui/alert.tsx";

export interface DevicesCrypto {
  describeDevices(jid: string, refresh?: boolean): Promise<DeviceInfo[]>;
  setTrust(jid: string, deviceId: number, action: TrustAction): Promise<void>;
  removeOwnDevice(deviceId: number): Promise<void>;
  onlyVerified(jid: string): boolean;
  setOnlyVerified(jid: string, on: boolean): Promise<void>;
}

/** A request to open the dialog for a conversation (a new object each time, so opening again reloads). */
export interface DevicesRequest {
  readonly peer: string;
}

type Loaded =
  | { readonly kind: "devices"; readonly devices: readonly DeviceInfo[] }
  | { readonly kind: "error"; readonly message: string };

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function loaded(result: PromiseSettledResult<DeviceInfo[]>): Loaded {
  return result.status === "fulfilled"
    ? { kind: "devices", devices: result.value }
    : { kind: "error", message: errorText(result.reason) };
}

interface RowProps {
  jid: string;
  own: boolean;
  d: DeviceInfo;
  act(what: string, fn: () => Promise<void>): void;
  crypto: DevicesCrypto;
}

function DeviceRow({ jid, own, d, act, crypto }: RowProps) {
  const labelId = `device-${own ? "own" : "peer"}-${d.deviceId}`;
  const trust = d.self ? "this browser" : trustLabel(d.trust);
  const button = (label: string, what: string, fn: () => Promise<void>) => (
    <button type="button" aria-describedby={labelId} onClick={() => act(what, fn)}>
      {label}
    </button>
  );
  const trustable = !d.self && d.fingerprint !== null;
  return (
    <li class={`device device-${d.self ? "self" : (d.trust ?? "unknown")}`}>
      <p id={labelId} class="device-name">
        {`Device ${d.deviceId}`}
        <span class="device-trust">{` (${trust})`}</span>
      </p>
      {d.fingerprint !== null ? (
        <p class="fingerprint">
          <span class="sr-only">Fingerprint: </span>
          <code>{d.fingerprint}</code>
        </p>
      ) : (
        <p class="fingerprint fingerprint-unknown">{`Fingerprint unknown${d.error ? ` (${d.error})` : ""}.`}</p>
      )}
      <div class="device-actions">
        {trustable &&
          d.trust !== "verified" &&
          button("Verify", "Verifying", () => crypto.setTrust(jid, d.deviceId, "verify"))}
        {trustable &&
          d.trust === "untrusted" &&
          button("Accept", "Accepting", () => crypto.setTrust(jid, d.deviceId, "accept"))}
        {trustable &&
          d.trust !== "untrusted" &&
          button("Distrust", "Distrusting", () => crypto.setTrust(jid, d.deviceId, "distrust"))}
        {own && !d.self && button("Remove", "Removing", () => crypto.removeOwnDevice(d.deviceId))}
      </div>
    </li>
  );
}

function DeviceList(
  props: { labelledBy: string; jid: string; own: boolean; list: Loaded | null } & Pick<RowProps, "act" | "crypto">,
) {
  const { list } = props;
  let items = null;
  if (list?.kind === "error") items = <li class="device-none">{`Could not load: ${list.message}`}</li>;
  else if (list) {
    // The current device first among our own.
    const sorted = [...list.devices].sort((a, b) => Number(b.self) - Number(a.self) || a.deviceId - b.deviceId);
    items =
      sorted.length === 0 ? (
        <li class="device-none">No OMEMO devices.</li>
      ) : (
        sorted.map((d) => (
          <DeviceRow key={d.deviceId} jid={props.jid} own={props.own} d={d} act={props.act} crypto={props.crypto} />
        ))
      );
  }
  return (
    <ul class="device-list" aria-labelledby={props.labelledBy}>
      {items}
    </ul>
  );
}

export function DevicesDialog({
  ownJid,
  crypto,
  request,
}: {
  ownJid: string;
  crypto: DevicesCrypto;
  request: Signal<DevicesRequest | null>;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const generation = useRef(0);
  const [status, setStatus] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [own, setOwn] = useState<Loaded | null>(null);
  const [theirs, setTheirs] = useState<Loaded | null>(null);
  const [onlyVerified, setOnlyVerifiedBox] = useState(false);
  const open = request.value;
  const peer = open?.peer ?? null;

  const load = async (refresh: boolean): Promise<void> => {
    const gen = ++generation.current;
    setStatus("Loading devices…");
    const [mine, other] = await Promise.allSettled([
      crypto.describeDevices(ownJid, refresh),
      peer !== null && peer !== ownJid ? crypto.describeDevices(peer, refresh) : Promise.resolve([]),
    ]);
    if (gen !== generation.current) return;
    setOwn(loaded(mine));
    setTheirs(loaded(other));
    setStatus("");
  };

  const act = (what: string, fn: () => Promise<void>): Promise<void> => {
    setError(null);
    setStatus(`${what}…`);
    return fn()
      .then(() => load(false))
      .catch((err: unknown) => {
        setStatus("");
        setError(`${what} failed: ${errorText(err)}`);
      });
  };

  useEffect(() => {
    const el = dialog.current;
    if (!open || !el) return;
    setOnlyVerifiedBox(crypto.onlyVerified(open.peer));
    setError(null);
    setOwn(null);
    setTheirs(null);
    if (!el.open) {
      if (typeof el.showModal === "function") el.showModal();
      else el.setAttribute("open", "");
    }
    void load(true);
  }, [open]);

  return (
    <dialog ref={dialog} class="devices-dialog" aria-labelledby="devices-title">
      <h2 id="devices-title">Encryption devices</h2>
      <p class="devices-help">
        Compare fingerprints with the other person's device (in person or on a call) before marking them verified. Once
        a contact has a verified device, new devices of that contact are not trusted until you accept them.
      </p>
      <p class="devices-status" role="status" aria-live="polite">
        {status}
      </p>
      <div class="feedback">
        <Alert message={error} />
      </div>
      <section>
        <h3 id="devices-own">Your devices</h3>
        <DeviceList
          labelledBy="devices-own"
          jid={ownJid}
          own
          list={own}
          act={(w, f) => void act(w, f)}
          crypto={crypto}
        />
      </section>
      <section hidden={peer === ownJid}>
        <h3 id="devices-peer">{peer !== null ? `Devices of ${peer}` : ""}</h3>
        <div class="only-verified">
          <label for="devices-only-verified">
            <input
              type="checkbox"
              id="devices-only-verified"
              aria-describedby="devices-only-verified-help"
              checked={onlyVerified}
              onChange={(ev) => {
                if (peer === null) return;
                const on = ev.currentTarget.checked;
                setOnlyVerifiedBox(on);
                const what = on ? "Turning on “Only verified devices”" : "Turning off “Only verified devices”";
                void act(what, () => crypto.setOnlyVerified(peer, on)).then(() =>
                  setOnlyVerifiedBox(crypto.onlyVerified(peer)),
                );
              }}
            />{" "}
            Only verified devices
          </label>
          <p id="devices-only-verified-help" class="devices-help">
            {peer !== null
              ? `Encrypt messages to ${peer} only for devices you verified (your own other devices included). ` +
                "Nothing is sent while none is verified."
              : ""}
          </p>
        </div>
        <DeviceList
          labelledBy="devices-peer"
          jid={peer ?? ""}
          own={false}
          list={theirs}
          act={(w, f) => void act(w, f)}
          crypto={crypto}
        />
      </section>
      <button type="button" class="devices-close" onClick={() => dialog.current?.close()}>
        Close
      </button>
    </dialog>
  );
}

// The "Encryption devices" dialog: our own OMEMO devices (this browser marked, others removable) and the devices
// of the open contact, each with its fingerprint (as Conversations shows it) and trust, with Verify / Accept /
// Distrust, and the contact's "Only verified devices" switch. Fingerprints are compared out of band by the user;
// nothing here is parsed as HTML.
import type { DeviceInfo, TrustAction } from "../core/e2ee.ts";
import { trustLabel } from "../crypto/trust-label.ts";
import { h, setText, showAlert } from "./dom.ts";

export interface DevicesCrypto {
  describeDevices(jid: string, refresh?: boolean): Promise<DeviceInfo[]>;
  setTrust(jid: string, deviceId: number, action: TrustAction): Promise<void>;
  removeOwnDevice(deviceId: number): Promise<void>;
  onlyVerified(jid: string): boolean;
  setOnlyVerified(jid: string, on: boolean): Promise<void>;
}

export interface DevicesPanel {
  readonly el: HTMLDialogElement;
  open(peer: string): void;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function createDevicesPanel(ownJid: string, crypto: DevicesCrypto): DevicesPanel {
  const heading = h("h2", { id: "devices-title" }, "Encryption devices");
  const status = h("p", { class: "devices-status", role: "status", "aria-live": "polite" });
  const feedback = h("div", { class: "feedback" });
  const ownHeading = h("h3", { id: "devices-own" }, "Your devices");
  const ownList = h("ul", { class: "device-list", "aria-labelledby": "devices-own" });
  const peerHeading = h("h3", { id: "devices-peer" });
  const peerList = h("ul", { class: "device-list", "aria-labelledby": "devices-peer" });
  const onlyVerified = h("input", {
    type: "checkbox",
    id: "devices-only-verified",
    "aria-describedby": "devices-only-verified-help",
  });
  const onlyVerifiedHelp = h("p", { id: "devices-only-verified-help", class: "devices-help" });
  const onlyVerifiedRow = h(
    "div",
    { class: "only-verified" },
    h("label", { for: "devices-only-verified" }, onlyVerified, " Only verified devices"),
    onlyVerifiedHelp,
  );
  const peerSection = h("section", null, peerHeading, onlyVerifiedRow, peerList);
  const close = h("button", { type: "button", class: "devices-close" }, "Close");
  const el = h(
    "dialog",
    { class: "devices-dialog", "aria-labelledby": "devices-title" },
    heading,
    h(
      "p",
      { class: "devices-help" },
      "Compare fingerprints with the other person's device (in person or on a call) before marking them verified. " +
        "Once a contact has a verified device, new devices of that contact are not trusted until you accept them.",
    ),
    status,
    feedback,
    h("section", null, ownHeading, ownList),
    peerSection,
    close,
  );
  let peer: string | null = null;
  let generation = 0;

  close.addEventListener("click", () => el.close());
  onlyVerified.addEventListener("change", () => {
    const p = peer;
    if (p === null) return;
    const on = onlyVerified.checked;
    void act(on ? "Turning on “Only verified devices”" : "Turning off “Only verified devices”", () =>
      crypto.setOnlyVerified(p, on),
    ).then(() => {
      onlyVerified.checked = crypto.onlyVerified(p);
    });
  });

  const act = async (what: string, fn: () => Promise<void>): Promise<void> => {
    showAlert(feedback, null);
    setText(status, `${what}…`);
    try {
      await fn();
      await load(false);
    } catch (err) {
      setText(status, "");
      showAlert(feedback, `${what} failed: ${errorText(err)}`);
    }
  };

  const button = (label: string, describedBy: string, onClick: () => void): HTMLButtonElement => {
    const b = h("button", { type: "button", "aria-describedby": describedBy }, label);
    b.addEventListener("click", onClick);
    return b;
  };

  const row = (jid: string, d: DeviceInfo): HTMLLIElement => {
    const own = jid === ownJid;
    const labelId = `device-${own ? "own" : "peer"}-${d.deviceId}`;
    const trust = d.self ? "this browser" : trustLabel(d.trust);
    const actions = h("div", { class: "device-actions" });
    if (!d.self && d.fingerprint !== null) {
      if (d.trust !== "verified") {
        actions.append(
          button("Verify", labelId, () => void act("Verifying", () => crypto.setTrust(jid, d.deviceId, "verify"))),
        );
      }
      if (d.trust === "untrusted") {
        actions.append(
          button("Accept", labelId, () => void act("Accepting", () => crypto.setTrust(jid, d.deviceId, "accept"))),
        );
      }
      if (d.trust !== "untrusted") {
        actions.append(
          button(
            "Distrust",
            labelId,
            () => void act("Distrusting", () => crypto.setTrust(jid, d.deviceId, "distrust")),
          ),
        );
      }
    }
    if (own && !d.self) {
      actions.append(button("Remove", labelId, () => void act("Removing", () => crypto.removeOwnDevice(d.deviceId))));
    }
    return h(
      "li",
      { class: `device device-${d.self ? "self" : (d.trust ?? "unknown")}` },
      h(
        "p",
        { id: labelId, class: "device-name" },
        `Device ${d.deviceId}`,
        h("span", { class: "device-trust" }, ` (${trust})`),
      ),
      d.fingerprint !== null
        ? h(
            "p",
            { class: "fingerprint" },
            h("span", { class: "sr-only" }, "Fingerprint: "),
            h("code", null, d.fingerprint),
          )
        : h("p", { class: "fingerprint fingerprint-unknown" }, `Fingerprint unknown${d.error ? ` (${d.error})` : ""}.`),
      actions,
    );
  };

  const fill = (list: HTMLUListElement, jid: string, devices: readonly DeviceInfo[]): void => {
    // The current device first among our own.
    const sorted = [...devices].sort((a, b) => Number(b.self) - Number(a.self) || a.deviceId - b.deviceId);
    list.replaceChildren(...sorted.map((d) => row(jid, d)));
    if (sorted.length === 0) list.append(h("li", { class: "device-none" }, "No OMEMO devices."));
  };

  const load = async (refresh: boolean): Promise<void> => {
    const gen = ++generation;
    const p = peer;
    setText(status, "Loading devices…");
    const [own, theirs] = await Promise.allSettled([
      crypto.describeDevices(ownJid, refresh),
      p !== null && p !== ownJid ? crypto.describeDevices(p, refresh) : Promise.resolve([]),
    ]);
    if (gen !== generation) return;
    if (own.status === "fulfilled") fill(ownList, ownJid, own.value);
    else ownList.replaceChildren(h("li", { class: "device-none" }, `Could not load: ${errorText(own.reason)}`));
    if (theirs.status === "fulfilled") fill(peerList, p ?? "", theirs.value);
    else peerList.replaceChildren(h("li", { class: "device-none" }, `Could not load: ${errorText(theirs.reason)}`));
    setText(status, "");
  };

  return {
    el,
    open(next) {
      peer = next;
      setText(peerHeading, `Devices of ${next}`);
      peerSection.hidden = next === ownJid;
      onlyVerified.checked = crypto.onlyVerified(next);
      setText(
        onlyVerifiedHelp,
        `Encrypt messages to ${next} only for devices you verified (your own other devices included). ` +
          "Nothing is sent while none is verified.",
      );
      showAlert(feedback, null);
      ownList.replaceChildren();
      peerList.replaceChildren();
      if (!el.open) {
        if (typeof el.showModal === "function") el.showModal();
        else el.setAttribute("open", "");
      }
      void load(true);
    },
  };
}

// PEP (XEP-0163) over pubsub (XEP-0060): publish with publish-options (XEP-0223), fetch items, node
// configuration, and event notifications. Pure builders and parsers.
import { xml, type Element } from "@xmpp/xml";
import { buildSubmitForm } from "./forms.ts";

export const NS_PUBSUB = "http://jabber.org/protocol/pubsub";
export const NS_PUBSUB_OWNER = "http://jabber.org/protocol/pubsub#owner";
export const NS_PUBSUB_EVENT = "http://jabber.org/protocol/pubsub#event";
export const NS_PUBSUB_ERRORS = "http://jabber.org/protocol/pubsub#errors";

export interface PepItem {
  id: string;
  /** The item's payload element, serialised. */
  payload: string;
}

/**
 * XEP-0223 §3 for a private store of many items (one per conversation or room): the publish-options XEP-0402 §3.1
 * (bookmarks) and XEP-0490 §4 (read positions) both ask for.
 */
export const PRIVATE_ITEMS_OPTIONS: Readonly<Record<string, string>> = {
  "pubsub#persist_items": "true",
  "pubsub#max_items": "max",
  "pubsub#send_last_published_item": "never",
  "pubsub#access_model": "whitelist",
};

/** XEP-0060 §7.1.5 with XEP-0223 publish-options: the node must have (or get) this access model. */
export function buildPublish(
  node: string,
  itemId: string,
  payload: Element,
  accessModel: "open" | "presence",
): Element {
  return xml(
    "pubsub",
    { xmlns: NS_PUBSUB },
    xml("publish", { node }, xml("item", { id: itemId }, payload)),
    xml(
      "publish-options",
      {},
      buildSubmitForm("http://jabber.org/protocol/pubsub#publish-options", { "pubsub#access_model": accessModel }),
    ),
  );
}

/** XEP-0060 §8.2.4: change a node's access model (after precondition-not-met on publish). */
export function buildConfigure(node: string, accessModel: "open" | "presence"): Element {
  return xml(
    "pubsub",
    { xmlns: NS_PUBSUB_OWNER },
    xml(
      "configure",
      { node },
      buildSubmitForm("http://jabber.org/protocol/pubsub#node_config", { "pubsub#access_model": accessModel }),
    ),
  );
}

/** XEP-0060 §7.1.5 / XEP-0223 §3: publish with any publish-options (field var -> value). */
export function buildPublishWithOptions(
  node: string,
  itemId: string,
  payload: Element,
  options: Readonly<Record<string, string>>,
): Element {
  return xml(
    "pubsub",
    { xmlns: NS_PUBSUB },
    xml("publish", { node }, xml("item", { id: itemId }, payload)),
    xml("publish-options", {}, buildSubmitForm("http://jabber.org/protocol/pubsub#publish-options", { ...options })),
  );
}

/** XEP-0060 §7.1.5: publish without options (the node keeps, or is created with, the server's defaults). */
export function buildPublishPlain(node: string, itemId: string, payload: Element): Element {
  return xml("pubsub", { xmlns: NS_PUBSUB }, xml("publish", { node }, xml("item", { id: itemId }, payload)));
}

/** XEP-0060 §8.2.4: set any node configuration fields (field var -> value). */
export function buildConfigureWithOptions(node: string, options: Readonly<Record<string, string>>): Element {
  return xml(
    "pubsub",
    { xmlns: NS_PUBSUB_OWNER },
    xml("configure", { node }, buildSubmitForm("http://jabber.org/protocol/pubsub#node_config", { ...options })),
  );
}

/** XEP-0060 §6.5.2: all items of a node. */
export function buildItems(node: string): Element {
  return xml("pubsub", { xmlns: NS_PUBSUB }, xml("items", { node }));
}

function itemsOf(items: Element | undefined): PepItem[] {
  if (!items) return [];
  return items.getChildren("item").flatMap((item) => {
    const payload = item.getChildElements()[0];
    return payload ? [{ id: item.attrs.id ?? "", payload: payload.toString() }] : [];
  });
}

/** The items of an items result (XEP-0060 §6.5.2). */
export function parseItemsResult(iq: Element): PepItem[] {
  return itemsOf(iq.getChild("pubsub", NS_PUBSUB)?.getChild("items"));
}

/** XEP-0163 §4.3: a notification; null when the message is not one. */
export function parseEvent(message: Element): { node: string; items: PepItem[] } | null {
  const items = message.getChild("event", NS_PUBSUB_EVENT)?.getChild("items");
  const node = items?.attrs.node;
  if (!items || !node) return null;
  return { node, items: itemsOf(items) };
}

/** XEP-0223 §4 / XEP-0060 §7.1.3.6: publish-options did not match the node's configuration. */
export function isPreconditionNotMet(error: { condition: string; application?: string | undefined }): boolean {
  return error.application === "precondition-not-met" || error.condition === "precondition-not-met";
}

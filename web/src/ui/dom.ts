// Tiny DOM helpers. Text always goes through text nodes / textContent: remote data is never parsed as HTML.

export type AttrValue = string | number | boolean | null | undefined;
export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, AttrValue>> | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) for (const [name, value] of Object.entries(attrs)) setAttr(el, name, value);
  append(el, ...children);
  return el;
}

export function setAttr(el: Element, name: string, value: AttrValue): void {
  if (name === "style" || name.startsWith("on")) throw new Error(`refusing to set ${name}`);
  if (value === null || value === undefined || value === false) el.removeAttribute(name);
  else el.setAttribute(name, value === true ? "" : String(value));
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
}

export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** Visually hidden text for screen readers. */
export function srOnly(text: string): HTMLSpanElement {
  return h("span", { class: "sr-only" }, text);
}

/**
 * Shows (or clears) an error next to a control. The role="alert" element only exists while there is a
 * message, so an empty alert never lingers and a new one is announced.
 */
export function showAlert(host: Element, message: string | null): void {
  const existing = host.querySelector(":scope > [role=alert]");
  if (!message) {
    existing?.remove();
    return;
  }
  if (existing) existing.remove();
  host.appendChild(h("p", { role: "alert", class: "alert" }, message));
}

/**
 * Keeps `container`'s children in the order of `wanted` (elements are reused, not rebuilt), removing the
 * rest. Focus survives when the focused element has to move.
 */
export function reconcileChildren(container: Element, wanted: readonly Element[]): void {
  const active = document.activeElement;
  const keep = new Set<Element>(wanted);
  // Backwards: `children` is live, and removing while walking forwards would skip elements.
  for (let i = container.children.length - 1; i >= 0; i--) {
    const child = container.children[i];
    if (child && !keep.has(child)) child.remove();
  }
  wanted.forEach((el, i) => {
    const at = container.children[i];
    if (at !== el) container.insertBefore(el, at ?? null);
  });
  if (active instanceof HTMLElement && active !== document.activeElement && active.isConnected) active.focus();
}

// XEP-0004 Data Forms, as far as Parley fills and reads them: a submitted form (FORM_TYPE + fields) and the fields of
// a received form or result (disco#info extensions, XEP-0128; a room's configuration form, XEP-0045 §10.1.3).
// Pure, no I/O. What is read is bounded: a remote form cannot make us keep more than MAX_FIELDS × MAX_VALUES.
import type { Element } from "@xmpp/xml";
import { xml } from "@xmpp/xml";

export const NS_DATA = "jabber:x:data";

/** Fields read from one form, and values per field (a room's configuration has ~30 fields). */
const MAX_FIELDS = 200;
const MAX_VALUES = 200;
/** Longest value kept (a room description is the longest thing a form carries for us). */
const MAX_VALUE_CHARS = 4_096;

export type FieldValue = string | boolean | readonly string[];

/** XEP-0004 §3.3: booleans are "1"/"0"; lists are repeated <value/>s. */
function valuesOf(value: FieldValue): string[] {
  if (typeof value === "boolean") return [value ? "1" : "0"];
  return typeof value === "string" ? [value] : [...value];
}

/** A form of type "submit" (XEP-0004 §3.1) with its FORM_TYPE (XEP-0068 §2) and the given fields. */
export function buildSubmitForm(formType: string, fields: Readonly<Record<string, FieldValue>>): Element {
  return xml(
    "x",
    { xmlns: NS_DATA, type: "submit" },
    xml("field", { var: "FORM_TYPE", type: "hidden" }, xml("value", {}, formType)),
    ...Object.entries(fields).map(([name, value]) =>
      xml("field", { var: name }, ...valuesOf(value).map((v) => xml("value", {}, v))),
    ),
  );
}

export interface ParsedForm {
  /** The FORM_TYPE's value, "" when there is none. */
  formType: string;
  /** Field var -> its values, in order (fields without a var are left out). */
  fields: Map<string, string[]>;
}

/** A form's fields, bounded. */
export function parseForm(x: Element): ParsedForm {
  const fields = new Map<string, string[]>();
  for (const field of x.getChildren("field").slice(0, MAX_FIELDS)) {
    const name = field.attrs.var;
    if (typeof name !== "string" || name === "" || fields.has(name)) continue;
    fields.set(
      name,
      field
        .getChildren("value")
        .slice(0, MAX_VALUES)
        .map((v) => v.text().slice(0, MAX_VALUE_CHARS)),
    );
  }
  return { formType: fields.get("FORM_TYPE")?.[0] ?? "", fields };
}

/** The forms in `parent` (a disco#info <query/>, say) whose FORM_TYPE is `formType`; the first, or null. */
export function findForm(parent: Element, formType: string): ParsedForm | null {
  for (const x of parent.getChildren("x", NS_DATA).slice(0, 20)) {
    const form = parseForm(x);
    if (form.formType === formType) return form;
  }
  return null;
}

/** XEP-0004 §3.3 boolean: "1" or "true". */
export function isTrue(value: string | undefined): boolean {
  return value === "1" || value === "true";
}

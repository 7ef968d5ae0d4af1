// Test helper: parses one XML stanza string into an @xmpp/xml Element (the same class the client produces).
export { parseXml } from "../../src/xmpp/parse.ts";

// Part 10 of `npm run bench` (bench/run.mjs): the group chat encryption table, from bench/group-encrypt.ts.

/**
 * Prints part 10's table with run.mjs's formatting helpers.
 * @param {any} r the group-encrypt result
 * @param {{ out: Function, table: Function, section: Function, ms: Function, ratio: Function, int: Function }} f
 */
export function groupTable(r, { out, table, section, ms, ratio, int }) {
  section(
    `10. OMEMO in a group chat: one message for ${r.members} members x ${r.devices} devices + our other device (PEP round trip ${r.latencyMs} ms)`,
  );
  const ours = r.results.ours;
  const naive = r.results.naive;
  table(
    ["method", "first message ms", "PEP fetches", "next message ms (median)", "stanzas", "keys"],
    [
      [
        "ours: encryptGroup(), one message, lists in parallel",
        ms(ours.cold),
        int(ours.fetches),
        ms(ours.warm),
        int(ours.stanzas),
        int(ours.keys),
      ],
      [
        "naive: one 1:1 message per member, in a row",
        ms(naive.cold),
        int(naive.fetches),
        ms(naive.warm),
        int(naive.stanzas),
        int(naive.keys),
      ],
    ],
    "lrrrrr",
  );
  out();
  out(
    `  first message: ours ${ratio(naive.cold / ours.cold)} faster; next message: ours ${ratio(naive.warm / ours.warm)} faster`,
  );
  out(
    `  (${int(r.runs)} next messages per method; ours keys every device once, the naive way keys our other device ${int(naive.stanzas)} times)`,
  );
}

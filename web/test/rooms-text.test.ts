// Group chat wording and mentions (web/src/features/rooms/{status-words,mentions}.ts).
import { describe, expect, it } from "vitest";
import { completeMention, mentionQuery, mentions, suggestNicks } from "../src/features/rooms/mentions.ts";
import { configWords, roomErrorWords, statusWords } from "../src/features/rooms/status-words.ts";
import { roomSubtitle } from "../src/features/rooms/room-header.tsx";

describe("status codes in words", () => {
  it("says kicks, bans and membership changes with who and why, in the words of the kind", () => {
    expect(statusWords([307], { kind: "group", nick: "bob", self: false, actor: "ann", reason: "spam" })).toBe(
      "bob was removed from this group chat by ann: spam.",
    );
    expect(statusWords([301, 110], { kind: "channel", nick: "me", self: true })).toBe(
      "You were banned from this channel.",
    );
    expect(statusWords([321], { kind: "group", nick: "bob", self: false })).toBe(
      "bob left: they are no longer a member of this group chat.",
    );
    expect(statusWords([322, 110], { kind: "group", nick: "me", self: true })).toBe(
      "You were removed: this group chat is now for members only.",
    );
    expect(statusWords([303], { kind: "channel", nick: "bob", self: false, newNick: "robert" })).toBe(
      "bob is now known as robert.",
    );
    expect(statusWords([210, 110], { kind: "group", nick: "ann_2", self: true })).toBe(
      "The server set your name in this group chat to ann_2.",
    );
    expect(statusWords([201, 110], { kind: "channel", nick: "ann", self: true })).toBe("The channel was created.");
    expect(statusWords([110], { kind: "group", nick: "ann", self: true })).toBeNull();
    expect(statusWords([], { kind: "group", nick: "bob", self: false })).toBeNull();
  });

  it("never says room or occupant", () => {
    const all = [100, 104, 110, 170, 171, 172, 173, 201, 210, 301, 303, 307, 321, 322, 332];
    const words = [
      ...all.map((c) => statusWords([c], { kind: "group", nick: "x", self: c === 110, newNick: "y" }) ?? ""),
      ...configWords(all, "channel"),
    ].join(" ");
    expect(words).not.toMatch(/\broom|occupant/iu);
    expect(configWords([170, 172], "group")).toEqual([
      "This group chat's messages are now archived on the server.",
      "Addresses in this group chat are now visible to all participants.",
    ]);
    expect(configWords([104], "channel")).toEqual(["The channel's settings changed."]);
  });
});

describe("why we are not in a room", () => {
  it("says removals and refusals in words, with the room's reason", () => {
    expect(roomErrorWords("kicked: spam")).toBe("you were removed (spam)");
    expect(roomErrorWords("registration-required")).toBe("for members only: ask a member for an invitation");
    expect(roomErrorWords("something-new")).toBe("something-new");
    expect(roomErrorWords(undefined)).toBe("you are not in it");
    const view = {
      room: "r@muc.x",
      kind: "channel" as const,
      nick: "ann",
      participants: 0,
      role: "none" as const,
      affiliation: "none" as const,
      autojoin: false,
      notify: null,
    };
    expect(roomSubtitle({ ...view, state: "error", error: "banned: trolling" })).toBe(
      "Channel · you were banned (trolling)",
    );
    expect(roomSubtitle({ ...view, state: "joined", participants: 1 })).toBe("Channel · 1 participant");
    expect(roomSubtitle({ ...view, state: "left" })).toBe("Channel · you left");
  });
});

describe("mentions", () => {
  it("finds the @name being typed, not an address", () => {
    expect(mentionQuery("hi @an", 6)).toEqual({ start: 3, query: "an" });
    expect(mentionQuery("@", 1)).toEqual({ start: 0, query: "" });
    expect(mentionQuery("mail bob@example.org", 20)).toBeNull();
    expect(mentionQuery("hi @ann and", 11)).toBeNull();
  });

  it("suggests names that start with it first, then contain it, not our own", () => {
    const nicks = ["Anna", "joann", "ann", "Bob", "Ánnika", "me"];
    expect(suggestNicks("an", nicks, "me")).toEqual(["ann", "Anna", "Ánnika", "joann"]);
    expect(suggestNicks("", nicks, "me")).toEqual(["ann", "Anna", "Ánnika", "Bob", "joann"]);
  });

  it("completes the name with a space after it", () => {
    expect(completeMention("hi @an, look", 6, "Anna")).toEqual({ text: "hi @Anna , look", caret: 9 });
  });

  it("tells a mention of a name from a word that contains it", () => {
    expect(mentions("hi Ann!", "ann")).toBe(true);
    expect(mentions("@ann look", "Ann")).toBe(true);
    expect(mentions("annual report", "ann")).toBe(false);
    expect(mentions("joann said", "ann")).toBe(false);
    expect(mentions("thanks, Zoë.", "zoe")).toBe(true);
    expect(mentions("c++ (the language)", "c++")).toBe(true);
    expect(mentions("anything", " ")).toBe(false);
  });
});

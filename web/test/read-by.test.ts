import { describe, expect, it } from "vitest";
import { readByText } from "../src/features/rooms/read-by.ts";

describe("'Read by' in group chats", () => {
  const reads = [
    { nick: "cy", ts: 300 },
    { nick: "dee", ts: 200 },
    { nick: "eli", ts: 100 },
  ];

  it("names those who read up to the message or later", () => {
    expect(readByText(reads, 300)).toBe("Read by cy");
    expect(readByText(reads, 150)).toBe("Read by cy and dee");
    expect(readByText(reads, 100)).toBe("Read by cy, dee and eli");
    expect(readByText(reads, 301)).toBeNull();
    expect(readByText([], 1)).toBeNull();
  });

  it("counts the others beyond three names", () => {
    const many = [...reads, { nick: "fay", ts: 100 }, { nick: "gus", ts: 100 }];
    expect(readByText(many, 100)).toBe("Read by cy, dee, eli and 2 others");
    expect(readByText(many.slice(0, 4), 100)).toBe("Read by cy, dee, eli and 1 other");
  });
});

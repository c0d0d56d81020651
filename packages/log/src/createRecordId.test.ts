import { describe, expect, it } from "vitest";
import { createRecordId } from "./createRecordId.js";

describe("createRecordId", () => {
  it("makes 26-character Crockford base32 ids whose first 10 characters encode the time", () => {
    expect(createRecordId(0).slice(0, 10)).toBe("0000000000");
    // 2^48 − 1 ms is the largest ULID time: all 5-bit digits but the first (which holds 3 bits) are 31.
    expect(createRecordId(2 ** 48 - 1).slice(0, 10)).toBe("7ZZZZZZZZZ");
    expect(createRecordId()).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it("sorts by time as strings and does not repeat", () => {
    const earlier = createRecordId(1_700_000_000_000);
    const later = createRecordId(1_700_000_000_001);
    expect(earlier < later).toBe(true);
    const ids = new Set(Array.from({ length: 20_000 }, () => createRecordId(1_700_000_000_000)));
    expect(ids.size).toBe(20_000);
  });
});

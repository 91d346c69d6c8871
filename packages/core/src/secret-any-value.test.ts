import { describe, expect, it } from "vitest";
import { scrubSecrets, Secret } from "./secret.js";

// What scrubbers are handed often comes from an SDK or a server: an error's numeric `code`
// (a DOMException TimeoutError has code 23), an undefined field, an object. A scrubber that
// throws turns a delivery failure into a crash that loses the report and the outbox.
const token = new Secret("xoxb-1234-abcdefghijkl", "xoxb-****");
const values: [string, unknown, string][] = [
  ["a number", 23, "23"],
  ["NaN", Number.NaN, "NaN"],
  ["undefined", undefined, ""],
  ["null", null, ""],
  ["a boolean", false, "false"],
  ["a bigint", 10n, "10"],
  ["a symbol", Symbol("s"), "Symbol(s)"],
  ["an array holding the secret", ["x", token.reveal()], "x,xoxb-****"],
  ["an Error holding the secret", new Error(`bad ${token.reveal()}`), "Error: bad xoxb-****"],
  ["an object without a prototype", Object.create(null), "[unprintable value]"],
  [
    "an object whose toString throws",
    {
      toString: () => {
        throw new Error("no");
      },
    },
    "[unprintable value]",
  ],
];

describe("the scrubber accepts any value", () => {
  for (const [what, value, expected] of values) {
    it(`scrubSecrets takes ${what} without throwing`, () => {
      expect(scrubSecrets(value, [token])).toBe(expected);
    });
  }
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeJsonError, locateJsonError } from "./json-error.js";

const valid = (t: string) => {
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
};

describe("locateJsonError", () => {
  it.each([
    ['{"a": }', 1, 7, 'unexpected "}"'],
    ['{"a": 1,}', 1, 9, 'unexpected "}": a property name that is not in double quotes (or a trailing comma)'],
    ["{'a': 1}", 1, 2, 'unexpected "\'": a property name that is not in double quotes (or a trailing comma)'],
    ['{"a": 1 "b": 2}', 1, 9, 'unexpected "\\"": a missing comma or closing brace'],
    ["[1, 2,]", 1, 7, 'unexpected "]": a trailing comma'],
    ['{"a": "x\ny"}', 1, 9, "unexpected U+000A: a control character (a raw line break?) inside a string"],
    ['{"a": -}', 1, 8, 'unexpected "}": a minus sign with no number'],
    ['{"a": tru}', 1, 10, 'unexpected "}"'],
    ['{"a": 1}}', 1, 9, 'unexpected "}": more text after the end of the JSON value'],
    ['{\n  "a": 1,\n  "b": [\n', 4, 1, "unexpected end of input (truncated?)"],
  ])("%j → line %i, column %i: %s", (text, line, column, detail) => {
    expect(valid(text)).toBe(false);
    expect(locateJsonError(text)).toMatchObject({ line, column, detail });
  });

  it("agrees with JSON.parse on what is valid (fixtures and mutations of them)", () => {
    const base = readFileSync(`${process.env.SOCKET_FIXTURES}/derived__enable_json_report.json`, "utf8");
    expect(locateJsonError(base)).toBeUndefined();
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const chars = ['"', "{", "}", "[", "]", ",", ":", " ", "x", "1", "-", "\\", "\n", "e", "."];
    for (let k = 0; k < 400; k++) {
      const at = rnd(base.length);
      const mutated = rnd(2)
        ? base.slice(0, at) + chars[rnd(chars.length)] + base.slice(at)
        : base.slice(0, at) + base.slice(at + 1);
      expect(locateJsonError(mutated) === undefined, `mutation at ${at}`).toBe(valid(mutated));
    }
  });

  it("never quotes more than one character of the input", () => {
    const secret = "xoxb-1234567890-abcdefghij";
    for (const text of [`{"t": ${secret}}`, `{"t": "${secret}" x}`, `{"t": "${secret}", }`, `{"t": "${secret}"`]) {
      const d = describeJsonError(text);
      expect(d).not.toMatch(/xoxb|1234|abcd/);
    }
  });
});

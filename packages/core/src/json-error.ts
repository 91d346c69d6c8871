/**
 * Where and why a JSON text fails to parse, without echoing its content. Node 20's
 * `JSON.parse` gives a position for only some errors ("Unexpected token 'x', "…" is not
 * valid JSON" has none) and quotes up to ten characters around the error, which may be part
 * of a token or webhook URL. So we find the position ourselves and describe it in our words.
 */
export interface JsonErrorLocation {
  /** 0-based offset of the first character that cannot be parsed (text length at a truncation). */
  offset: number;
  line: number;
  column: number;
  /** e.g. `unexpected "}"`, `unexpected end of input (truncated?)`. Never more than one character of the input. */
  detail: string;
}

class Fail extends Error {
  constructor(
    readonly at: number,
    readonly why?: string,
  ) {
    super("json");
  }
}

/** Locate the first syntax error in `text`; undefined when it is valid JSON. */
export function locateJsonError(text: string): JsonErrorLocation | undefined {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const expect = (s: string) => {
    for (const c of s) {
      if (text[i] !== c) throw new Fail(i);
      i++;
    }
  };
  const str = () => {
    i++; // opening quote
    for (;;) {
      if (i >= n) throw new Fail(i);
      const c = text.charCodeAt(i);
      if (c === 0x22) return void i++;
      if (c < 0x20) throw new Fail(i, "a control character (a raw line break?) inside a string");
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new Fail(i, "a bad \\u escape in a string");
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else throw new Fail(i, "a bad escape in a string");
      } else i++;
    }
  };
  const num = () => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) throw new Fail(text[i] === "-" ? i + 1 : i, text[i] === "-" ? "a minus sign with no number" : undefined);
    i += m[0].length;
  };
  const value = (depth: number): void => {
    if (depth > 2000) throw new Fail(i, "nesting too deep");
    ws();
    if (i >= n) throw new Fail(i);
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"')
          throw new Fail(i, i < n ? "a property name that is not in double quotes (or a trailing comma)" : undefined);
        str();
        ws();
        expect(":");
        value(depth + 1);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") return void i++;
        throw new Fail(i, i < n ? "a missing comma or closing brace" : undefined);
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        ws();
        if (text[i] === "]") throw new Fail(i, "a trailing comma");
        value(depth + 1);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") return void i++;
        throw new Fail(i, i < n ? "a missing comma or closing bracket" : undefined);
      }
    }
    if (c === '"') return str();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return num();
    if (c === "t") return expect("true");
    if (c === "f") return expect("false");
    if (c === "n") return expect("null");
    throw new Fail(i);
  };
  try {
    value(0);
    ws();
    if (i < n) throw new Fail(i, "more text after the end of the JSON value");
    return undefined;
  } catch (e) {
    if (!(e instanceof Fail)) return undefined;
    const offset = Math.min(e.at, n);
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    let detail: string;
    if (offset >= n) detail = "unexpected end of input (truncated?)";
    else {
      const ch = text[offset]!;
      const shown = /[\x20-\x7e]/.test(ch)
        ? JSON.stringify(ch)
        : `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
      detail = `unexpected ${shown}${e.why ? `: ${e.why}` : ""}`;
    }
    return { offset, line, column, detail };
  }
}

/** ` at line L, column C: unexpected "x"` for a text that failed `JSON.parse`. */
export function describeJsonError(text: string): string {
  const loc = locateJsonError(text);
  return loc ? ` at line ${loc.line}, column ${loc.column}: ${loc.detail}` : ": not valid JSON";
}

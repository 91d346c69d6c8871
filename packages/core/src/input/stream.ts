// `promises.open` at the call, not `node:fs/promises` at the top: only a large report is
// streamed, and that module costs every start ~2 ms (bench/README.md, figure 5).
import { promises as fsPromises } from "node:fs";

/** The alert lists streamed one issue at a time; anything else stays in the skeleton. */
const LISTS = new Set(["new_alerts", "unchanged_alerts", "removed_alerts"]);

export interface Streamed {
  /** The top-level object with each alert list written as `[]`. */
  skeleton: unknown;
  /** How many issues each list had. */
  counts: Record<string, number>;
}

const QUOTE = 0x22,
  BACKSLASH = 0x5c,
  OPEN_O = 0x7b,
  CLOSE_O = 0x7d,
  OPEN_A = 0x5b,
  CLOSE_A = 0x5d,
  COMMA = 0x2c,
  COLON = 0x3a;
const isWs = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * Read a report file in chunks and hand each issue of `new_alerts`, `unchanged_alerts` and
 * `removed_alerts` to `onIssue` as soon as it is parsed, so neither the whole text nor the whole
 * JSON tree is ever in memory. Returns undefined for anything it does not recognise as one plain
 * JSON object (log prefixes, syntax errors, a list given twice, trailing text...): the caller then
 * parses the whole text the ordinary way, which gives the exact error.
 */
export async function streamScanFile(
  path: string,
  onIssue: (list: string, issue: unknown) => boolean,
): Promise<Streamed | undefined> {
  let depth = 0; // nesting depth of the whole document
  let inString = false;
  let escaped = false;
  let started = false;
  let done = false;
  let failed = false;
  // Skeleton text: everything at depth 1 outside the lists.
  const skeleton: Buffer[] = [];
  let skelFrom = -1; // start (in the current chunk) of the skeleton text not copied yet
  let lastKey: Buffer[] = []; // bytes of the last depth-1 string (a key, maybe)
  let keyFrom = -1;
  let lastKeyText = "";
  let expectValueForKey = false;
  let list: string | undefined; // the list being streamed (depth 2 is its elements)
  let elem: Buffer[] = [];
  let elemFrom = -1;
  const counts: Record<string, number> = {};
  let bom = true;

  for await (const chunk of chunksOf(path)) {
    if (failed || done) {
      // Only whitespace may follow the object.
      for (const b of chunk) if (!isWs(b)) failed = true;
      if (failed) break;
      continue;
    }
    let i = 0;
    if (bom && !started && chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    bom = false;
    if (skelFrom >= 0) skelFrom = 0;
    if (keyFrom >= 0) keyFrom = 0;
    if (elemFrom >= 0) elemFrom = 0;
    for (; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (done) {
        if (!isWs(b)) {
          failed = true;
          break;
        }
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) {
          inString = false;
          if (depth === 1 && keyFrom >= 0) {
            lastKey.push(chunk.subarray(keyFrom, i + 1));
            keyFrom = -1;
            lastKeyText = Buffer.concat(lastKey).toString("utf8");
            lastKey = [];
          }
        }
        continue;
      }
      if (!started) {
        if (isWs(b)) continue;
        if (b !== OPEN_O) {
          failed = true;
          break;
        }
        started = true;
        depth = 1;
        skelFrom = i;
        continue;
      }
      if (b === QUOTE) {
        inString = true;
        if (depth === 1) {
          keyFrom = i;
          lastKey = [];
        }
        continue;
      }
      if (depth === 1 && b === COLON) {
        expectValueForKey = true;
        continue;
      }
      if (depth === 1 && expectValueForKey && !isWs(b)) {
        expectValueForKey = false;
        let name: string | undefined;
        try {
          name = JSON.parse(lastKeyText) as string;
        } catch {
          failed = true;
          break;
        }
        if (b === OPEN_A && LISTS.has(name)) {
          if (name in counts) {
            failed = true; // given twice: JSON.parse keeps the last; let it decide
            break;
          }
          counts[name] = 0;
          list = name;
          skeleton.push(Buffer.from(chunk.subarray(skelFrom, i + 1)), Buffer.from("]"));
          skelFrom = -1;
          depth = 2;
          continue;
        }
      }
      if (b === OPEN_O || b === OPEN_A) {
        if (list !== undefined && depth === 2) {
          elemFrom = i;
          elem = [];
        }
        depth++;
        continue;
      }
      if (b === CLOSE_O || b === CLOSE_A) {
        depth--;
        if (list !== undefined && depth === 2 && elemFrom >= 0) {
          // Most issues lie within one chunk: decode them in place, without a concatenated copy.
          const text =
            elem.length === 0
              ? chunk.toString("utf8", elemFrom, i + 1)
              : Buffer.concat([...elem, chunk.subarray(elemFrom, i + 1)]).toString("utf8");
          elemFrom = -1;
          let issue: unknown;
          try {
            issue = JSON.parse(text);
          } catch {
            failed = true;
            break;
          }
          elem = [];
          counts[list]!++;
          if (!onIssue(list, issue)) {
            failed = true;
            break;
          }
          continue;
        }
        if (list !== undefined && depth === 1) {
          if (b !== CLOSE_A) {
            failed = true;
            break;
          }
          list = undefined;
          skelFrom = i + 1;
          continue;
        }
        if (depth === 0) {
          skeleton.push(Buffer.from(chunk.subarray(skelFrom, i + 1)));
          skelFrom = -1;
          done = true;
        }
        continue;
      }
      if (list !== undefined && depth === 2 && !isWs(b) && b !== COMMA) {
        failed = true; // a list item that is not an object or list: let the full parse report it
        break;
      }
    }
    if (failed) break;
    if (skelFrom >= 0) skeleton.push(Buffer.from(chunk.subarray(skelFrom)));
    if (keyFrom >= 0) lastKey.push(Buffer.from(chunk.subarray(keyFrom)));
    if (elemFrom >= 0) elem.push(Buffer.from(chunk.subarray(elemFrom)));
  }
  if (failed || !done) return undefined;
  try {
    return { skeleton: JSON.parse(Buffer.concat(skeleton).toString("utf8")), counts };
  } catch {
    return undefined;
  }
}

/**
 * The file's bytes, one buffer at a time, always the same buffer: each chunk is parsed before the
 * next read, and what outlives a chunk is copied (Buffer.from above). A read stream would allocate
 * a new buffer per chunk; freed buffers of that size stay in the process (malloc's arenas), so a
 * 60 MB report left ~20 MB of RSS behind (bench figure 6).
 */
async function* chunksOf(path: string, size = 1 << 20): AsyncGenerator<Buffer> {
  const fd = await fsPromises.open(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(size);
    for (;;) {
      const { bytesRead } = await fd.read(buffer, 0, size, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await fd.close();
  }
}

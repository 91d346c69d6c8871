/**
 * Reading the files a run is given (the scan report, `--facts`): regular files only, with a
 * size cap, and standard input only when asked for with `-`.
 *
 * Why: a path can be anything. `/dev/zero` or `/dev/urandom` never end (memory grows without
 * bound), a FIFO or a symlink to `/dev/stdin` blocks the run forever at `open`. The file is
 * opened non-blocking (so a FIFO cannot hang the open) and checked on the descriptor itself
 * (so a symlink cannot point elsewhere between the check and the read).
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { UserError } from "../errors.js";

// Synchronous calls: a run reads its inputs before anything else happens, a non-blocking open
// cannot hang, and the reads are capped. Asynchronous ones would start libuv's thread pool
// (four threads) for a few small reads, a visible part of a start (bench/README.md, figure 5).
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // closing a descriptor we only read cannot lose anything
  }
}

export interface ReadLimits {
  /** What the file is, in errors: "the scan report". */
  what: string;
  /** Files (and standard input) larger than this are refused. */
  maxBytes: number;
  hint: string;
}

function unreadable(source: string, why: string, limits: ReadLimits): UserError {
  return new UserError("input_unreadable", `${source}: cannot read ${limits.what} (${why})`, {
    file: source,
    hint: limits.hint,
  });
}

function kindOf(s: Stats): string | undefined {
  if (s.isFile()) return undefined;
  if (s.isDirectory()) return "it is a directory";
  if (s.isCharacterDevice()) return "not a regular file: a character device such as /dev/zero";
  if (s.isBlockDevice()) return "not a regular file: a block device";
  if (s.isFIFO()) return "not a regular file: a named pipe or standard input; give - to read standard input";
  if (s.isSocket()) return "not a regular file: a socket";
  return "not a regular file";
}

const mib = (n: number) => `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB`;

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "ENOENT"
    ? "no such file"
    : code === "EISDIR"
      ? "it is a directory"
      : code === "EACCES"
        ? "permission denied"
        : code === "ELOOP"
          ? "too many symbolic links"
          : code === "ENXIO"
            ? "not a regular file: a socket or standard input; give - to read standard input"
            : (code ?? "read error");
}

/** Open `path` if it is a regular file within the cap; the caller closes the descriptor. */
async function openRegular(path: string, source: string, limits: ReadLimits): Promise<{ fd: number; size: number }> {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw unreadable(source, errnoText(e), limits);
  }
  try {
    const s = fstatSync(fd);
    const kind = kindOf(s);
    if (kind) throw unreadable(source, kind, limits);
    if (s.size > limits.maxBytes)
      throw unreadable(source, `${mib(s.size)}, more than the ${mib(limits.maxBytes)} a run reads`, limits);
    return { fd, size: s.size };
  } catch (e) {
    closeQuietly(fd);
    throw e;
  }
}

/** The size of `path`, after checking it is a regular file within the cap (a `UserError` otherwise). */
export async function checkRegularFile(path: string, limits: ReadLimits, source = path): Promise<number> {
  const { fd, size } = await openRegular(path, source, limits);
  closeQuietly(fd);
  return size;
}

/**
 * The text of a regular file, at most `maxBytes`: also a file whose size says 0 but that has
 * content (`/proc`) or one that grows while it is read stops at the cap.
 */
export async function readRegularFile(path: string, limits: ReadLimits, source = path): Promise<string> {
  const { fd, size } = await openRegular(path, source, limits);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    const chunk = Math.min(Math.max(size + 1, 64 * 1024), 16 * 1024 * 1024);
    for (;;) {
      const buffer = Buffer.allocUnsafe(chunk);
      let bytesRead: number;
      try {
        bytesRead = readSync(fd, buffer, 0, chunk, null);
      } catch (e) {
        throw unreadable(source, errnoText(e), limits);
      }
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limits.maxBytes)
        throw unreadable(source, `more than the ${mib(limits.maxBytes)} a run reads`, limits);
      chunks.push(bytesRead === chunk ? buffer : buffer.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total).toString("utf8");
  } finally {
    closeQuietly(fd);
  }
}

/** Standard input (`-`), at most `maxBytes`: `< /dev/zero` is refused, not read forever. */
export async function readStdinBounded(
  limits: ReadLimits,
  stdin: AsyncIterable<unknown> = process.stdin,
): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of stdin) {
    const b = Buffer.isBuffer(c) ? c : Buffer.from(String(c));
    total += b.length;
    if (total > limits.maxBytes) {
      (stdin as { destroy?: () => void }).destroy?.();
      throw unreadable("stdin", `more than the ${mib(limits.maxBytes)} a run reads`, limits);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks, total).toString("utf8");
}

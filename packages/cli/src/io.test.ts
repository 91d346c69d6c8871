import { describe, expect, it } from "vitest";
import { type CliIO, Output } from "./io.js";

function io(tty: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIO = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s), isTTY: tty, columns: 40 },
    env: {},
    cwd: "/",
  };
  return { value, out, err };
}

describe("Output", () => {
  it("on a TTY, progress is one line rewritten in place (cut to the terminal width) and cleared before any other output", () => {
    const t = io(true);
    const o = new Output(t.value);
    o.progress("sending: 1/3 sent");
    o.progress("sending: 2/3 sent · waiting on a Slack rate limit (1)");
    o.out("done");
    expect(t.err).toEqual([
      "\r\x1b[2Ksending: 1/3 sent",
      "\r\x1b[2Ksending: 2/3 sent · waiting on a Slack ",
      "\r\x1b[2K",
    ]);
    expect(t.out).toEqual(["done\n"]);
  });

  it("without a TTY (CI), progress writes nothing: the caller logs plain lines instead", () => {
    const t = io(false);
    const o = new Output(t.value);
    o.progress("sending: 1/3 sent");
    o.err("sending: 1/3 sent");
    expect(t.err).toEqual(["sending: 1/3 sent\n"]);
  });

  it("never prints a Slack credential or a raw control character, whatever the text", () => {
    const t = io(false);
    const o = new Output(t.value);
    o.err(
      "bad config: https://hooks.slack.com/services/T0AAA/B0BBB/abcdefSECRET and xoxb-123-SECRET and xapp-1-SECRET",
    );
    o.out("branch \x1b[2Jevil\u202e");
    expect(t.err.join("")).toBe("bad config: hooks.slack.com/services/T…/B…/**** and xoxb-**** and xapp-****\n");
    expect(t.out.join("")).toBe("branch \\u001b[2Jevil\\u202e\n");
  });
});

describe("processIO: standard output and error of the real process", () => {
  // A child process, so its stdout is a real pipe/socket: the fs.writeSync path (or its stream
  // fallback) must deliver every byte, in order, however slowly the reader reads.
  async function child(
    script: string,
    stdio: "pipe" | "shell-pipe",
  ): Promise<{ out: string; err: string; code: number | null }> {
    const { spawn } = await import("node:child_process");
    const ioModule = new URL("../dist/io.js", import.meta.url).href;
    const code = `import(${JSON.stringify(ioModule)}).then(({ processIO }) => { const io = processIO(); ${script} });`;
    const p =
      stdio === "pipe"
        ? spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "pipe"] })
        : spawn("bash", ["-c", `"${process.execPath}" -e '${code.replace(/'/g, "'\\''")}' | cat`], {
            stdio: ["ignore", "pipe", "pipe"],
          });
    let out = "";
    let err = "";
    p.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    return new Promise((done) => p.on("close", (c) => done({ out, err, code: c })));
  }

  const write =
    'for (let i = 0; i < 40; i++) io.stdout.write(String(i).padStart(3, "0") + "x".repeat(49996) + "\\n"); io.stderr.write("done\\n");';

  it.each(["pipe", "shell-pipe"] as const)("2 MB to a %s arrives whole and in order", async (kind) => {
    const r = await child(write, kind);
    expect(r.code).toBe(0);
    const lines = r.out.split("\n");
    expect(lines).toHaveLength(41);
    lines.slice(0, 40).forEach((l, i) => expect(l.slice(0, 3)).toBe(String(i).padStart(3, "0")));
    expect(r.err).toBe("done\n");
  });
});

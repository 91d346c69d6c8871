import { describe, expect, it } from "vitest";
import { type CliIO, Output } from "./io.js";

function io(tty: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIO = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s), isTTY: tty, columns: 40 }, env: {}, cwd: "/" };
  return { value, out, err };
}

describe("Output", () => {
  it("on a TTY, progress is one line rewritten in place (cut to the terminal width) and cleared before any other output", () => {
    const t = io(true);
    const o = new Output(t.value);
    o.progress("sending: 1/3 sent");
    o.progress("sending: 2/3 sent · waiting on a Slack rate limit (1)");
    o.out("done");
    expect(t.err).toEqual(["\r\x1b[2Ksending: 1/3 sent", "\r\x1b[2Ksending: 2/3 sent · waiting on a Slack ", "\r\x1b[2K"]);
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
    o.err("bad config: https://hooks.slack.com/services/T0AAA/B0BBB/abcdefSECRET and xoxb-123-SECRET and xapp-1-SECRET");
    o.out("branch \x1b[2Jevil\u202e");
    expect(t.err.join("")).toBe("bad config: hooks.slack.com/services/T…/B…/**** and xoxb-**** and xapp-****\n");
    expect(t.out.join("")).toBe("branch \\u001b[2Jevil\\u202e\n");
  });
});

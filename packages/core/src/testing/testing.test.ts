import { describe, expect, it } from "vitest";
import { Secret } from "../secret.js";
import { UserError } from "../errors.js";
import { expectNoSecrets, FakeClock, redactForDisplay } from "./index.js";

describe("FakeClock", () => {
  it("manual mode: sleeps end only when time is advanced, in order", async () => {
    const clock = new FakeClock({ now: 0 });
    const done: string[] = [];
    void clock.sleep(200).then(() => done.push("b"));
    void clock.sleep(100).then(() => done.push("a"));
    await clock.advance(50);
    expect(done).toEqual([]);
    expect(clock.now()).toBe(50);
    await clock.advance(100);
    expect(done).toEqual(["a"]);
    await clock.advance(1000);
    expect(done).toEqual(["a", "b"]);
    expect(clock.now()).toBe(1150);
    expect(clock.completedSleeps).toEqual([200, 100]);
  });

  it("advance lets woken code sleep again before time moves on", async () => {
    const clock = new FakeClock({ now: 0 });
    const at: number[] = [];
    void (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(100);
        at.push(clock.now());
      }
    })();
    await clock.advance(1000);
    expect(at).toEqual([100, 200, 300]);
  });

  it("auto mode resolves sleeps at once and records virtual time", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    await clock.sleep(60_000);
    await clock.sleep(30_000);
    expect(clock.elapsed).toBe(90_000);
    expect(clock.sleeps.map((s) => s.ms)).toEqual([60_000, 30_000]);
  });

  it("auto mode runs parallel sleepers in virtual-time order", async () => {
    const clock = new FakeClock({ now: 0, autoAdvance: true });
    const order: string[] = [];
    await Promise.all([
      clock.sleep(300).then(() => order.push(`a@${clock.now()}`)),
      clock.sleep(100).then(() => order.push(`b@${clock.now()}`)),
      clock.sleep(200).then(() => order.push(`c@${clock.now()}`)),
    ]);
    expect(order).toEqual(["b@100", "c@200", "a@300"]);
  });

  it("a bounded auto mode leaves long sleeps for advance()", async () => {
    const clock = new FakeClock({ now: 0, autoAdvance: 1000 });
    let long = false;
    void clock.sleep(120_000).then(() => (long = true));
    await clock.sleep(500);
    expect(clock.now()).toBe(500);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(long).toBe(false);
    await clock.advance(200_000);
    expect(long).toBe(true);
  });

  it("an aborted sleep rejects with the signal's reason and is recorded as aborted", async () => {
    const clock = new FakeClock({ now: 0 });
    const ac = new AbortController();
    const p = clock.sleep(1000, ac.signal);
    ac.abort(new Error("stop"));
    await expect(p).rejects.toThrow("stop");
    expect(clock.sleeps[0]!.state).toBe("aborted");
    expect(clock.pending).toBe(0);
  });
});

describe("expectNoSecrets", () => {
  const url = "https://hooks.slack.com/services/T0001/B0002/abcdefghijklmnopqrstuvwx";
  const token = "xoxb-1234-5678-abcdefghijkl";

  it("passes when no output holds a secret, including redacted Secret objects", () => {
    const s = new Secret(url, "hooks.slack.com/services/T…/B…/****");
    expect(() => expectNoSecrets(["all good", { s }, [s], new UserError("usage", `bad ${s}`)], [url, s])).not.toThrow();
  });

  it("names the output and the secret, without printing the secret", () => {
    let err: Error | undefined;
    try {
      expectNoSecrets({ stdout: "ok", stderr: `failed posting to ${url}`, report: { token } }, [url, token]);
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeDefined();
    expect(err!.message).toContain("stderr (a string of");
    expect(err!.message).toContain("secret #0 https://hooks.slack.com/****");
    expect(err!.message).toContain("report (an object) contains secret #1 xoxb****(27 chars)");
    expect(err!.message).not.toContain("abcdefghijklmnopqrstuvwx");
    expect(err!.message).not.toContain("abcdefghijkl");
    expect(err!.message).not.toContain("stdout");
  });

  it("finds secrets in error causes, stacks and URL-encoded forms", () => {
    const wrapped = new Error("outer", { cause: new Error(`inner ${token}`) });
    expect(() => expectNoSecrets([wrapped], [token])).toThrow(/output #0 \(Error\) contains secret #0/);
    expect(() => expectNoSecrets([`q=${encodeURIComponent(url)}`], [url])).toThrow(/\(encoded\)/);
    expect(() => expectNoSecrets([{ lines: [{ message: `POST ${url.slice(8)}` }] }], [url])).toThrow(/output #0/);
  });

  it("redacts for display", () => {
    expect(redactForDisplay(token)).toBe("xoxb****(27 chars)");
    expect(redactForDisplay(url)).toBe(`https://hooks.slack.com/****(${url.length} chars)`);
  });
});

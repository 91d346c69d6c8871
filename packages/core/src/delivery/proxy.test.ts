import { describe, expect, it } from "vitest";
import { isSocketNotifyError } from "../errors.js";
import { type Secret, scrubSecrets } from "../secret.js";
import { bypassesProxy, proxyFor, proxySettings } from "./proxy.js";

const u = (s: string) => new URL(s);

describe("which proxy a request takes (curl's rules)", () => {
  it("https targets use https_proxy/HTTPS_PROXY, http targets http_proxy/HTTP_PROXY; lower case wins; no fallback across schemes", () => {
    const both = proxySettings({
      HTTPS_PROXY: "http://upper:1",
      https_proxy: "http://lower:2",
      HTTP_PROXY: "http://plain:3",
    })!;
    expect(proxyFor(u("https://hooks.slack.com/services/T/B/x"), both)?.url.host).toBe("lower:2");
    expect(proxyFor(u("https://hooks.slack.com/services/T/B/x"), both)?.variable).toBe("https_proxy");
    expect(proxyFor(u("http://127.0.0.1:8080/"), both)?.url.host).toBe("plain:3");
    const httpOnly = proxySettings({ HTTP_PROXY: "http://plain:3" })!;
    expect(proxyFor(u("https://slack.com/api/chat.postMessage"), httpOnly)).toBeUndefined();
    expect(proxySettings({})).toBeUndefined();
    expect(proxySettings({ HTTPS_PROXY: "  " })).toBeUndefined();
  });

  it("a proxy without a scheme is http:// (as curl); other schemes are a usage error naming the variable", () => {
    expect(proxySettings({ HTTPS_PROXY: "proxy.corp:3128" })!.https!.url.href).toBe("http://proxy.corp:3128/");
    let err: unknown;
    try {
      proxySettings({ https_proxy: "socks5://user:hunter22@x:1" });
    } catch (e) {
      err = e;
    }
    expect(isSocketNotifyError(err)).toBe(true);
    expect((err as Error).message).toBe("https_proxy: proxy scheme socks5 is not supported");
    expect((err as Error).message).not.toContain("hunter22");
  });

  it("loopback is proxied unless NO_PROXY lists it", () => {
    const s = proxySettings({ HTTP_PROXY: "http://p:1" })!;
    for (const t of ["http://127.0.0.1:9/", "http://localhost:9/", "http://[::1]:9/"])
      expect(proxyFor(u(t), s), t).toBeDefined();
  });

  it.each([
    ["*", "https://slack.com/", true],
    ["slack.com", "https://slack.com/", true],
    ["slack.com", "https://hooks.slack.com/", true],
    [".slack.com", "https://slack.com/", true],
    ["*.slack.com", "https://hooks.slack.com/", true],
    ["SLACK.COM", "https://hooks.slack.com/", true],
    ["lack.com", "https://slack.com/", false],
    ["example.com, slack.com", "https://slack.com/", true],
    ["example.com slack.com", "https://slack.com/", true],
    ["127.0.0.1", "http://127.0.0.1:4000/", true],
    ["127.0.0.0/8", "http://127.0.0.1:4000/", true],
    ["10.0.0.0/8", "http://127.0.0.1:4000/", false],
    ["::1", "http://[::1]:4000/", true],
    ["[::1]", "http://[::1]:4000/", true],
    ["::/0", "http://[::1]:4000/", true],
    ["127.0.0.1:4000", "http://127.0.0.1:4000/", true],
    ["127.0.0.1:4001", "http://127.0.0.1:4000/", false],
    ["slack.com:443", "https://slack.com/", true],
    ["localhost", "http://127.0.0.1:4000/", false], // names are not resolved (curl neither)
    ["", "https://slack.com/", false],
  ])("NO_PROXY=%j, %s → bypass %s", (noProxy, target, bypass) => {
    expect(bypassesProxy(u(target), noProxy)).toBe(bypass);
  });

  it("credentials become secrets: the URL, the password (raw and %-encoded), user:password and its Basic form", () => {
    const secrets: Secret[] = [];
    const s = proxySettings({ HTTPS_PROXY: "http://ci:p%40ss-w0rd-1@proxy.corp:3128" }, secrets)!;
    expect(s.https!.display).toBe("http://****@proxy.corp:3128");
    expect(s.https!.url.href).toBe("http://proxy.corp:3128/");
    expect(s.https!.authorization).toBe(`Basic ${Buffer.from("ci:p@ss-w0rd-1").toString("base64")}`);
    const leaky = `failed via http://ci:p%40ss-w0rd-1@proxy.corp:3128 (p@ss-w0rd-1, ci:p@ss-w0rd-1, ${Buffer.from("ci:p@ss-w0rd-1").toString("base64")})`;
    const clean = scrubSecrets(leaky, secrets);
    expect(clean).not.toContain("w0rd");
    expect(clean).not.toContain(Buffer.from("ci:p@ss-w0rd-1").toString("base64"));
    expect(clean).toContain("http://****@proxy.corp:3128");
  });
});

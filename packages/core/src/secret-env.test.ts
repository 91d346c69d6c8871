import { describe, expect, it } from "vitest";
import { createHost } from "./host.js";
import { silentLogger } from "./logger.js";
import { environmentSecrets, redactCredentials, scrubSecrets, Secret } from "./secret.js";

const ENV = {
  PATH: "/usr/local/bin:/usr/bin:/bin",
  HOME: "/home/runner",
  PWD: "/home/runner/work/app",
  CI: "true",
  GITHUB_REPOSITORY: "acme/web",
  GITHUB_SHA: "5efacb1a0000000000000000000000000000beef",
  GITHUB_TOKEN: "ghs_16C7e42F292c6912E7710c838347Ae178B4a",
  NPM_TOKEN: "npm_abcdefghijklmnopqrstuvwxyz0123456789",
  AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  DB_PASSWORD: "hunter2-but-longer",
  SENTRY_DSN: "https://abc123@o1.ingest.sentry.io/42",
  MY_SERVICE_URL: "https://deploy:s3cr3tpass@deploy.example/api",
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvIn0.c2lnbmF0dXJl",
  RANDOM_NAME: "xoxp-1234-5678-abcdefabcdef",
  SOME_FLAG_TOKEN: "1",
};
const SECRETS = [
  "GITHUB_TOKEN",
  "NPM_TOKEN",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "DB_PASSWORD",
  "SENTRY_DSN",
  "MY_SERVICE_URL",
  "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
  "RANDOM_NAME",
] as const;

describe("credentials from the environment", () => {
  it("are recognised by the variable's name or the value's shape; ordinary values are not", () => {
    const found = environmentSecrets(ENV).map((s) => s.reveal());
    for (const k of SECRETS) expect(found, k).toContain(ENV[k]);
    for (const v of [ENV.PATH, ENV.HOME, ENV.PWD, ENV.CI, ENV.GITHUB_REPOSITORY, ENV.GITHUB_SHA, ENV.SOME_FLAG_TOKEN])
      expect(found).not.toContain(v);
  });

  it("are scrubbed from everything the host scrubs, as given, URL-encoded and in any case", () => {
    const host = createHost({ env: ENV, configSource: "test", logger: silentLogger });
    const text = SECRETS.map((k) => `${k}=${ENV[k]} enc=${encodeURIComponent(ENV[k])} up=${ENV[k].toUpperCase()}`).join(
      "\n",
    );
    const out = host.scrub(text);
    for (const k of SECRETS) {
      expect(out, k).not.toContain(ENV[k]);
      expect(out, k).not.toContain(encodeURIComponent(ENV[k]));
      expect(out.toLowerCase(), k).not.toContain(ENV[k].toLowerCase());
    }
    expect(out).toContain("$GITHUB_TOKEN(****)");
    expect(host.scrub("acme/web at /home/runner")).toBe("acme/web at /home/runner");
  });
});

describe("the scrubber", () => {
  it("takes any value: a number, undefined, an object, an Error", () => {
    const s = [new Secret("xoxb-1111-2222-abcdef", "xoxb-****")];
    expect(scrubSecrets(408, s)).toBe("408");
    expect(scrubSecrets(undefined, s)).toBe("");
    expect(scrubSecrets(null, s)).toBe("");
    expect(scrubSecrets(new Error("bad xoxb-1111-2222-abcdef"), s)).toBe("Error: bad xoxb-****");
    const host = createHost({ env: {}, configSource: "t", logger: silentLogger });
    expect(host.scrub(Symbol.for("x") as unknown)).toBe("Symbol(x)");
  });

  it("is case-insensitive: an upper-case webhook URL is redacted however it is echoed", () => {
    const raw = "https://HOOKS.SLACK.COM/services/T0000AAAA/B0000AAAA/AbCdEfGhIjKlMnOpQrStUvWx";
    const s = [new Secret(raw, "hooks.slack.com/services/T…/B…/****")];
    for (const echo of [
      raw,
      raw.toLowerCase(),
      new URL(raw).href,
      "hooks.slack.com/services/T0000AAAA/B0000AAAA/AbCdEfGhIjKlMnOpQrStUvWx",
    ]) {
      expect(scrubSecrets(`got ${echo} back`, s), echo).toBe("got hooks.slack.com/services/T…/B…/**** back");
    }
    expect(redactCredentials(`x ${raw} y XOXB-1-2-3`)).toBe("x hooks.slack.com/services/T…/B…/**** y XOXB-****");
  });

  it("redacts well-known credential shapes no Secret covers", () => {
    const out = redactCredentials(
      "ghp_abcdefghijklmnopqrstuvwxyz0123456789 github_pat_11ABCDEFG0123456789_abcdef glpat-abcdefghij0123456789 npm_abcdefghijklmnopqrstuvwxyz0123456789 AKIAIOSFODNN7EXAMPLE eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc https://u:pw12345@host.example/x",
    );
    expect(out).toBe(
      "ghp_**** github_pat_**** glpat-**** npm_**** AWS-key-**** JWT-**** https://u:****@host.example/x",
    );
  });
});

/**
 * What a pull request can put in the checkout, and what it must not get out of it: config
 * files the search finds are regular files inside the checkout; their errors never quote the
 * environment; reserved keys are refused; a --config file is trusted only from outside.
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { botPlugin } from "@socket-notify/slack-bot";
import { webhookPlugin } from "@socket-notify/slack-webhook";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine } from "../engine.js";
import { UserError } from "../errors.js";
import { MemoryLogger } from "../logger.js";
import { type NotifierPlugin } from "../contract/plugin.js";
import { CONFIG_ENV, findConfig } from "./load.js";

const builtins = [webhookPlugin, botPlugin] as unknown as NotifierPlugin[];
const HOOK = "https://hooks.slack.com/services/T0000AAAA/B0000AAAA/aaaaaaaaaaaaaaaaaaaaaaaa";
const GITHUB_TOKEN = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";

let dir: string;
let outside: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "sn-trust-"));
  outside = await mkdtemp(join(tmpdir(), "sn-outside-"));
  await writeFile(join(dir, "package.json"), '{"name": "checkout"}');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error("expected an error");
}

const text = (e: UserError) => `${e.message} | ${e.hint ?? ""}`;

describe("config files the search finds", () => {
  it("refuses a symbolic link to /proc/self/environ, /dev/zero, /dev/stdin or any file outside the checkout", async () => {
    const secretFile = join(outside, "credentials.json");
    await writeFile(secretFile, JSON.stringify({ url: HOOK, token: GITHUB_TOKEN }));
    for (const [name, target] of [
      [".socketnotifyrc.yaml", "/proc/self/environ"],
      [".socketnotifyrc.json", "/dev/zero"],
      [".socketnotifyrc", "/dev/stdin"],
      ["socketnotify.config.json", secretFile],
      [".socketnotifyrc.yml", "../" + join(outside.split("/").pop()!, "credentials.json")],
      ["package.json", "/proc/self/environ"],
    ]) {
      await rm(join(dir, "package.json"), { force: true });
      if (name !== "package.json") await writeFile(join(dir, "package.json"), '{"name": "checkout"}');
      await symlink(target!, join(dir, name!));
      const e = await rejection(findConfig({ env: { GITHUB_TOKEN }, cwd: dir }));
      expect(e.code, name).toBe("config_invalid");
      expect(e.exitCode).toBe(2);
      expect(text(e), `${name} -> ${target}`).toMatch(/symbolic link to a file outside|not a regular file/);
      expect(text(e)).not.toContain(GITHUB_TOKEN);
      await rm(join(dir, name!));
    }
  });

  it("refuses a FIFO or a socket without opening it for good (no hang)", async () => {
    execFileSync("mkfifo", [join(dir, ".socketnotifyrc.json")]);
    const e = await rejection(findConfig({ env: {}, cwd: dir }));
    expect(e.message).toBe(`${join(dir, ".socketnotifyrc.json")}: is not a regular file (a FIFO)`);
    expect(e.exitCode).toBe(2);
  });

  it("refuses a link to a FIFO outside as well as one inside", async () => {
    execFileSync("mkfifo", [join(dir, "pipe")]);
    await symlink("pipe", join(dir, ".socketnotifyrc.json"));
    expect((await rejection(findConfig({ env: {}, cwd: dir }))).message).toContain("is not a regular file (a FIFO)");
  });

  it("refuses a config larger than 1 MiB", async () => {
    await writeFile(join(dir, ".socketnotifyrc.json"), `{"mode": "webhook", "x": "${"a".repeat(1024 * 1024)}"}`);
    expect((await rejection(findConfig({ env: {}, cwd: dir }))).message).toContain("is larger than 1 MiB");
  });

  it("follows a link that stays inside the checkout (a shared config in a monorepo)", async () => {
    await mkdir(join(dir, ".git"));
    await mkdir(join(dir, "shared"));
    await mkdir(join(dir, "packages", "app"), { recursive: true });
    await writeFile(join(dir, "shared", "socketnotify.json"), JSON.stringify({ mode: "webhook" }));
    await writeFile(join(dir, "packages", "app", "package.json"), '{"name": "app"}');
    await symlink("../../shared/socketnotify.json", join(dir, "packages", "app", ".socketnotifyrc.json"));
    const found = await findConfig({ env: {}, cwd: join(dir, "packages", "app") });
    expect(found).toMatchObject({ raw: { mode: "webhook" }, source: { kind: "search", trusted: false } });
  });

  it("skips a directory with a config file's name and an empty file, as before", async () => {
    await mkdir(join(dir, ".socketnotifyrc"));
    await writeFile(join(dir, ".socketnotifyrc.json"), "  \n");
    await writeFile(join(dir, "socketnotify.config.json"), JSON.stringify({ mode: "webhook" }));
    expect(await findConfig({ env: {}, cwd: dir })).toMatchObject({
      raw: { mode: "webhook" },
      source: { label: join(dir, "socketnotify.config.json") },
    });
  });

  it("does not follow cosmiconfig's $import to another file", async () => {
    await writeFile(join(outside, "x.json"), JSON.stringify({ mode: "bot" }));
    await writeFile(
      join(dir, ".socketnotifyrc.json"),
      JSON.stringify({ $import: join(outside, "x.json"), mode: "webhook" }),
    );
    const found = await findConfig({ env: {}, cwd: dir });
    expect(found?.raw).toEqual({ $import: join(outside, "x.json"), mode: "webhook" });
  });

  it("environ parsed as YAML: the unknown-key error quotes no key or value of the environment", async () => {
    // What /proc/self/environ looks like when a value holds ": " (NUL-separated NAME=value).
    const environ = `HOME=/root\0GITHUB_TOKEN=${GITHUB_TOKEN}\0MSG=deploy: now\0AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\0`;
    const env = { GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", MSG: "deploy: now" };
    // As the kernel writes it (NUL-separated, one "line"), and one variable a line.
    for (const content of [
      environ,
      environ.replace(/\0/g, "\n"),
      `url: ${HOOK}\n${environ.replace(/\0/g, "\n").replace(/=/g, ": ")}`,
    ]) {
      await writeFile(join(dir, ".socketnotifyrc.yaml"), content);
      const e = await rejection(createEngine({ env, cwd: dir, plugins: builtins }));
      expect(e.exitCode).toBe(2);
      for (const v of [GITHUB_TOKEN, "wJalrXUtnFEMI", "deploy", "HOME=", "/root", "aaaaaaaa"])
        expect(text(e), content).not.toContain(v);
    }
  });

  it("an unknown key that is a credential is not quoted; a plain one is", async () => {
    await writeFile(join(dir, ".socketnotifyrc.json"), JSON.stringify({ url: HOOK, [GITHUB_TOKEN]: 1 }));
    const e = await rejection(createEngine({ env: {}, cwd: dir, plugins: builtins }));
    expect(text(e)).not.toContain(GITHUB_TOKEN);
    await writeFile(join(dir, ".socketnotifyrc.json"), JSON.stringify({ url: HOOK, url_configz: {} }));
    expect((await rejection(createEngine({ env: {}, cwd: dir, plugins: builtins }))).message).toContain(
      'unknown key "url_configz" (did you mean "url_configs"?)',
    );
  });

  it("YAML warnings and errors never quote the file (a tag on a token, an alias, a duplicate key)", async () => {
    const token = "xoxb-1111111111-2222222222-cccccccccccccccccccccccc";
    await writeFile(
      join(dir, ".socketnotifyrc.yaml"),
      `mode: bot\nbot_token: !vault ${token}\nbot_configs:\n  - channels: [sec]\n`,
    );
    const logger = new MemoryLogger();
    const engine = await createEngine({ env: {}, cwd: dir, plugins: builtins, logger });
    const warnings = engine.validationWarnings();
    expect(warnings.join("\n")).toContain(
      ".socketnotifyrc.yaml at line 2, column 12: a YAML tag socket-notify does not know: the value is read as plain text",
    );
    expect(JSON.stringify(warnings)).not.toContain(token.slice(5));
    await writeFile(join(dir, ".socketnotifyrc.yaml"), `url: ${HOOK}\nurl: *${token}\n`);
    const e = await rejection(createEngine({ env: {}, cwd: dir, plugins: builtins }));
    expect(e.message).toMatch(/invalid YAML at line 2, column \d+: /);
    expect(text(e)).not.toContain(token.slice(5));
    expect(text(e)).not.toContain("aaaaaaaa");
  });
});

describe("reserved keys (__proto__, constructor, prototype) are refused, not ignored", () => {
  for (const key of ["__proto__", "constructor", "prototype"]) {
    it(`url_configs.${key} in JSON and YAML, and the key anywhere else`, async () => {
      const json = `{"url": [{"name": "sec", "url": "${HOOK}"}], "url_configs": {"${key}": {"min_severity": "critical"}}}`;
      const e = await rejection(createEngine({ env: { [CONFIG_ENV]: json }, cwd: dir, plugins: builtins }));
      expect(e.message).toBe(`${CONFIG_ENV}: url_configs.${key}: the key "${key}" is not allowed`);
      expect(e.exitCode).toBe(2);
      await writeFile(
        join(dir, ".socketnotifyrc.yaml"),
        `url:\n  - {name: sec, url: "${HOOK}"}\nurl_configs:\n  ${key}: {min_severity: critical}\n`,
      );
      expect((await rejection(createEngine({ env: {}, cwd: dir, plugins: builtins }))).message).toContain(
        `url_configs.${key}: the key "${key}" is not allowed`,
      );
      const nested = `{"mode": "bot", "bot_configs": [{"channels": ["a"], "${key}": {"x": 1}}]}`;
      expect(
        (await rejection(createEngine({ env: { [CONFIG_ENV]: nested }, cwd: dir, plugins: builtins }))).message,
      ).toContain(`bot_configs[0].${key}: the key "${key}" is not allowed`);
    });
  }

  it("a webhook named constructor gets its own url_configs entry only", async () => {
    const config = { url: [{ name: "constructor", url: HOOK }] };
    const engine = await createEngine({ config, env: {}, cwd: dir, plugins: builtins });
    expect(engine.destinations[0]).toMatchObject({ route: "constructor", filter: {}, configPath: "url[0]" });
  });
});

describe("which configs are trusted (may point an API URL at loopback)", () => {
  it("the environment variable and an embedding tool's config: yes; a searched file: no", async () => {
    expect((await findConfig({ env: { [CONFIG_ENV]: "{}" }, cwd: dir }))?.source.trusted).toBe(true);
    await writeFile(join(dir, ".socketnotifyrc.json"), "{}");
    expect((await findConfig({ env: {}, cwd: dir }))?.source.trusted).toBe(false);
  });

  it("--config: only from outside the checkout (the nearest .git, else package.json)", async () => {
    await writeFile(join(outside, "c.json"), "{}");
    await writeFile(join(dir, "c.json"), "{}");
    expect((await findConfig({ configPath: join(outside, "c.json"), env: {}, cwd: dir }))?.source.trusted).toBe(true);
    expect((await findConfig({ configPath: "c.json", env: {}, cwd: dir }))?.source.trusted).toBe(false);
    // A link from outside into the checkout is the checkout's file.
    await symlink(join(dir, "c.json"), join(outside, "link.json"));
    expect((await findConfig({ configPath: join(outside, "link.json"), env: {}, cwd: dir }))?.source.trusted).toBe(
      false,
    );
  });

  it("the bot token goes to a loopback API URL only from a trusted config", async () => {
    const config = { mode: "bot", slack_api_url: "http://2130706433:9/api/", bot_configs: [{ channels: ["sec"] }] };
    const env = { SOCKET_SLACK_BOT_TOKEN: "xoxb-1-2-3" };
    await writeFile(join(dir, ".socketnotifyrc.json"), JSON.stringify(config));
    const e = await rejection(createEngine({ env, cwd: dir, plugins: builtins }));
    expect(e.message).toBe(
      `${join(dir, ".socketnotifyrc.json")}: slack_api_url: Slack API URL points at this machine (127.0.0.1), which is accepted only from a trusted config`,
    );
    await writeFile(join(outside, "c.json"), JSON.stringify(config));
    await expect(
      createEngine({ configPath: join(outside, "c.json"), env, cwd: dir, plugins: builtins }),
    ).resolves.toBeDefined();
    await expect(
      createEngine({ env: { ...env, [CONFIG_ENV]: JSON.stringify(config) }, cwd: dir, plugins: builtins }),
    ).resolves.toBeDefined();
    await expect(createEngine({ configPath: "c.json", env, cwd: outside, plugins: builtins })).rejects.toThrow(
      "accepted only from a trusted config",
    );
  });
});

/**
 * Issue 16 §3: no line of the README or the examples may fetch an unpinned package. `npx NAME`
 * installs whatever the registry has under NAME when it is not installed (name squatting), so
 * every `npx` is `npx --no-install`; the Action is used by full commit SHA.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, it } from "vitest";
import { REPO } from "./cli-harness.js";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (f === "node_modules") return [];
    return statSync(p).isDirectory() ? files(p) : /\.(md|json|js|ts|ya?ml|sh)$/.test(f) ? [p] : [];
  });
}

const docs = [
  join(REPO, "README.md"),
  ...files(join(REPO, "examples")),
  ...readdirSync(join(REPO, "packages"))
    .map((p) => join(REPO, "packages", p, "README.md"))
    .filter((p) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    }),
];

it("every npx in the README, the packages' READMEs and examples/ is npx --no-install", () => {
  const bare: string[] = [];
  for (const f of docs) {
    readFileSync(f, "utf8")
      .split("\n")
      .forEach((line, i) => {
        for (const m of line.matchAll(/\bnpx\s+(\S+)/g))
          if (m[1] !== "--no-install") bare.push(`${relative(REPO, f)}:${i + 1}: ${line.trim()}`);
      });
  }
  expect(bare).toEqual([]);
});

it("the README uses the Action by full commit SHA, and installs the CLI only from a checked tarball", () => {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  // What a user copies: the fenced code blocks.
  const code = [...readme.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]).join("\n");
  const uses = [...code.matchAll(/uses:\s*(\S+\/socket-notify)@(\S+)/g)];
  expect(uses.length).toBeGreaterThan(0);
  for (const u of uses) expect(u[2]).toMatch(/^[0-9a-f]{40}$/);
  for (const m of code.matchAll(/npm install[^\n]*-g[^\n]*/g))
    expect(m[0]).toMatch(/\.\/(release|ci)\/socket-notify-cli-[\d.]+\.tgz/);
  // Every CI recipe that installs the tarball checks its hash first.
  for (const ci of ["GitLab CI", "Buildkite", "CircleCI"]) {
    const section = readme.slice(
      readme.indexOf(`### ${ci}`),
      readme.indexOf("\n### ", readme.indexOf(`### ${ci}`) + 4),
    );
    expect(section, ci).toMatch(/sha256sum -c -[\s\S]*npm install[^\n]*--offline[^\n]*socket-notify-cli-[\d.]+\.tgz/);
  }
});

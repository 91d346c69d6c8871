/**
 * The public index is what the README describes: a small set (40–60 names), each documented
 * where it is declared, so an editor shows what it is. Everything else first-party code needs
 * is in `@socket-notify/core/internal`, outside semver.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");

function exportsOf(file: string): { name: string; documented: boolean }[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(here, "..", "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => {},
    },
  );
  const program = ts.createProgram([file], { ...config!.options, noEmit: true, composite: false });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const module = checker.getSymbolAtLocation(source)!;
  return checker.getExportsOfModule(module).map((s) => {
    const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
    const documented = (target.declarations ?? []).some(
      (d) =>
        ts.getJSDocCommentsAndTags(d).length > 0 ||
        (ts.isVariableDeclaration(d) && ts.getJSDocCommentsAndTags(d.parent.parent).length > 0),
    );
    return { name: s.name, documented };
  });
}

describe("core's public index", () => {
  const names = exportsOf(join(here, "index.ts"));

  it("exports 40 to 60 names", () => {
    expect(names.length).toBeGreaterThanOrEqual(40);
    expect(names.length).toBeLessThanOrEqual(60);
  });

  it("documents every name where it is declared", () => {
    expect(names.filter((n) => !n.documented).map((n) => n.name)).toEqual([]);
  });

  it("is the list in the README's Embed the core section, and the README's snippets import nothing else from it", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const start = readme.indexOf("What `@socket-notify/core` exports is exactly this");
    const list = readme.slice(start, readme.indexOf("`filterShape` and `secretValue` are zod schemas", start));
    const listed = [...list.matchAll(/`([A-Za-z_]+)`/g)].map((m) => m[1]!);
    const exported = names.map((n) => n.name);
    expect([...new Set(listed)].sort()).toEqual([...exported].sort());
    const guide = readme.slice(readme.indexOf("## Write a notifier plugin"), readme.indexOf("## The Slack emulator"));
    const imported = [...guide.matchAll(/import \{([^}]*)\} from "@socket-notify\/core"/g)].flatMap((m) =>
      m[1]!.split(",").map((n) => n.trim().replace(/^type /, "")),
    );
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.filter((n) => !exported.includes(n))).toEqual([]);
  });
});

describe("core's render kit (@socket-notify/core/render)", () => {
  const names = exportsOf(join(here, "render-kit.ts"));

  it("documents every name where it is declared, and the README names each", () => {
    expect(names.filter((n) => !n.documented).map((n) => n.name)).toEqual([]);
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const start = readme.indexOf("`@socket-notify/core/render` has");
    expect(start).toBeGreaterThan(0);
    const para = readme.slice(start, readme.indexOf("\n\n", start));
    expect(names.map((n) => n.name).filter((n) => !para.includes(`\`${n}\``))).toEqual([]);
  });

  it("is with the main index all the Discord plugin imports from core: it is built on the public contract", () => {
    const dir = join(root, "packages", "discord", "src");
    const used = readdirSync(dir)
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
      .flatMap((f) =>
        [...readFileSync(join(dir, f), "utf8").matchAll(/from "(@socket-notify\/core[^"]*)"/g)].map((m) => m[1]!),
      );
    expect(used.length).toBeGreaterThan(0);
    expect([...new Set(used)].sort()).toEqual(["@socket-notify/core", "@socket-notify/core/render"]);
  });
});

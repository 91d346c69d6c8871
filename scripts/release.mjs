// npm run release: installable tarballs in release/ (git-ignored), from the current build.
//
//   release/socket-notify-cli-<v>.tgz          the CLI, self-contained: one bundle with every
//                                              dependency inside, no dependencies to install
//   release/socket-notify-<pkg>-<v>.tgz        the libraries (every other package in packages/: core,
//                                              the notifiers, state, serve, preview, the emulator,
//                                              the test kit), which install together
//
// Each package is staged (its package.json and `files`, plus its README and the root LICENSE)
// and packed with `npm pack`, so the tarball holds exactly what a user gets. `--out DIR` writes
// elsewhere (the release test does).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outArg = process.argv.indexOf("--out");
const out = resolve(outArg > 0 ? process.argv[outArg + 1] : join(root, "release"));
// Every workspace package but the CLI (packed below on its own): a new package ships without
// being listed here.
const LIBRARIES = readdirSync(join(root, "packages"))
  .filter((name) => name !== "cli" && existsSync(join(root, "packages", name, "package.json")))
  .sort();

const cli = join(root, "packages", "cli");
if (!existsSync(join(cli, "dist", "cli.js"))) {
  console.error("release: packages/cli/dist is missing; run npm run build first (npm run release does)");
  process.exit(2);
}
rmSync(out, { recursive: true, force: true });
const stage = join(out, ".stage");
mkdirSync(stage, { recursive: true });

const written = [];
for (const name of LIBRARIES) {
  const pkg = join(root, "packages", name);
  const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
  const dir = join(stage, name);
  mkdirSync(dir);
  // Scripts (build) and devDependencies are for this repository; `files` says what ships.
  const { scripts: _s, devDependencies: _d, ...shipped } = manifest;
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(shipped, null, 2)}\n`);
  for (const f of manifest.files.filter((f) => !f.startsWith("!")))
    cpSync(join(pkg, f), join(dir, f), { recursive: true });
  cpSync(join(pkg, "README.md"), join(dir, "README.md"));
  cpSync(join(root, "LICENSE"), join(dir, "LICENSE"));
  written.push(pack(dir));
}

// The CLI: bin.cjs, its loader and the self-contained bundle (with its code cache), the demo's
// example, the root README (the CLI's guide) and LICENSE. No dependencies at all.
{
  const manifest = JSON.parse(readFileSync(join(cli, "package.json"), "utf8"));
  const dir = join(stage, "cli");
  mkdirSync(join(dir, "dist"), { recursive: true });
  const shipped = {
    name: manifest.name,
    version: manifest.version,
    description: manifest.description,
    license: manifest.license,
    repository: manifest.repository,
    bugs: manifest.bugs,
    homepage: manifest.homepage,
    engines: manifest.engines,
    bin: manifest.bin,
    files: ["dist", "examples"],
  };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(shipped, null, 2)}\n`);
  for (const f of ["bin.cjs", "bundle-loader.cjs"]) cpSync(join(cli, "dist", f), join(dir, "dist", f));
  const loader = (await import(join(cli, "dist", "bundle-loader.cjs"))).default;
  const { buildStandalone } = await import(join(cli, "scripts", "standalone.mjs"));
  await buildStandalone(join(dir, "dist"), loader);
  cpSync(join(root, "examples", "demo"), join(dir, "examples", "demo"), { recursive: true });
  cpSync(join(root, "README.md"), join(dir, "README.md"));
  cpSync(join(root, "LICENSE"), join(dir, "LICENSE"));
  written.unshift(pack(dir));
}
rmSync(stage, { recursive: true, force: true });
for (const f of written) console.log(`release/${f}`);

function pack(dir) {
  const json = execFileSync("npm", ["pack", "--json", "--pack-destination", out], {
    cwd: dir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return JSON.parse(json)[0].filename;
}

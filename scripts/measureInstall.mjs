// What `npm install <package>` costs a user, for each package of this workspace: every package is
// packed as it would be published, then installed on its own into an empty project (with the
// tarballs of the workspace packages it depends on, which are not on the registry). Prints, per
// package: the packages installed, node_modules on disk, the native files and install scripts among
// them, and the wall time of the install. Needs the npm registry (or a warm npm cache): this is a
// measurement, not a test (test/package/packedPackages.test.ts checks the library offline).
//
//   npm run measure:install              every package
//   npm run measure:install -- llmstream only the ones named
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const only = process.argv.slice(2);
const work = mkdtempSync(join(tmpdir(), "llmstream-measure-"));
const packs = join(work, "packs");
mkdirSync(packs);

const packed = JSON.parse(
  execFileSync("npm", ["pack", "--workspaces", "--ignore-scripts", "--json", "--pack-destination", packs], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }),
);
const tarball = new Map(
  packed.map((p) => [p.name, { file: join(packs, p.filename), size: p.size, unpacked: p.unpackedSize }]),
);
const manifests = new Map(
  JSON.parse(readFileSync(join(root, "package.json"), "utf8")).workspaces.map((folder) => {
    const manifest = JSON.parse(readFileSync(join(root, folder, "package.json"), "utf8"));
    return [manifest.name, manifest];
  }),
);

/** The workspace packages `name` needs, itself included, transitively. */
function workspaceClosure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  for (const dependency of Object.keys(manifests.get(name).dependencies ?? {}))
    if (manifests.has(dependency)) workspaceClosure(dependency, seen);
  return seen;
}

/** Every file under `dir` (symlinks not followed): bytes, count, native addons. */
function walk(dir, totals = { bytes: 0, files: 0, native: 0 }) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, totals);
    else if (entry.isFile()) {
      totals.bytes += statSync(path).size;
      totals.files += 1;
      if (entry.name.endsWith(".node")) totals.native += 1;
    }
  }
  return totals;
}

/** The installed packages (name@version) and those with an install-time script. */
function installedPackages(project) {
  const lock = JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8"));
  const all = Object.entries(lock.packages).filter(([path]) => path.startsWith("node_modules/"));
  const withScripts = all
    .filter(([, info]) => info.hasInstallScript)
    .map(([path]) => path.replace(/^.*node_modules\//, ""));
  return { count: all.length, withScripts };
}

/** The `count` biggest top-level packages in `modules`, as "name size". */
function biggest(modules, count) {
  const sizes = [];
  for (const entry of readdirSync(modules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const names = entry.name.startsWith("@")
      ? readdirSync(join(modules, entry.name)).map((n) => `${entry.name}/${n}`)
      : [entry.name];
    for (const n of names) sizes.push([n, walk(join(modules, n)).bytes]);
  }
  return sizes
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([n, bytes]) => `${n} ${mb(bytes)}`);
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(bytes < 10e6 ? 2 : 0)} MB`;
const rows = [];
for (const name of manifests.keys()) {
  if (only.length > 0 && !only.includes(name)) continue;
  const project = join(work, name.replace("/", "__"));
  mkdirSync(project);
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  const files = [...workspaceClosure(name)].map((n) => tarball.get(n).file);
  const started = performance.now();
  execFileSync("npm", ["install", "--no-audit", "--no-fund", ...files], { cwd: project, stdio: "ignore" });
  const seconds = (performance.now() - started) / 1000;
  const disk = walk(join(project, "node_modules"));
  const { count, withScripts } = installedPackages(project);
  rows.push({
    package: name,
    tarball: mb(tarball.get(name).size),
    installed: count,
    node_modules: mb(disk.bytes),
    native: disk.native,
    scripts: withScripts.join(" ") || "none",
    seconds: seconds.toFixed(0),
  });
  console.error(`  biggest: ${biggest(join(project, "node_modules"), 6).join(", ")}`);
  console.error(`${name}: ${count} packages, ${mb(disk.bytes)}, ${seconds.toFixed(0)} s`);
  rmSync(project, { recursive: true, force: true });
}
console.table(rows);
rmSync(work, { recursive: true, force: true });

/**
 * `npm run diagrams`: render every diagrams/**\/*.mmd to .svg and .png beside it, with one
 * headless Chromium. Files whose content would not change are left alone.
 *
 *   npm run diagrams                    render all
 *   npm run diagrams -- 03-raft         only files whose path contains "03-raft"
 *   npm run diagrams -- --check         render (validate) without writing anything
 *   npm run diagrams -- --scale 3       PNG pixels per CSS pixel (default 2)
 *   npm run diagrams -- build/failures  render the .mmd files in a folder (or one file) instead
 *
 * Exits non-zero if any diagram fails, naming the file and printing Mermaid's error.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { MermaidRenderer, findRepoRoot } from "../lib/render/index";

interface Args {
  check: boolean;
  scale: number;
  filters: string[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { check: false, scale: 2, filters: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--check") args.check = true;
    else if (a === "--scale") args.scale = Number(argv[++i]);
    else if (a.startsWith("--scale=")) args.scale = Number(a.slice("--scale=".length));
    else if (a === "--help" || a === "-h") {
      console.log("usage: npm run diagrams -- [--check] [--scale N] [FILTER ...]");
      process.exit(0);
    } else if (a.startsWith("-")) {
      console.error(`unknown option ${a}`);
      process.exit(2);
    } else args.filters.push(a);
  }
  if (!(args.scale > 0 && args.scale <= 8)) {
    console.error("--scale must be a number in (0, 8]");
    process.exit(2);
  }
  return args;
}

function findMmd(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findMmd(full));
    else if (entry.isFile() && entry.name.endsWith(".mmd")) out.push(full);
  }
  return out.sort();
}

/** Writes `data` unless the file already holds exactly that; returns whether it wrote. */
function writeIfChanged(file: string, data: string | Buffer): boolean {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  try {
    if (fs.readFileSync(file).equals(bytes)) return false;
  } catch {
    // no such file yet
  }
  fs.writeFileSync(file, bytes);
  return true;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const root = findRepoRoot();
  // A filter that names an existing folder or .mmd file (e.g. build/failures) renders exactly that;
  // any other filter keeps the diagrams/**/*.mmd whose path contains it.
  const paths = args.filters.filter((f) => fs.existsSync(path.resolve(root, f)));
  const words = args.filters.filter((f) => !paths.includes(f));
  let files = paths.length > 0 ? [] : findMmd(path.join(root, "diagrams"));
  for (const p of paths) {
    const abs = path.resolve(root, p);
    files.push(...(fs.statSync(abs).isDirectory() ? findMmd(abs) : abs.endsWith(".mmd") ? [abs] : []));
  }
  if (words.length > 0) {
    files = (paths.length > 0 ? files : findMmd(path.join(root, "diagrams"))).filter((f) => words.some((w) => path.relative(root, f).includes(w)));
  }
  if (files.length === 0) {
    console.log(args.filters.length > 0 ? "no diagram matches" : "no diagrams/**/*.mmd to render");
    return args.filters.length > 0 ? 1 : 0;
  }

  const started = Date.now();
  const renderer = await MermaidRenderer.launch();
  const launched = Date.now();
  const failures: string[] = [];
  let written = 0;
  try {
    for (const file of files) {
      const rel = path.relative(root, file);
      const text = fs.readFileSync(file, "utf8");
      try {
        const { svg, png } = await renderer.render(text, { png: !args.check, scale: args.scale });
        if (!args.check) {
          const base = file.slice(0, -".mmd".length);
          if (writeIfChanged(base + ".svg", svg + "\n")) written++;
          if (png && writeIfChanged(base + ".png", png)) written++;
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.push(rel);
        console.error(`FAIL ${rel}\n${message.replace(/^/gm, "  ")}\n`);
      }
    }
  } finally {
    await renderer.close();
  }
  const renderSeconds = (Date.now() - launched) / 1000;
  const totalSeconds = (Date.now() - started) / 1000;
  const ok = files.length - failures.length;
  const rate = renderSeconds > 0 ? (files.length / renderSeconds).toFixed(1) : "∞";
  console.log(
    `diagrams: ${ok} rendered, ${failures.length} failed in ${totalSeconds.toFixed(1)} s ` +
      `(browser start ${((launched - started) / 1000).toFixed(1)} s, ${rate} diagrams/s` +
      (args.check ? ", check only" : `, ${written} files written`) +
      ")",
  );
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack ?? error.message : String(error));
    process.exitCode = 1;
  },
);

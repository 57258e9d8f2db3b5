/**
 * `npm run viewer -- <saved trace> [-o out.html]`: the run viewer as one self-contained HTML page
 * (open it in any browser, offline). The trace is a file written by `saveTrace` — or by a failing
 * grader, under build/failures/.
 *
 *   npm run viewer -- build/failures/00.1-ping-pong-seed-7.trace.json
 *       writes build/failures/00.1-ping-pong-seed-7.html
 *   npm run viewer -- run.trace.json -o /tmp/run.html --title "ping under loss"
 *
 * Exits 2 on a bad argument, 1 when the file cannot be read as a trace (the message says why).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadTrace, viewerHtml } from "../lib/viewer/index";

const USAGE = "usage: npm run viewer -- <saved trace> [-o out.html] [--title TEXT]";

/** The page's path when no -o is given: beside the trace, `.trace.json` (or `.json`) replaced by `.html`. */
function defaultOutput(file: string): string {
  const base = file.replace(/\.trace\.json$/, "").replace(/\.json$/, "");
  return `${base}.html`;
}

function main(argv: string[]): number {
  let input: string | undefined;
  let output: string | undefined;
  let title: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-o" || a === "--out") output = argv[++i];
    else if (a === "--title") title = argv[++i];
    else if (a === "-h" || a === "--help") {
      console.log(USAGE);
      return 0;
    } else if (a.startsWith("-") || input !== undefined) {
      console.error(`${a.startsWith("-") ? "unknown option" : "one trace at a time; extra argument"} ${a}\n${USAGE}`);
      return 2;
    } else input = a;
  }
  if (input === undefined || (output !== undefined && output === "")) {
    console.error(USAGE);
    return 2;
  }
  // `npm run` starts in the repository root; paths are taken from where the command was typed.
  const here = process.env.INIT_CWD ?? process.cwd();
  const file = path.resolve(here, input);
  let html: string;
  try {
    const saved = loadTrace(file);
    html = viewerHtml(saved, title !== undefined ? { title } : {});
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
  const out = path.resolve(here, output ?? defaultOutput(input));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, html);
  console.log(`wrote ${path.relative(here, out) || out} (${Math.round(html.length / 1024)} KB); open it in a browser`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));

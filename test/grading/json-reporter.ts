/**
 * vitest's JSON reporter without its closing "JSON report written to …" line, so that the
 * scoreboard stays the last thing `npm test` prints. Same file, same format (numPassedTests,
 * numFailedTests, numPendingTests, …); the path comes from `--outputFile.json=…`.
 */
import fs from "node:fs";
import path from "node:path";
import { JsonReporter } from "vitest/node";

export default class QuietJsonReporter extends JsonReporter {
  constructor() {
    super({});
  }

  override async writeReport(report: string): Promise<void> {
    const configured = this.ctx.config.outputFile;
    const file = typeof configured === "string" ? configured : configured?.json;
    if (!file) return super.writeReport(report);
    const abs = path.resolve(this.ctx.config.root, file);
    await fs.promises.mkdir(path.dirname(abs), { recursive: true });
    await fs.promises.writeFile(abs, report, "utf-8");
  }
}

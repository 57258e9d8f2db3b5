/**
 * PNG output: a screenshot of the diagram last rendered in the page, at `scale` device pixels
 * per CSS pixel, on the page's white background. The viewport only grows (or changes with the
 * scale), since resizing it costs a relayout.
 */

import type { Page } from "puppeteer";
import { fitForScreenshot } from "./mermaid-page";

/** The largest viewport side Chromium is asked for, in CSS pixels. */
const VIEWPORT_SIDE_MAX = 8192;

/**
 * Takes PNG screenshots of one Mermaid page, remembering its viewport between shots.
 *
 * @example
 * const camera = new PngCamera(page);
 * await renderInPage(page, "graph LR\n  a --> b");
 * const png = await camera.capture(2);
 */
export class PngCamera {
  private viewport = { width: 1024, height: 768, scale: 1 };

  constructor(private readonly page: Page) {}

  /**
   * The PNG bytes of the diagram now in the page; `scale` must be in (0, 8].
   *
   * @example
   * fs.writeFileSync("diagram.png", await camera.capture(3));
   */
  async capture(scale: number): Promise<Buffer> {
    if (!(scale > 0 && scale <= 8)) throw new RangeError(`PNG scale must be in (0, 8], got ${scale}`);
    const size = await fitForScreenshot(this.page);
    const width = Math.max(1, size.width);
    const height = Math.max(1, size.height);
    const view = this.viewport;
    if (view.scale !== scale || view.width < width || view.height < height) {
      this.viewport = {
        width: Math.min(Math.max(view.width, width), VIEWPORT_SIDE_MAX),
        height: Math.min(Math.max(view.height, height), VIEWPORT_SIDE_MAX),
        scale,
      };
      await this.page.setViewport({ width: this.viewport.width, height: this.viewport.height, deviceScaleFactor: scale });
    }
    const data = await this.page.screenshot({ type: "png", clip: { x: 0, y: 0, width, height }, captureBeyondViewport: true });
    return Buffer.from(data);
  }
}

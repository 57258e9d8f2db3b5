/**
 * The notebook kernel's diagram renderer in a child process of its own.
 *
 * Starting Chromium and loading Mermaid into a page takes ~3 s of back-and-forth with the browser.
 * Inside the kernel that back-and-forth only advances while the kernel's event loop is free, and
 * the kernel is busy compiling and running cells — so a browser started there was often still
 * starting when the first `showMermaid` came. In a child process it starts in parallel, whatever the
 * kernel is doing. `scripts/tslab-kernel` starts it before the kernel itself; `showMermaid` sends
 * each diagram over the child's IPC channel and gets SVG and PNG back.
 *
 * The child is this file run as a script (`node render-process.js`); it exits when the kernel
 * does (its IPC channel closes) and closes its browser on the way out.
 */
import { fork, type ChildProcess } from "node:child_process";
import { MermaidRenderError } from "./mermaid-errors";
import { MermaidRenderer, type RenderedDiagram } from "./mermaid-renderer";

/** What the kernel asks: one diagram. */
interface RenderRequest {
  id: number;
  text: string;
  png: boolean;
  scale: number;
}

/** What the child answers. */
type RenderReply =
  | { id: number; kind: "rendered"; svg: string; png?: string; width: number; height: number }
  | { id: number; kind: "failed"; name: string; message: string };

/** A renderer running in a child process, with the `render` of {@link MermaidRenderer}. */
export class RenderProcess {
  private readonly pending = new Map<number, { resolve: (d: RenderedDiagram) => void; reject: (e: Error) => void; text: string }>();
  private nextId = 1;
  private exited: Error | undefined;

  private constructor(private readonly child: ChildProcess) {
    child.on("message", (reply: RenderReply) => this.settle(reply));
    child.on("exit", (code, signal) => {
      this.exited = new Error(`the diagram renderer process exited (${signal ?? `status ${code}`})`);
      for (const p of this.pending.values()) p.reject(this.exited);
      this.pending.clear();
    });
    // Never keep the kernel alive for the renderer's sake.
    child.unref();
    child.channel?.unref();
  }

  /**
   * Forks the renderer process; it starts its browser at once.
   *
   * @example
   * const renderer = RenderProcess.start();
   * const { svg } = await renderer.render("graph LR\n  a --> b");
   */
  static start(): RenderProcess {
    const child = fork(__filename, [], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
    return new RenderProcess(child);
  }

  /** Whether the process is still there to render. */
  get running(): boolean {
    return this.exited === undefined;
  }

  /**
   * Renders one diagram in the child: SVG, and PNG when asked. Rejects with a
   * {@link MermaidRenderError} carrying Mermaid's message when the text is invalid.
   *
   * @example
   * const { png, width } = await renderer.render("sequenceDiagram\n  A->>B: hi", { png: true });
   */
  render(text: string, options: { png?: boolean; scale?: number } = {}): Promise<RenderedDiagram> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    const request: RenderRequest = { id, text, png: options.png === true, scale: options.scale ?? 2 };
    return new Promise<RenderedDiagram>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, text });
      // While a request is open the channel keeps the kernel waiting for the answer.
      this.child.channel?.ref();
      this.child.send(request);
    });
  }

  private settle(reply: RenderReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.child.channel?.unref();
    if (reply.kind === "rendered") {
      p.resolve({ svg: reply.svg, png: reply.png === undefined ? undefined : Buffer.from(reply.png, "base64"), width: reply.width, height: reply.height });
    } else if (reply.name === "MermaidRenderError") {
      p.reject(new MermaidRenderError(reply.message, p.text));
    } else {
      const error = new Error(reply.message);
      error.name = reply.name;
      p.reject(error);
    }
  }
}

/** The child's side: launch the browser, render what the parent sends, one at a time. */
function serve(): void {
  const launching = MermaidRenderer.launch();
  launching.catch(() => undefined); // reported with each request instead
  let queue = Promise.resolve();
  process.on("message", (request: RenderRequest) => {
    queue = queue.then(async () => {
      let reply: RenderReply;
      try {
        const renderer = await launching;
        const d = await renderer.render(request.text, { png: request.png, scale: request.scale });
        reply = { id: request.id, kind: "rendered", svg: d.svg, png: d.png?.toString("base64"), width: d.width, height: d.height };
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        reply = { id: request.id, kind: "failed", name: error.name, message: error.message };
      }
      process.send?.(reply);
    });
  });
  process.on("disconnect", () => {
    void launching.then((r) => r.close(), () => undefined).finally(() => process.exit(0));
  });
}

if (require.main === module && typeof process.send === "function") serve();

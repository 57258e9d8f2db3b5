// Escaping for Mermaid: entity codes for every character a grammar reads as syntax, safe ids.
// (That Mermaid really accepts the result is checked in mermaid-valid.test.ts.)
import { describe, expect, it } from "vitest";
import { MermaidIds, escapeMermaidText, mermaidLabel } from "../../lib/trace";

describe("escapeMermaidText", () => {
  it("writes statement, comment, quote, HTML and shape characters as decimal entity codes", () => {
    expect(escapeMermaidText('say "hi"; x<y #1')).toBe("say #34;hi#34;#59; x#60;y #35;1");
    expect(escapeMermaidText("a:b%%c")).toBe("a#58;b#37;#37;c");
    expect(escapeMermaidText("{x}[y]|z`&")).toBe("#123;x#125;#91;y#93;#124;z#96;#38;");
    expect(escapeMermaidText("$$x$$ *b*")).toBe("#36;#36;x#36;#36; #42;b#42;");
    expect(escapeMermaidText("a\\b")).toBe("a#92;b");
  });

  it("keeps letters of any script, emoji, dashes and inert punctuation readable", () => {
    expect(escapeMermaidText("élection 中文 🚀 👨‍👩‍👧")).toBe("élection 中文 🚀 👨‍👩‍👧");
    expect(escapeMermaidText("read_ok pre-vote x.y, (a)=b/c! it's ~^@+?")).toBe("read_ok pre-vote x.y, (a)=b/c! it's ~^@+?");
  });

  it("escapes '_' only where Mermaid reads Markdown", () => {
    expect(escapeMermaidText("_x_", { markdown: true })).toBe("#95;x#95;");
    expect(escapeMermaidText("_x_")).toBe("_x_");
  });

  it("turns control characters and line separators into spaces", () => {
    expect(escapeMermaidText("a\nb\r\tc\u0000d\u2028e\u0085f")).toBe("a b  c d e f");
  });

  it("encodes Mermaid's own placeholder characters and keeps the pairs it would decode apart", () => {
    expect(escapeMermaidText("ß")).toBe("#223;");
    expect(escapeMermaidText("¶ß")).toBe("#182;#8288;#223;");
    expect(escapeMermaidText("ﬂ°")).toBe("#64258;#8288;#176;");
  });

  it("never leaves an entity of the input intact: '#' itself is encoded", () => {
    expect(escapeMermaidText("#quot;")).toBe("#35;quot#59;");
  });
});

describe("mermaidLabel", () => {
  it("shows an empty or blank text as two quote marks", () => {
    expect(mermaidLabel("")).toBe("#34;#34;");
    expect(mermaidLabel(" \n ")).toBe("#34;#34;");
    expect(mermaidLabel(" ping ")).toBe("ping");
  });
});

describe("MermaidIds", () => {
  it("keeps plain identifiers and generates ids for everything else, stably", () => {
    const ids = new MermaidIds("p");
    expect(ids.idFor("n1")).toBe("n1");
    expect(ids.idFor("node 1")).toBe("p0");
    expect(ids.idFor("é")).toBe("p1");
    expect(ids.idFor("node 1")).toBe("p0");
    expect(ids.needsLabel("n1")).toBe(false);
    expect(ids.needsLabel("node 1")).toBe(true);
  });

  it("never keeps a keyword of any diagram we write, in any case", () => {
    const ids = new MermaidIds("p");
    for (const word of ["end", "End", "END", "note", "participant", "state", "graph", "default", "class", "box", "as"]) {
      expect(ids.needsLabel(word), word).toBe(true);
    }
  });

  it("gives names that look like generated ids a generated id, so the two never collide", () => {
    const ids = new MermaidIds("p");
    expect(ids.idFor("x y")).toBe("p0");
    expect(ids.idFor("p0")).toBe("p1");
    expect(ids.idFor("P7")).toBe("p2");
    expect(new Set([ids.idFor("x y"), ids.idFor("p0"), ids.idFor("P7")]).size).toBe(3);
  });

  it("rejects a prefix that is not letters", () => {
    expect(() => new MermaidIds("p-")).toThrow(RangeError);
  });
});

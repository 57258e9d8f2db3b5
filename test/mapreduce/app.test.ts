// The programming model and the sequential reference, checked by hand on a tiny corpus.
import { describe, expect, it } from "vitest";
import { ihash, invertedIndex, reduceAll, runSequential, sortOutputLines, wordCount, type MapReduceApp } from "../../lib/mapreduce/index";

const corpus = [
  { file: "a.txt", contents: "the cat sat on the mat." },
  { file: "b.txt", contents: "The cat ran; the dog sat!\nÉcole école" },
];

describe("runSequential", () => {
  it("counts words by hand: runs of letters, case kept, keys in byte order", () => {
    expect(runSequential(wordCount, corpus)).toBe(
      ["The 1", "cat 2", "dog 1", "mat 1", "on 1", "ran 1", "sat 2", "the 3", "école 1", "École 1"].sort(byBytes).join("\n") + "\n",
    );
    // upper case sorts before lower case; non-ASCII letters after ASCII
    expect(runSequential(wordCount, corpus).split("\n")[0]).toBe("The 1");
    expect(runSequential(wordCount, corpus).trimEnd().split("\n").slice(-2)).toEqual(["école 1", "École 1"].sort(byBytes));
  });

  it("builds an inverted index: distinct sorted files with their count", () => {
    const out = runSequential(invertedIndex, corpus);
    expect(out).toContain("cat 2 a.txt,b.txt\n");
    expect(out).toContain("mat 1 a.txt\n");
    expect(out).toContain("the 2 a.txt,b.txt\n");
    expect(out).toContain("The 1 b.txt\n");
  });

  it("gives the empty text for inputs without words", () => {
    expect(runSequential(wordCount, [{ file: "x", contents: "123 !? 4" }])).toBe("");
  });

  it("passes each key's values in input order (an order-sensitive reduce sees the same list)", () => {
    const concat: MapReduceApp = { name: "concat", map: (file, c) => c.split(" ").map((w) => ({ key: w, value: file })), reduce: (_k, vs) => vs.join("+") };
    expect(runSequential(concat, [{ file: "1", contents: "x y" }, { file: "2", contents: "x" }])).toBe("x 1+2\ny 1\n");
  });
});

describe("the reduce functions as combiners", () => {
  it("word count's reduce sums partial sums", () => {
    expect(wordCount.reduce("k", ["1", "1", "1"])).toBe("3");
    expect(wordCount.reduce("k", [wordCount.reduce("k", ["1", "1"]), "1"])).toBe("3");
  });
  it("inverted index's reduce accepts its own output", () => {
    const partial = invertedIndex.reduce("k", ["b.txt", "a.txt"]);
    expect(partial).toBe("2 a.txt,b.txt");
    expect(invertedIndex.reduce("k", [partial, "c.txt", "a.txt"])).toBe("3 a.txt,b.txt,c.txt");
  });
  it("reduceAll groups, sorts and reduces", () => {
    expect(reduceAll(wordCount, [{ key: "b", value: "1" }, { key: "a", value: "2" }, { key: "b", value: "1" }])).toBe("a 2\nb 2\n");
  });
});

describe("ihash", () => {
  it("is 6.5840's FNV-1a with the top bit cleared", () => {
    expect(ihash("")).toBe(0x811c9dc5 & 0x7fffffff);
    expect(ihash("a")).toBe(0xe40c292c & 0x7fffffff);
    expect(ihash("foobar")).toBe(0xbf9cf968 & 0x7fffffff);
  });
  it("hashes UTF-8 bytes and is never negative", () => {
    for (const w of ["é", "中文", "🚀", "x".repeat(1000)]) expect(ihash(w)).toBeGreaterThanOrEqual(0);
    expect(ihash("é")).not.toBe(ihash("e"));
  });
});

describe("sortOutputLines", () => {
  it("sorts in byte order and ends with one newline", () => {
    expect(sortOutputLines("b 1\n\na 2\n")).toBe("a 2\nb 1\n");
    expect(sortOutputLines("")).toBe("");
  });
});

function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

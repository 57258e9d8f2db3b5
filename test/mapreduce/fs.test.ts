// The shared file system (write, atomic rename, append) and the replicated block store.
import { describe, expect, it } from "vitest";
import { BlockStore, MapReduceFs } from "../../lib/mapreduce/index";

describe("MapReduceFs", () => {
  it("writes under a temporary name and renames atomically, replacing the target", () => {
    const fs = new MapReduceFs();
    fs.write("mr-tmp-1", "a 1\n", "w1");
    expect(fs.exists("mr-out-0")).toBe(false);
    fs.rename("mr-tmp-1", "mr-out-0");
    expect(fs.exists("mr-tmp-1")).toBe(false);
    expect(fs.read("mr-out-0")).toBe("a 1\n");
    // a late duplicate attempt renames the same bytes over it: nothing doubles
    fs.write("mr-tmp-2", "a 1\n", "w2");
    fs.rename("mr-tmp-2", "mr-out-0");
    expect(fs.output()).toBe("a 1\n");
    expect(fs.hostOf("mr-out-0")).toBe("w2");
  });

  it("append lands twice when two attempts both write (the broken commit)", () => {
    const fs = new MapReduceFs();
    fs.append("mr-out-0", "a 1\n");
    fs.append("mr-out-0", "a 1\n");
    expect(fs.output()).toBe("a 1\na 1\n");
  });

  it("lists by prefix in order and counts bytes", () => {
    const fs = new MapReduceFs();
    fs.write("mr-out-1", "b 1\n");
    fs.write("mr-out-0", "é 1\n");
    fs.write("in-0", "text");
    expect(fs.list("mr-out-")).toEqual(["mr-out-0", "mr-out-1"]);
    expect(fs.counters.bytesWritten).toBe(4 + 5 + 4);
    fs.read("mr-out-0");
    expect(fs.counters.bytesRead).toBe(5);
    expect(fs.output()).toBe("b 1\né 1\n");
  });

  it("names the missing file", () => {
    const fs = new MapReduceFs();
    expect(() => fs.read("mr-3-1")).toThrow(/no file "mr-3-1"/);
    expect(() => fs.rename("nope", "x")).toThrow(/no file "nope"/);
  });
});

describe("BlockStore", () => {
  const hosts = ["w1", "w2", "w3", "w4", "w5"];
  const inputs = Array.from({ length: 20 }, (_, i) => ({ file: `in-${i}`, contents: `block ${i}` }));

  it("places three distinct replicas per block, the same every time", () => {
    const a = new BlockStore({ hosts });
    const b = new BlockStore({ hosts });
    a.put(new MapReduceFs(), inputs);
    b.put(new MapReduceFs(), inputs);
    for (const { file } of inputs) {
      expect(new Set(a.replicas(file)).size).toBe(3);
      expect(a.replicas(file)).toEqual(b.replicas(file));
      for (const h of a.replicas(file)) expect(a.isLocal(file, h)).toBe(true);
    }
    const load = Object.values(a.load());
    expect(load.reduce((s, x) => s + x, 0)).toBe(60);
    expect(Math.min(...load)).toBeGreaterThan(0);
  });

  it("writes the blocks' bytes to the file system", () => {
    const fs = new MapReduceFs();
    const s = new BlockStore({ hosts, replication: 2 });
    s.put(fs, inputs);
    expect(fs.read("in-3")).toBe("block 3");
    expect(s.replicas("in-3")).toHaveLength(2);
    expect(s.replicas("nope")).toEqual([]);
  });

  it("rejects a replication factor larger than the hosts", () => {
    expect(() => new BlockStore({ hosts: ["w1", "w2"], replication: 3 })).toThrow(/replication.*got 3.*\[1, 2\]/);
    expect(() => new BlockStore({ hosts: [] })).toThrow(/hosts/);
  });
});

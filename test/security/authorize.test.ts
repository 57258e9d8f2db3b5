// ACLs and RBAC: who may do what, and why not.
import { describe, expect, it } from "vitest";
import { authorize, checkAcl, permissionMatches, rolePermissions, type RbacPolicy } from "../../lib/security/index";

const rbac: RbacPolicy = {
  customer: { permissions: ["read:own-account", "transfer:own-account"] },
  teller: { permissions: ["read:accounts"], inherits: ["customer"] },
  manager: { permissions: ["write:accounts", "approve:*"], inherits: ["teller"] },
  auditor: { permissions: ["read:*"] },
};

describe("RBAC", () => {
  it("a role inherits its parents' permissions", () => {
    expect(rolePermissions(rbac, ["manager"]).sort()).toEqual(
      ["approve:*", "read:accounts", "read:own-account", "transfer:own-account", "write:accounts"].sort(),
    );
  });
  it("allows through a role, with the rule named; denies with the roles named", () => {
    expect(authorize({ principal: "mia", roles: ["manager"], operation: "read", resource: "own-account" }, { rbac })).toEqual({
      kind: "allow",
      reason: 'RBAC: role "manager" grants "read:own-account"',
    });
    const d = authorize({ principal: "tom", roles: ["teller"], operation: "write", resource: "accounts" }, { rbac });
    expect(d.kind).toBe("deny");
    expect(d.reason).toMatch(/roles \["teller"\] of "tom" do not grant "write:accounts"/);
    expect(authorize({ principal: "nobody", operation: "read", resource: "x" }, { rbac }).reason).toMatch(/holds no roles/);
  });
  it("wildcards: read:* covers every resource, * covers everything", () => {
    expect(permissionMatches("read:*", "read", "ledger")).toBe(true);
    expect(permissionMatches("read:*", "write", "ledger")).toBe(false);
    expect(permissionMatches("*", "delete", "ledger")).toBe(true);
    expect(authorize({ principal: "ann", roles: ["auditor"], operation: "read", resource: "ledger" }, { rbac }).kind).toBe("allow");
  });
  it("an undefined role or a malformed permission is a configuration error, not a silent deny", () => {
    expect(() => authorize({ principal: "x", roles: ["admn"], operation: "read", resource: "a" }, { rbac })).toThrow(/role "admn" is not defined/);
    expect(() => rolePermissions({ a: { permissions: [], inherits: ["ghost"] } }, ["a"])).toThrow(/role "ghost" \(inherited by "a"\) is not defined/);
    expect(() => permissionMatches("readall", "read", "a")).toThrow(/not of the form/);
  });
  it("inheritance cycles terminate", () => {
    expect(rolePermissions({ a: { permissions: ["x:1"], inherits: ["b"] }, b: { permissions: ["x:2"], inherits: ["a"] } }, ["a"])).toEqual(["x:1", "x:2"]);
  });
});

describe("ACL", () => {
  const acl = { "accounts/alice": { alice: ["read", "transfer"], auditor: ["read"] }, "notices": { "*": ["read"] } };
  it("per resource, per principal; '*' means everyone", () => {
    expect(checkAcl(acl, { principal: "auditor", operation: "read", resource: "accounts/alice" }).kind).toBe("allow");
    expect(checkAcl(acl, { principal: "auditor", operation: "transfer", resource: "accounts/alice" }).reason).toMatch(/does not let "auditor" transfer/);
    expect(checkAcl(acl, { principal: "bob", operation: "read", resource: "notices" }).reason).toMatch(/lets everyone read/);
    expect(checkAcl(acl, { principal: "bob", operation: "read", resource: "accounts/bob" }).reason).toMatch(/no entry for resource/);
  });
  it("with both models, either may allow; the denial gives both reasons", () => {
    const policy = { acl, rbac };
    expect(authorize({ principal: "alice", operation: "transfer", resource: "accounts/alice" }, policy).kind).toBe("allow");
    const d = authorize({ principal: "eve", roles: ["customer"], operation: "transfer", resource: "accounts/alice" }, policy);
    expect(d.kind).toBe("deny");
    expect(d.reason).toMatch(/^ACL of .*; RBAC: /);
  });
  it("a request or policy missing parts gets a clear error", () => {
    expect(() => authorize({ principal: "a" } as never, { rbac })).toThrow(/needs string principal, operation and resource/);
    expect(() => authorize({ principal: "a", operation: "r", resource: "x" }, {})).toThrow(/needs an `acl`, an `rbac`, or both/);
  });
});

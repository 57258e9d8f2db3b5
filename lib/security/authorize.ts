// Authorisation: after authentication says WHO is asking, decide WHAT they may do. Two classic
// models (Sandhu et al., "Role-Based Access Control Models", IEEE Computer 1996; Lampson,
// "Protection", 1971 for access-control lists):
//   ACL  — per resource, a list of principals and the operations each may perform;
//   RBAC — principals hold roles, roles hold permissions (optionally inheriting other roles'),
//          so granting a new employee access is one role assignment, not edits to every resource.
// A permission is "<operation>:<resource>"; "*" matches any operation or resource, e.g. "read:*".

/** resource → principal → operations allowed. The principal "*" means everyone. */
export type Acl = Record<string, Record<string, string[]>>;

/** One role: its permissions ("operation:resource") and the roles it inherits from. */
export interface RoleDefinition {
  permissions: string[];
  inherits?: string[];
}

/** role → its definition. */
export type RbacPolicy = Record<string, RoleDefinition>;

/** An access request: who, holding which roles, wants which operation on which resource. */
export interface AccessRequest {
  principal: string;
  roles?: string[];
  operation: string;
  resource: string;
}

/** Where the answer comes from: an ACL, an RBAC policy, or both (either may allow). */
export interface AuthorizationPolicy {
  acl?: Acl;
  rbac?: RbacPolicy;
}

/** The decision with the reason it was reached (printable in an error reply or a table). */
export type AuthorizationDecision = { kind: "allow"; reason: string } | { kind: "deny"; reason: string };

/**
 * Every permission a set of roles grants, following `inherits` (cycles are tolerated). Throws
 * on a role the policy does not define — a typo in configuration should not silently deny.
 *
 * @example
 * rolePermissions({ teller: { permissions: ["read:accounts"] },
 *   manager: { permissions: ["write:accounts"], inherits: ["teller"] } }, ["manager"]);
 * // ["write:accounts", "read:accounts"]
 */
export function rolePermissions(rbac: RbacPolicy, roles: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const visit = (role: string, via: string) => {
    if (seen.has(role)) return;
    const def = Object.prototype.hasOwnProperty.call(rbac, role) ? rbac[role] : undefined;
    if (!def) throw new RangeError(`RBAC: role "${role}"${via} is not defined (known: ${Object.keys(rbac).join(", ") || "none"})`);
    if (!Array.isArray(def.permissions)) throw new TypeError(`RBAC: role "${role}" needs a permissions list`);
    seen.add(role);
    for (const p of def.permissions) if (!out.includes(p)) out.push(p);
    for (const parent of def.inherits ?? []) visit(parent, ` (inherited by "${role}")`);
  };
  for (const r of roles) visit(r, "");
  return out;
}

/**
 * Whether a permission pattern ("read:*", "*", "write:accounts") covers an operation on a resource.
 *
 * @example
 * permissionMatches("read:*", "read", "accounts"); // true
 */
export function permissionMatches(permission: string, operation: string, resource: string): boolean {
  if (permission === "*") return true;
  const i = permission.indexOf(":");
  if (i < 0) throw new RangeError(`RBAC: permission "${permission}" is not of the form "<operation>:<resource>"`);
  const op = permission.slice(0, i);
  const res = permission.slice(i + 1);
  return (op === "*" || op === operation) && (res === "*" || res === resource);
}

/**
 * Check an ACL alone.
 *
 * @example
 * checkAcl({ "accounts/alice": { alice: ["read", "write"], auditor: ["read"] } },
 *   { principal: "auditor", operation: "write", resource: "accounts/alice" }).kind; // "deny"
 */
export function checkAcl(acl: Acl, request: AccessRequest): AuthorizationDecision {
  const entry = Object.prototype.hasOwnProperty.call(acl, request.resource) ? acl[request.resource] : undefined;
  if (!entry) return { kind: "deny", reason: `ACL: no entry for resource "${request.resource}"` };
  for (const who of [request.principal, "*"]) {
    const ops = Object.prototype.hasOwnProperty.call(entry, who) ? entry[who] : undefined;
    if (ops && (ops.includes(request.operation) || ops.includes("*"))) {
      return { kind: "allow", reason: `ACL of "${request.resource}" lets ${who === "*" ? "everyone" : `"${who}"`} ${request.operation}` };
    }
  }
  return { kind: "deny", reason: `ACL of "${request.resource}" does not let "${request.principal}" ${request.operation}` };
}

/**
 * Check an RBAC policy alone.
 *
 * @example
 * checkRbac(policy, { principal: "bob", roles: ["teller"], operation: "write", resource: "accounts" });
 */
export function checkRbac(rbac: RbacPolicy, request: AccessRequest): AuthorizationDecision {
  const roles = request.roles ?? [];
  if (roles.length === 0) return { kind: "deny", reason: `RBAC: "${request.principal}" holds no roles` };
  for (const role of roles) {
    const granted = rolePermissions(rbac, [role]).find((p) => permissionMatches(p, request.operation, request.resource));
    if (granted) return { kind: "allow", reason: `RBAC: role "${role}" grants "${granted}"` };
  }
  return {
    kind: "deny",
    reason: `RBAC: roles ${JSON.stringify(roles)} of "${request.principal}" do not grant "${request.operation}:${request.resource}"`,
  };
}

/**
 * Decide an access request: allowed if the ACL or the RBAC policy allows it (deny by default).
 * The reason names the rule that allowed it, or why each model refused.
 *
 * @example
 * const d = authorize({ principal: "alice", roles: ["teller"], operation: "read", resource: "accounts" },
 *   { rbac: { teller: { permissions: ["read:accounts"] } } });
 * d; // { kind: "allow", reason: 'RBAC: role "teller" grants "read:accounts"' }
 */
export function authorize(request: AccessRequest, policy: AuthorizationPolicy): AuthorizationDecision {
  if (!request || typeof request.principal !== "string" || typeof request.operation !== "string" || typeof request.resource !== "string") {
    throw new TypeError(`authorize: request needs string principal, operation and resource, got ${JSON.stringify(request)}`);
  }
  if (!policy || (!policy.acl && !policy.rbac)) throw new TypeError("authorize: the policy needs an `acl`, an `rbac`, or both");
  const reasons: string[] = [];
  if (policy.acl) {
    const d = checkAcl(policy.acl, request);
    if (d.kind === "allow") return d;
    reasons.push(d.reason);
  }
  if (policy.rbac) {
    const d = checkRbac(policy.rbac, request);
    if (d.kind === "allow") return d;
    reasons.push(d.reason);
  }
  return { kind: "deny", reason: reasons.join("; ") };
}

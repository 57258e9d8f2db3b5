// Service-to-service trust with Ed25519: the receiver holds public keys only.
import { describe, expect, it } from "vitest";
import { NonceCache, ed25519KeyPair, signServiceRequest, verifyServiceRequest } from "../../lib/security/index";

const orders = ed25519KeyPair("svc/orders");
const rogue = ed25519KeyPair("svc/rogue");
const trusted = { orders: orders.publicKey };

describe("signed service requests", () => {
  const req = signServiceRequest({ service: "orders", keyPair: orders, timestampMs: 1000, nonce: "o-1", body: { op: "charge", amount: 5 } });
  it("a signed request verifies with the public key alone", () => {
    expect(verifyServiceRequest(req, { trusted, now: 1010 })).toEqual({ kind: "valid", service: "orders", body: { op: "charge", amount: 5 } });
  });
  it("altered body, a rogue signer claiming the name, or an unknown service are refused", () => {
    expect(verifyServiceRequest({ ...req, body: { op: "charge", amount: 500 } }, { trusted, now: 1010 })).toMatchObject({ reason: "bad_signature" });
    const forged = signServiceRequest({ service: "orders", keyPair: rogue, timestampMs: 1000, nonce: "o-2", body: {} });
    expect(verifyServiceRequest(forged, { trusted, now: 1010 })).toMatchObject({ reason: "bad_signature" });
    expect(verifyServiceRequest({ ...req, service: "billing" }, { trusted, now: 1010 })).toMatchObject({ reason: "unknown_service" });
    expect(verifyServiceRequest({ nonsense: 1 }, { trusted, now: 1010 })).toMatchObject({ reason: "malformed" });
  });
  it("with a window and a nonce cache, replays are refused", () => {
    const nonces = new NonceCache({ windowMs: 2000 });
    const opts = { trusted, now: 1010, windowMs: 2000, nonces };
    expect(verifyServiceRequest(req, opts).kind).toBe("valid");
    expect(verifyServiceRequest(req, opts)).toMatchObject({ reason: "replayed" });
    expect(verifyServiceRequest(req, { ...opts, now: 9000 })).toMatchObject({ reason: "outside_window" });
  });
});

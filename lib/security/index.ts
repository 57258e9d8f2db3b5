// Security (notebook 12): primitives over node:crypto (base64url, HMAC-SHA-256, Ed25519 from
// seeds), JWS tokens (HS256, EdDSA), ACL and RBAC, replay protection (nonces, timestamps, MAC
// envelopes), input validation, a token authority, signed service requests, and runnable threats.
export { base64urlEncode, base64urlDecode, base64urlDecodeText, toHex, fromHex, toBytes } from "./base64url";
export { hmacSha256, sha256, constantTimeEqual, secretFromLabel, randomBytesFrom } from "./hmac";
export { ed25519KeyPair, ed25519KeyPairFromSeed, ed25519Sign, ed25519Verify, publicKeyObject } from "./ed25519";
export { signToken, verifyToken, jwsSign, decodeJws, verifyJwsSignature, hs256Key, eddsaKey, verificationKeyOf, keySet } from "./jws";
export { authorize, checkAcl, checkRbac, rolePermissions, permissionMatches } from "./authorize";
export { NonceCache, canonicalJson, macEnvelope, verifyEnvelope, envelopeSigningInput } from "./replay";
export { validateBody, guardedHandler } from "./validate";
export { tokenAuthority, login, hashPassword, userRecord, checkPassword } from "./token-authority";
export { signServiceRequest, verifyServiceRequest } from "./service-trust";
export { runThreatScenario, threatMatrix } from "./threats";
export type { Ed25519KeyPair } from "./ed25519";
export type {
  JwsAlgorithm,
  JwsHeader,
  TokenClaims,
  SigningKey,
  VerificationKey,
  TokenRejection,
  TokenVerdict,
  VerifyTokenOptions,
  DecodedJws,
} from "./jws";
export type { Acl, RbacPolicy, RoleDefinition, AccessRequest, AuthorizationPolicy, AuthorizationDecision } from "./authorize";
export type { NonceCacheOptions, NonceVerdict, NonceCacheState, EnvelopeFields, MacEnvelope } from "./replay";
export type { FieldSchema, BodySchema, GuardedHandlerOptions } from "./validate";
export type { UserRecord, TokenAuthorityOptions, TokenAuthorityStats, LoginResult } from "./token-authority";
export type { SignedRequest, ServiceRequestRejection, ServiceRequestVerdict, VerifyServiceRequestOptions } from "./service-trust";
export type { Threat, Defence, ThreatScenarioOptions, ThreatScenarioResult, ThreatRow, ThreatMatrixRow } from "./threats";

// base64url (RFC 4648 §5): base64 with "-" and "_" instead of "+" and "/", and no "=" padding.
// JWS (RFC 7515 §2) encodes its header, payload and signature this way, so tokens fit in URLs
// and HTTP headers without escaping.

const ALPHABET = /^[A-Za-z0-9_-]*$/;

/**
 * Bytes or text (UTF-8) as bytes.
 *
 * @example
 * toBytes("hi"); // Uint8Array [104, 105]
 */
export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? new Uint8Array(Buffer.from(data, "utf8")) : data;
}

/**
 * Encode bytes (or a string, as UTF-8) as base64url without padding.
 *
 * @example
 * base64urlEncode('{"alg":"HS256"}'); // "eyJhbGciOiJIUzI1NiJ9"
 */
export function base64urlEncode(data: Uint8Array | string): string {
  return Buffer.from(toBytes(data)).toString("base64url");
}

/**
 * Decode base64url text (padding not allowed) to bytes. Throws a clear error on a character
 * outside the alphabet or an impossible length, instead of silently skipping it as Node's decoder does.
 *
 * @example
 * base64urlDecode("AQID"); // Uint8Array [1, 2, 3]
 */
export function base64urlDecode(text: string): Uint8Array {
  if (typeof text !== "string") throw new TypeError(`base64urlDecode: expected a string, got ${typeof text}`);
  if (!ALPHABET.test(text)) {
    const bad = [...text].find((c) => !/[A-Za-z0-9_-]/.test(c));
    throw new RangeError(`base64urlDecode: character ${JSON.stringify(bad)} is not in the base64url alphabet (in "${abbreviate(text)}")`);
  }
  if (text.length % 4 === 1) throw new RangeError(`base64urlDecode: length ${text.length} is impossible for base64url (in "${abbreviate(text)}")`);
  return new Uint8Array(Buffer.from(text, "base64url"));
}

/**
 * Decode base64url text to a UTF-8 string.
 *
 * @example
 * base64urlDecodeText("eyJhbGciOiJIUzI1NiJ9"); // '{"alg":"HS256"}'
 */
export function base64urlDecodeText(text: string): string {
  return Buffer.from(base64urlDecode(text)).toString("utf8");
}

/**
 * Bytes as lowercase hexadecimal (for printing keys and test vectors).
 *
 * @example
 * toHex(new Uint8Array([1, 171])); // "01ab"
 */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/**
 * Hexadecimal (whitespace ignored) as bytes. Throws on an odd length or a non-hex character.
 *
 * @example
 * fromHex("01ab"); // Uint8Array [1, 171]
 */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, "");
  if (!/^[0-9a-fA-F]*$/.test(clean) || clean.length % 2 !== 0) {
    throw new RangeError(`fromHex: "${abbreviate(clean)}" is not an even-length hexadecimal string`);
  }
  return new Uint8Array(Buffer.from(clean, "hex"));
}

function abbreviate(text: string): string {
  return text.length > 40 ? text.slice(0, 37) + "..." : text;
}

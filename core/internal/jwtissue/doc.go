// Package jwtissue creates, stores and uses the JWT plugin's signing keys exactly as Better Auth 1.7.25
// does, so a Node server and a Go server that share the jwks table can each sign with keys the other
// created, and publish the same key set.
//
// # Keys and rows
//
// [Generate] makes a key (EdDSA/Ed25519 by default, ES256, ES512, RS256 or PS256 with 2048-bit RSA) and
// the [Row] Better Auth's createJwk would store: the public JWK as JSON text with the members in the order
// Node's jose exports them, and the private JWK encrypted in an XChaCha20-Poly1305 envelope (or, with
// disablePrivateKeyEncryption, as plain JSON text). [Open] turns a stored row back into a [Key], whoever
// wrote it; [OpenPublic] reads only the public half, which is all the key set needs.
//
// # Secrets
//
// [Encrypt] and [Decrypt] are Better Auth's symmetricEncrypt and symmetricDecrypt (src/crypto/index.ts):
// the key is SHA-256 of the secret, the ciphertext is lower-case hex of nonce(24) || ciphertext || tag(16).
// With rotated secrets ([Secrets].Versions) it is wrapped as "$ba$<version>$<hex>", and bare hex is
// decrypted with the legacy secret.
//
// # Tokens
//
// [Claims] builds the payload of Better Auth's getJwtToken in its member order; [SignPayload] and [Sign]
// sign it with header {"alg":…,"kid":…} (no typ), as the plugin's signJWT does. For EdDSA the token is
// byte for byte the one Better Auth signs for the same payload.
//
// # Rotation
//
// [Current] picks the signing row as Better Auth's resolveSigningKey does, [Published] filters the rows
// the /jwks endpoint lists, and [JWKS] renders its body. They are pure functions of the rows and a time.
//
// Each file names the Better Auth source file it mirrors.
package jwtissue

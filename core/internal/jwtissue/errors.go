package jwtissue

import "errors"

var (
	// ErrSecrets means the [Secrets] are unusable: no secret at all, an empty or negative version, a
	// duplicate version, or Current disagreeing with the first version.
	ErrSecrets = errors.New("jwtissue: invalid secrets")

	// ErrSecretVersion means an envelope names a secret version that is not configured (it may have been
	// retired).
	ErrSecretVersion = errors.New("jwtissue: secret version not found")

	// ErrNoLegacySecret means bare hex (written before secrets were rotated) cannot be decrypted because
	// there is no legacy secret.
	ErrNoLegacySecret = errors.New("jwtissue: no legacy secret for a bare-hex payload")

	// ErrDecrypt means a ciphertext is malformed (not hex, too short) or fails authentication: the wrong
	// secret, or tampered data.
	ErrDecrypt = errors.New("jwtissue: cannot decrypt")

	// ErrAlgorithm means an algorithm this package does not issue, or a key that does not suit its
	// algorithm.
	ErrAlgorithm = errors.New("jwtissue: unsupported algorithm")

	// ErrKey means a stored key is malformed: not JSON, not a JWK, or a private key that does not match its
	// public key.
	ErrKey = errors.New("jwtissue: malformed key")

	// ErrClaims means the claims cannot be built: a payload that is not a JSON object, or no issuer or
	// audience.
	ErrClaims = errors.New("jwtissue: invalid claims")
)

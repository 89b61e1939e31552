package testrig

import (
	"crypto/rsa"
	"crypto/x509"
	"embed"
	"encoding/pem"
	"fmt"
	"sync/atomic"

	"github.com/alexedwards/argon2id"
)

//go:embed keys/*.pem
var keyFiles embed.FS

// Keys returns a key generator that hands out precomputed RSA-2048 keys in turn, because
// generating real ones costs ~100 ms each and tests create many accounts. Keys repeat
// after eight; tests that need distinct keys per actor must not create more than that.
func Keys() func() (*rsa.PrivateKey, error) {
	keys := make([]*rsa.PrivateKey, 0, 8)
	for i := 1; i <= 8; i++ {
		b, err := keyFiles.ReadFile(fmt.Sprintf("keys/key%d.pem", i))
		if err != nil {
			panic(err)
		}
		block, _ := pem.Decode(b)
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			panic(err)
		}
		keys = append(keys, k.(*rsa.PrivateKey))
	}
	var n atomic.Uint64
	return func() (*rsa.PrivateKey, error) {
		return keys[int(n.Add(1)-1)%len(keys)], nil
	}
}

// SharedCredentials are one key pair (PEM) and one hash of Password (FastPasswords) for
// benchmark data sets whose thousands of accounts all share them: a key and a hash per
// account would dominate seeding and say nothing about what is measured.
func SharedCredentials() (pubPEM, privPEM, passwordHash string, err error) {
	key, err := Keys()()
	if err != nil {
		return "", "", "", err
	}
	privDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", "", err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", "", "", err
	}
	hash, err := argon2id.CreateHash(Password, FastPasswords)
	if err != nil {
		return "", "", "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER})), hash, nil
}

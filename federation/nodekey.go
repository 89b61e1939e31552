package federation

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// NodeActorPath is where a node serves its Application actor.
const NodeActorPath = "/actor"

// NodeActorURI is the id of the node actor of the node at origin.
func NodeActorURI(origin string) string { return strings.TrimRight(origin, "/") + NodeActorPath }

// NodeIdentity is the node actor: its id, key id and key pair.
type NodeIdentity struct {
	ActorURI     string
	KeyID        string
	Key          *rsa.PrivateKey
	PublicKeyPEM string
}

// LoadNodeIdentity reads the node actor's key from store, creating it with newKey (an
// RSA-2048 generator) the first time. Nodes starting at once agree on one key.
func LoadNodeIdentity(ctx context.Context, store *storage.Store, origin string, newKey func() (*rsa.PrivateKey, error), now func() time.Time) (*NodeIdentity, error) {
	k, err := store.NodeKey(ctx)
	if errors.Is(err, storage.ErrNotFound) {
		k, err = createNodeKey(ctx, store, newKey, now)
	}
	if err != nil {
		return nil, fmt.Errorf("federation: node key: %w", err)
	}
	priv, err := parsePrivateKeyPEM(k.PrivateKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("federation: node key: %w", err)
	}
	rk, ok := priv.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("federation: node key is %T, want RSA", priv)
	}
	actor := NodeActorURI(origin)
	return &NodeIdentity{ActorURI: actor, KeyID: activitypub.KeyID(actor), Key: rk, PublicKeyPEM: k.PublicKeyPEM}, nil
}

func createNodeKey(ctx context.Context, store *storage.Store, newKey func() (*rsa.PrivateKey, error), now func() time.Time) (*model.NodeKey, error) {
	if newKey == nil {
		return nil, errors.New("no key generator")
	}
	if now == nil {
		now = time.Now
	}
	key, err := newKey()
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	priv, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode private key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	return store.EnsureNodeKey(ctx, &model.NodeKey{
		PublicKeyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})),
		PrivateKeyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv})),
		CreatedAt:     now().UTC().Truncate(time.Microsecond),
	})
}

// Signer returns a Signer for the node actor (<origin>/actor#main-key).
func (n *NodeIdentity) Signer(now func() time.Time) (*Signer, error) {
	return NewSigner(n.KeyID, n.Key, now)
}

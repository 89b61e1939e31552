package model

import "time"

// Trust is how far a peer node is trusted.
type Trust string

// Trust levels of peers.
const (
	// TrustSibling is a node of the same company: directory and company-wide posts.
	TrustSibling Trust = "sibling"
	// TrustPartner is another firm's node: its users are guests everywhere.
	TrustPartner Trust = "partner"
)

// Valid reports whether t is a known trust level.
func (t Trust) Valid() bool { return t == TrustSibling || t == TrustPartner }

// Peer is a node this node federates with. Nothing is fetched from or delivered to a
// node that is not a peer.
type Peer struct {
	// Origin is scheme://host:port, the node's identity.
	Origin    string    `bun:"origin,pk"`
	Trust     Trust     `bun:"trust,notnull"`
	Name      string    `bun:"name,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`
}

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

// Delivery states.
const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliveryDelivered DeliveryStatus = "delivered"
	// DeliveryFailed means the receiver refused it for good or it expired (48 hours).
	DeliveryFailed DeliveryStatus = "failed"
	// DeliveryCancelled means the peer was removed before it was sent.
	DeliveryCancelled DeliveryStatus = "cancelled"
)

// Delivery is one activity on its way to one inbox (a node's shared inbox where it has
// one). Rows are written in the transaction of the change they carry, so a crash loses
// nothing; receivers deduplicate by activity id, so a resend after a crash is harmless.
type Delivery struct {
	ID         string `bun:"id,pk"`
	ActivityID string `bun:"activity_id,notnull"`
	// ActorID is the local account that signs; nil means the node actor.
	ActorID *string `bun:"actor_id"`
	// GroupID is the local group that signs instead (its Group actor's key), or nil.
	GroupID       *string        `bun:"group_id"`
	InboxURI      string         `bun:"inbox_uri,notnull"`
	Origin        string         `bun:"origin,notnull"`
	Payload       string         `bun:"payload,notnull"`
	Status        DeliveryStatus `bun:"status,notnull"`
	Attempts      int            `bun:"attempts,notnull"`
	NextAttemptAt time.Time      `bun:"next_attempt_at,notnull"`
	LastError     string         `bun:"last_error,notnull"`
	CreatedAt     time.Time      `bun:"created_at,notnull"`
	UpdatedAt     time.Time      `bun:"updated_at,notnull"`
	DeliveredAt   *time.Time     `bun:"delivered_at"`
}

// ProcessedActivity records an incoming activity id, so a replay changes nothing.
type ProcessedActivity struct {
	URI        string    `bun:"uri,pk"`
	ReceivedAt time.Time `bun:"received_at,notnull"`
}

// NodeKey is the key pair of the node's Application actor (a single row, id 1).
type NodeKey struct {
	ID            int       `bun:"id,pk"`
	PublicKeyPEM  string    `bun:"public_key_pem,notnull"`
	PrivateKeyPEM string    `bun:"private_key_pem,notnull"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
}

package social

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/atrium-intranet/atrium/internal/ratelimit"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/oklog/ulid/v2"
)

// Deps is what the rules need from the outside world; cmd wires the real ones and tests
// fake the clock and the key generator.
type Deps struct {
	Store *storage.Store
	URIs  model.URIs
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// NewKey makes an account's RSA-2048 key pair; nil means crypto/rand generation.
	NewKey func() (*rsa.PrivateKey, error)
	Log    *slog.Logger
	// DataDir holds uploaded files (avatars).
	DataDir  string
	SiteName string
	// MaxAvatarBytes caps avatar uploads; zero means 5 MiB.
	MaxAvatarBytes int64
	// SessionTTL is how long an unused session lasts; zero means 30 days.
	SessionTTL time.Duration
	// PasswordParams tunes argon2id; nil means argon2id.DefaultParams.
	PasswordParams *argon2id.Params
	// Outbox receives the activities local changes cause; nil means no federation.
	Outbox Outbox
	// Resolver finds remote accounts by handle; nil means none can be found.
	Resolver Resolver
	// GroupResolver finds groups of other nodes; nil means none can be found.
	GroupResolver GroupResolver
	// Wake tells the delivery worker that deliveries became due; nil means nothing listens.
	Wake func()
	// Directory reads the sibling nodes' member directories; nil means no federation.
	DirectorySync DirectorySyncer
	// Guests are the guest invitation settings; zero values mean the defaults.
	GuestSettings GuestSettings
	// Mailer sends invitation mails; nil means none are sent (links only).
	Mailer Mailer
	// PostRate is how many posts and comments an account may write per minute after a
	// burst of PostBurst (zero: PostRate); zero means no limit.
	PostRate, PostBurst int
}

// Service bundles the rules of each domain. Each domain struct is small and shares core.
type Service struct {
	Accounts *Accounts
	Auth     *Auth
	Tokens   *Tokens
	Profiles *Profiles
	Posts    *Posts
	Follows  *Follows
	Peers    *Peers
	Queue    *Queue
	Remote   *Remote
	Groups   *Groups
	// Tags are followed hashtags and hashtag pages.
	Tags *Tags
	// People is the company directory and org chart.
	People *People
	// Invitations invite guests by email; Guests administers their accounts.
	Invitations *Invitations
	Guests      *Guests
}

// core is the state every domain shares.
type core struct {
	Deps
	ids *idSource
	md  *renderer
	// postLimits holds one token bucket per posting account.
	postLimits *ratelimit.Keyed
	// reactLimits holds one per reacting account: each reaction federates too.
	reactLimits *ratelimit.Keyed
}

// New builds the rules layer from its dependencies.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.NewKey == nil {
		d.NewKey = func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) }
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.MaxAvatarBytes == 0 {
		d.MaxAvatarBytes = 5 << 20
	}
	if d.SessionTTL == 0 {
		d.SessionTTL = 30 * 24 * time.Hour
	}
	if d.PasswordParams == nil {
		d.PasswordParams = argon2id.DefaultParams
	}
	if d.Outbox == nil {
		d.Outbox = noOutbox{}
	}
	if d.Resolver == nil {
		d.Resolver = noResolver{}
	}
	if d.GroupResolver == nil {
		d.GroupResolver = noResolver{}
	}
	if d.DirectorySync == nil {
		d.DirectorySync = noDirectorySync{}
	}
	c := &core{Deps: d, ids: &idSource{entropy: ulid.Monotonic(rand.Reader, 0)}, md: newRenderer(),
		postLimits: newPostLimits(d.PostRate, d.PostBurst), reactLimits: newPostLimits(d.PostRate, d.PostBurst)}
	return &Service{
		Accounts: &Accounts{c},
		Auth:     newAuth(c),
		Tokens:   &Tokens{c},
		Profiles: &Profiles{c},
		Posts:    &Posts{c},
		Follows:  &Follows{c},
		Peers:    &Peers{c},
		Queue:    &Queue{c},
		Remote:   &Remote{c},
		Groups:   &Groups{core: c},
		Tags:     &Tags{c},
		People:   newPeople(c),

		Invitations: newInvitations(c),
		Guests:      &Guests{c},
	}
}

// now is the clock in UTC, truncated to microseconds so both databases store it exactly.
func (c *core) now() time.Time { return c.Now().UTC().Truncate(time.Microsecond) }

// idSource makes ULIDs that sort by creation time, strictly increasing within a process.
type idSource struct {
	mu      sync.Mutex
	entropy io.Reader
}

func (s *idSource) next(t time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ulid.MustNew(ulid.Timestamp(t), s.entropy).String()
}

func (c *core) newID() string { return c.ids.next(c.Now()) }

// keyPair makes a PEM-encoded RSA key pair for an actor.
func (c *core) keyPair() (pubPEM, privPEM string, err error) {
	key, err := c.NewKey()
	if err != nil {
		return "", "", fmt.Errorf("generate key: %w", err)
	}
	priv, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", fmt.Errorf("encode private key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", "", fmt.Errorf("encode public key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv})), nil
}

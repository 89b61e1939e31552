package federation

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/gorilla/mux"
)

// HandlerOptions are what the ActivityPub surface of a node needs.
type HandlerOptions struct {
	// Config.BaseURL is the node's origin.
	Config config.Config
	Store  *storage.Store
	Social *social.Service
	Log    *slog.Logger
	// Client makes the fetches (keys, actors); the node gives one that refuses non-peers
	// and private addresses.
	Client *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// NewKey makes the node actor's RSA-2048 key on first start; nil means crypto/rand.
	NewKey func() (*rsa.PrivateKey, error)
	// MaxBody bounds an inbox POST; zero means 1 MiB.
	MaxBody int64
	// Identity and Resolver, when the node already built them, are shared instead of
	// loading the node key and building a second resolver; nil means build them here.
	Identity *NodeIdentity
	Resolver *Resolver
}

// handler serves the ActivityPub surface: discovery, actors, objects and inboxes.
type handler struct {
	origin   string
	host     string
	store    *storage.Store
	social   *social.Service
	log      *slog.Logger
	now      func() time.Time
	maxBody  int64
	node     *NodeIdentity
	keys     *KeyStore
	resolver *Resolver
	verifier *Verifier
	siteName string
	// inboxLimits bounds inbox requests per peer node and per client address.
	inboxLimits *inboxLimits
}

// NewHandler builds the ActivityPub handler, loading (or creating) the node actor's key.
func NewHandler(o HandlerOptions) (http.Handler, error) {
	h, err := newHandler(o)
	if err != nil {
		return nil, err
	}
	return h.routes(), nil
}

func newHandler(o HandlerOptions) (*handler, error) {
	if o.Store == nil || o.Social == nil {
		return nil, errors.New("federation: handler needs a store and the rules")
	}
	if _, err := activitypub.Origin(o.Config.BaseURL); err != nil {
		return nil, fmt.Errorf("federation: base URL: %w", err)
	}
	base := strings.TrimRight(o.Config.BaseURL, "/")
	u, _ := url.Parse(base)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.NewKey == nil {
		o.NewKey = func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) }
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: DefaultClientTimeout}
	}
	node := o.Identity
	if node == nil {
		var err error
		if node, err = LoadNodeIdentity(context.Background(), o.Store, base, o.NewKey, o.Now); err != nil {
			return nil, err
		}
	}
	res := o.Resolver
	if res == nil {
		signer, err := node.Signer(o.Now)
		if err != nil {
			return nil, err
		}
		res = NewResolver(ResolverOptions{Origin: base, Store: o.Store, Remote: o.Social.Remote, Client: o.Client,
			Signer: signer, Now: o.Now})
	}
	keys := NewKeyStore(o.Store, res)
	return &handler{
		origin: base, host: strings.ToLower(u.Host), store: o.Store, social: o.Social, log: o.Log, now: o.Now,
		maxBody: o.MaxBody, node: node, keys: keys, resolver: res, siteName: o.Config.SiteName,
		verifier:    NewVerifier(keys, o.Now, WithHost(u.Host), WithMaxBody(o.MaxBody)),
		inboxLimits: newInboxLimits(o.Config.InboxRate, o.Config.InboxBurst),
	}, nil
}

// routes lists every path with its access rule: public discovery documents, signed
// fetches from allowed peers, and signed inbox posts from allowed peers.
func (h *handler) routes() http.Handler {
	r := mux.NewRouter()
	pub := func(path string, fn http.HandlerFunc) {
		r.HandleFunc(path, fn).Methods(http.MethodGet, http.MethodHead)
	}
	pub(WebFingerPath, h.webfinger)
	pub("/.well-known/nodeinfo", h.nodeinfoLinks)
	pub("/nodeinfo/2.1", h.nodeinfo)
	pub("/.well-known/host-meta", h.hostMeta)
	pub(activitypub.ContextPath, h.contextDocument)
	// The node actor is public: peers fetch it to check node signatures, and requiring a
	// signature for it would make two nodes wait on each other's key forever.
	pub(NodeActorPath, h.nodeActor)

	get := func(path string, fn signedFunc) {
		r.HandleFunc(path, h.signed(fn)).Methods(http.MethodGet, http.MethodHead)
	}
	get("/company", h.company)
	get(NodeActorPath+"/outbox", h.nodeOutbox)
	get("/users/{username}", h.person)
	get("/users/{username}/outbox", h.collection(collOutbox))
	get("/users/{username}/followers", h.collection(collFollowers))
	get("/users/{username}/following", h.collection(collFollowing))
	get("/posts/{id}", h.note)
	get(DirectoryPath, h.directory)
	get("/groups", h.groupsCollection)
	get("/groups/{name}", h.groupActor)
	get("/groups/{name}/followers", h.groupMembers)
	get("/groups/{name}/moderators", h.groupModerators)
	get(activitypub.PicturePath+"{file}", h.picture)

	r.HandleFunc("/inbox", h.limitInbox(h.inbox)).Methods(http.MethodPost)
	r.HandleFunc("/users/{username}/inbox", h.limitInbox(h.userInbox)).Methods(http.MethodPost)
	r.HandleFunc("/groups/{name}/inbox", h.limitInbox(h.groupInbox)).Methods(http.MethodPost)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not found", http.StatusNotFound)
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	})
	return r
}

// writeJSON answers v as JSON of the given media type.
func (h *handler) writeJSON(w http.ResponseWriter, r *http.Request, status int, contentType string, v interface{}) {
	b, err := json.Marshal(v)
	if err != nil {
		h.log.ErrorContext(r.Context(), "encode response", "path", r.URL.Path, "err", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	h.writeBytes(w, status, contentType, b)
}

// writeBytes answers b with the given media type.
func (h *handler) writeBytes(w http.ResponseWriter, status int, contentType string, b []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Vary", "Accept, Signature")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// fail answers an error status with a short plain-text reason.
func fail(w http.ResponseWriter, status int, reason string) {
	http.Error(w, reason, status)
}

package federation

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// peerRequest is a request whose signature verified, from an allowed peer.
type peerRequest struct {
	peer     *model.Peer
	verified *Verified
	// domain is the signing node's host[:port], the way remote accounts store it.
	domain string
	// owner is the remote account owning the signing key, as read to verify it; nil
	// when a node actor signed.
	owner *model.Account
}

// signedFunc is a handler for verified requests from allowed peers.
type signedFunc func(w http.ResponseWriter, r *http.Request, pr *peerRequest)

// signed requires a valid signature from an allowed peer: 401 when unsigned or invalid,
// 403 when the signer's node is not a peer.
func (h *handler) signed(next signedFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pr, status, reason := h.authenticate(r)
		if pr == nil {
			h.refuse(w, r, status, reason)
			return
		}
		next(w, r, pr)
	}
}

// authenticate checks who signed r. The peer check comes first, on the key id's origin,
// so that a non-peer never makes this node fetch anything; then the signature.
func (h *handler) authenticate(r *http.Request) (*peerRequest, int, string) {
	sig, err := parseSignatureHeader(r.Header)
	if err != nil {
		return nil, StatusCode(err), err.Error()
	}
	peer, err := PeerOf(r.Context(), h.store, sig.keyID)
	switch {
	case errors.Is(err, ErrNotPeer):
		return nil, http.StatusForbidden, err.Error()
	case err != nil:
		return nil, http.StatusUnauthorized, "bad key id: " + err.Error()
	}
	v, owner, err := verifyRotating(h.verifier, r)
	if errors.Is(err, storage.ErrConcurrentWrite) || storage.Unavailable(err) {
		// The key may be fine: storing or reading it failed here, for now (its first use
		// by several requests at once, a database outage). 503 makes the sender try again.
		return nil, http.StatusServiceUnavailable, err.Error()
	} else if err != nil {
		return nil, StatusCode(err), err.Error()
	}
	u, _ := url.Parse(v.KeyID)
	return &peerRequest{peer: peer, verified: v, domain: strings.ToLower(u.Host), owner: owner}, 0, ""
}

// refuse logs why a request is refused and answers status.
func (h *handler) refuse(w http.ResponseWriter, r *http.Request, status int, reason string) {
	h.log.InfoContext(r.Context(), "federation request refused", "method", r.Method, "path", r.URL.Path,
		"status", status, "reason", reason, "key_id", keyIDOf(r))
	fail(w, status, http.StatusText(status)+": "+reason)
}

// keyIDOf is the keyId of r's signature, for logs; "" when there is none.
func keyIDOf(r *http.Request) string {
	if sig, err := parseSignatureHeader(r.Header); err == nil {
		return sig.keyID
	}
	return ""
}

// noteVisible reports whether the users of the requesting node may see the local post p:
// company posts by sibling nodes, followers posts by nodes where an accepted follower of
// the author lives, group posts by the nodes groupNoteVisible names, site posts by no
// one. Comments follow their thread's top post.
func (h *handler) noteVisible(ctx context.Context, p *model.Post, pr *peerRequest) (bool, error) {
	if !p.Local {
		return false, nil
	}
	root := p
	if p.RootID != nil {
		var err error
		if root, err = h.store.Post(ctx, *p.RootID); err != nil {
			return false, err
		}
	}
	author, err := h.store.Account(ctx, root.AccountID)
	if err != nil {
		return false, err
	}
	if !author.Active() {
		return false, nil
	}
	if g := guestSigner(pr); g != nil {
		return h.guestNoteVisible(ctx, p, root, g) // a guest's own key: its groups only
	}
	switch root.Audience {
	case model.AudienceCompany:
		return pr.peer.Trust == model.TrustSibling, nil
	case model.AudienceFollowers:
		return h.store.HasFollowerOnDomain(ctx, root.AccountID, pr.domain)
	case model.AudienceGroup:
		return h.groupNoteVisible(ctx, p, root, pr)
	default:
		return false, nil
	}
}

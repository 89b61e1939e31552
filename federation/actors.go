package federation

import (
	"errors"
	"net/http"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/go-fed/activity/streams/vocab"
	"github.com/gorilla/mux"
)

// nodeActor serves the Application actor that signs node-level requests.
func (h *handler) nodeActor(w http.ResponseWriter, r *http.Request) {
	actor := h.node.ActorURI
	h.writeJSON(w, r, http.StatusOK, activitypub.ActivityContentType, map[string]interface{}{
		"@context":                  activitypub.Context(h.origin),
		"id":                        actor,
		"type":                      "Application",
		"preferredUsername":         hostname(h.host),
		"name":                      h.siteName,
		"inbox":                     h.origin + "/inbox",
		"outbox":                    activitypub.OutboxURI(actor),
		"endpoints":                 map[string]string{"sharedInbox": h.origin + "/inbox"},
		"manuallyApprovesFollowers": true,
		"publicKey": map[string]string{
			"id": h.node.KeyID, "owner": actor, "publicKeyPem": h.node.PublicKeyPEM,
		},
	})
}

// company is the collection that stands for every sibling node's users (the company
// audience). Its members are not listed. Guests are outside it: to them it does not exist.
func (h *handler) company(w http.ResponseWriter, r *http.Request, pr *peerRequest) {
	if guestSigner(pr) != nil {
		fail(w, http.StatusNotFound, "not found")
		return
	}
	h.orderedCollection(w, r, h.origin+"/company", 0)
}

// nodeOutbox is the node actor's outbox, which lists nothing.
func (h *handler) nodeOutbox(w http.ResponseWriter, r *http.Request, _ *peerRequest) {
	h.orderedCollection(w, r, activitypub.OutboxURI(h.node.ActorURI), 0)
}

// localUser returns the active local account named in the path, or answers 404.
func (h *handler) localUser(w http.ResponseWriter, r *http.Request) *model.Account {
	a, err := h.store.LocalAccountByUsername(r.Context(), mux.Vars(r)["username"])
	if errors.Is(err, storage.ErrNotFound) || err == nil && !a.Active() {
		fail(w, http.StatusNotFound, "no such user")
		return nil
	} else if err != nil {
		h.internal(w, r, err)
		return nil
	}
	return a
}

// person serves a local user's Person actor as personScopeOf decides: in full, with
// its key only (to a partner node whose users may not see the person), or not at all.
func (h *handler) person(w http.ResponseWriter, r *http.Request, pr *peerRequest) {
	a, scope := h.servedPerson(w, r, pr)
	if a == nil {
		return
	}
	if scope == personKeyOnly {
		p, err := activitypub.WithheldPersonToAS(a, a.ExpiresAt)
		if err != nil {
			h.internal(w, r, err)
			return
		}
		h.writeAS(w, r, p)
		return
	}
	if a.ManagerID != nil {
		if m, err := h.store.Account(r.Context(), *a.ManagerID); err == nil && m.Active() {
			a.Manager = m
		}
	}
	skills, err := h.store.Skills(r.Context(), a.ID)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	// A non-nil list, so that a fetch also clears skills a person removed.
	a.Skills = append([]string{}, skills...)
	x := activitypub.PersonExtras{GuestExpires: a.ExpiresAt}
	if a.AvatarFile != "" {
		x.IconURL, x.IconMediaType = h.origin+"/avatars/"+a.AvatarFile, "image/png"
	}
	p, err := activitypub.PersonToAS(a, x)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	h.writeAS(w, r, p)
}

// Collections of a user that are served with their totals only.
const (
	collOutbox = iota
	collFollowers
	collFollowing
)

// collection serves a user's outbox, followers or following as a total, without items:
// who follows whom is for each node's own users to see.
func (h *handler) collection(kind int) signedFunc {
	return func(w http.ResponseWriter, r *http.Request, pr *peerRequest) {
		a := h.localUser(w, r)
		if a == nil || !h.personVisible(w, r, a, pr) {
			return
		}
		c, err := h.store.CountsOfAccount(r.Context(), a.ID)
		if err != nil {
			h.internal(w, r, err)
			return
		}
		switch kind {
		case collOutbox:
			h.orderedCollection(w, r, activitypub.OutboxURI(a.URI), c.Posts)
		case collFollowers:
			h.orderedCollection(w, r, activitypub.FollowersURI(a.URI), c.Followers)
		default:
			h.orderedCollection(w, r, activitypub.FollowingURI(a.URI), c.Following)
		}
	}
}

// orderedCollection answers an OrderedCollection with its total and no items.
func (h *handler) orderedCollection(w http.ResponseWriter, r *http.Request, id string, total int) {
	h.writeJSON(w, r, http.StatusOK, activitypub.ActivityContentType, map[string]interface{}{
		"@context":   activitypub.Context(h.origin),
		"id":         id,
		"type":       "OrderedCollection",
		"totalItems": total,
	})
}

// note serves a local post or comment as a Note, only to nodes whose users may see it;
// to others it does not exist (404).
func (h *handler) note(w http.ResponseWriter, r *http.Request, pr *peerRequest) {
	ctx := r.Context()
	p, err := h.store.Post(ctx, mux.Vars(r)["id"])
	if errors.Is(err, storage.ErrNotFound) {
		fail(w, http.StatusNotFound, "no such post")
		return
	} else if err != nil {
		h.internal(w, r, err)
		return
	}
	ok, err := h.noteVisible(ctx, p, pr)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	if !ok {
		h.log.InfoContext(ctx, "note hidden from peer", "post", p.ID, "peer", pr.peer.Origin, "audience", p.Audience)
		fail(w, http.StatusNotFound, "no such post")
		return
	}
	author, err := h.store.Account(ctx, p.AccountID)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	var x activitypub.NoteExtras
	if x.GroupURI, err = h.noteGroupURI(ctx, p); err != nil {
		h.internal(w, r, err)
		return
	}
	if p.InReplyToID != nil {
		parent, err := h.store.Post(ctx, *p.InReplyToID)
		if err != nil {
			h.internal(w, r, err)
			return
		}
		x.InReplyToURI = parent.URI
	}
	mentioned, err := h.store.MentionedAccounts(ctx, p.ID)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	for _, m := range mentioned {
		name := m.Handle()
		if m.Local() {
			name += "@" + h.host
		}
		x.Mentions = append(x.Mentions, activitypub.Tag{Href: m.URI, Name: name})
	}
	tags, err := h.store.TagsOfPost(ctx, p.ID)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	for _, t := range tags {
		x.Hashtags = append(x.Hashtags, activitypub.Tag{Href: h.origin + "/tags/" + t, Name: "#" + t})
	}
	n, err := activitypub.NoteToAS(model.NewURIs(h.origin), p, author, x)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	h.writeAS(w, r, n)
}

// writeAS answers an ActivityStreams value with the node's context.
func (h *handler) writeAS(w http.ResponseWriter, r *http.Request, t vocab.Type) {
	b, err := activitypub.Marshal(h.origin, t)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	h.writeBytes(w, http.StatusOK, activitypub.ActivityContentType, b)
}

package federation

import (
	"context"
	"errors"
	"net/http"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/gorilla/mux"
)

// What a requesting node may learn of a local person. Sibling nodes' users see the
// company: a sibling's node key gets every person in full. A guest's own key (a
// sibling's guest, or any user of a partner node) gets the people it shares a group
// with, nothing of the others. A partner node's other keys (its node actor, its groups)
// speak for its users, who are all guests here: they get in full the people who share a
// group with an account of that node, the people its users may see; of anyone else only
// the key, in a Person with atrium:profileWithheld, because the partner must still
// verify what the person signs and sends it (a Reject of a follow, the decline of an
// invitation or the join of one of its groups, whose membership is not active yet) and
// address it (an invitation). The collections and the avatar of a person go with the
// full profile. WebFinger, which is public, names existing users as before: the name is
// what the requester typed, and the actor id it gives is in the withheld Person too.

// personScope is how much of a person a request may have.
type personScope int

const (
	// personHidden: the person does not exist for the request (404).
	personHidden personScope = iota
	// personKeyOnly: the withheld Person, no collections, no avatar.
	personKeyOnly
	// personFull: the Person with its profile, collections and avatar.
	personFull
)

// personScopeOf decides what pr may learn of the local account a. It is the one place
// that decides it: actors, collections and avatars all ask here.
func (h *handler) personScopeOf(ctx context.Context, a *model.Account, pr *peerRequest) (personScope, error) {
	if g := guestSigner(pr); g != nil {
		ok, err := h.guestPersonVisible(ctx, a, g)
		if err != nil || !ok {
			return personHidden, err
		}
		return personFull, nil
	}
	if pr.peer.Trust == model.TrustSibling {
		return personFull, nil
	}
	ok, err := h.store.SharesGroupWithDomain(ctx, a.ID, pr.domain)
	if err != nil {
		return personHidden, err
	}
	if !ok {
		return personKeyOnly, nil
	}
	return personFull, nil
}

// servedPerson returns the local account named in the path whose Person pr may fetch,
// with how much of it, or answers 404. An ended guest's Person stays served, with its
// end in the past: the nodes it was known to verify its last activities (the Update
// telling them of its end, the Undo of its joins) with its key.
func (h *handler) servedPerson(w http.ResponseWriter, r *http.Request, pr *peerRequest) (*model.Account, personScope) {
	ctx := r.Context()
	a, err := h.store.LocalAccountByUsername(ctx, mux.Vars(r)["username"])
	if errors.Is(err, storage.ErrNotFound) || err == nil && !a.Active() && !endedGuest(a) {
		fail(w, http.StatusNotFound, "no such user")
		return nil, personHidden
	} else if err != nil {
		h.internal(w, r, err)
		return nil, personHidden
	}
	scope, ok := h.personScopeOrFail(w, r, a, pr, personKeyOnly)
	if !ok {
		return nil, personHidden
	}
	return a, scope
}

// personVisible answers 404 and reports false unless pr may have a in full: what
// belongs to a's profile (its collections) goes only where its profile goes.
func (h *handler) personVisible(w http.ResponseWriter, r *http.Request, a *model.Account, pr *peerRequest) bool {
	_, ok := h.personScopeOrFail(w, r, a, pr, personFull)
	return ok
}

// personScopeOrFail is personScopeOf for a handler that needs at least least: below it
// the person is answered 404, and a failure 500; ok reports that the handler goes on.
func (h *handler) personScopeOrFail(w http.ResponseWriter, r *http.Request, a *model.Account, pr *peerRequest, least personScope) (personScope, bool) {
	scope, err := h.personScopeOf(r.Context(), a, pr)
	if err != nil {
		h.internal(w, r, err)
		return personHidden, false
	}
	if scope < least {
		h.log.InfoContext(r.Context(), "person hidden from peer", "user", a.Username, "peer", pr.peer.Origin,
			"key_id", pr.verified.KeyID, "path", r.URL.Path)
		fail(w, http.StatusNotFound, "no such user")
		return personHidden, false
	}
	return scope, true
}

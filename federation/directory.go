package federation

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/go-fed/activity/streams/vocab"
)

// DirectoryPath is where a node publishes its member directory to its sibling nodes:
// an OrderedCollection whose pages list the Person of every active local account that is
// not a guest. Only sibling nodes' node actors get it; to partners and to requests
// signed by a user's key it does not exist (404).
const DirectoryPath = "/directory"

// Size of a directory page: at most directoryPageSize people, and no more than
// directoryPageBytes of JSON, so a page of long profiles stays well below what a
// receiver reads (MaxFetchBytes).
const (
	directoryPageSize  = 200
	directoryPageBytes = 512 << 10
)

// directoryCursor is what "after" may be: a username, or nothing for the first page.
var directoryCursor = regexp.MustCompile(`^[a-z0-9_]{0,30}$`)

// directory serves the member directory: its top without page=, a page with it.
func (h *handler) directory(w http.ResponseWriter, r *http.Request, pr *peerRequest) {
	ctx := r.Context()
	if pr.peer.Trust != model.TrustSibling || !h.signedByNodeActor(pr) {
		h.log.InfoContext(ctx, "directory hidden from requester", "peer", pr.peer.Origin, "trust", pr.peer.Trust,
			"key_id", pr.verified.KeyID)
		fail(w, http.StatusNotFound, "not found")
		return
	}
	q := r.URL.Query()
	if q.Get("page") == "" {
		total, err := h.store.CountLocalDirectory(ctx)
		if err != nil {
			h.internal(w, r, err)
			return
		}
		doc := map[string]interface{}{
			"@context":   activitypub.Context(h.origin),
			"id":         h.origin + DirectoryPath,
			"type":       "OrderedCollection",
			"totalItems": total,
		}
		if total > 0 {
			doc["first"] = directoryPageURI(h.origin, "")
		}
		h.writeJSON(w, r, http.StatusOK, activitypub.ActivityContentType, doc)
		return
	}
	after := q.Get("after")
	if !directoryCursor.MatchString(after) {
		fail(w, http.StatusBadRequest, "bad cursor")
		return
	}
	list, err := h.store.LocalDirectory(ctx, after, directoryPageSize+1)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	more := len(list) > directoryPageSize
	if more {
		list = list[:directoryPageSize]
	}
	ids := make([]string, 0, len(list))
	var managerIDs []string
	for _, a := range list {
		ids = append(ids, a.ID)
		if a.ManagerID != nil {
			managerIDs = append(managerIDs, *a.ManagerID)
		}
	}
	skills, err := h.store.SkillsOf(ctx, ids)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	managers, err := h.store.ProfilesByIDs(ctx, managerIDs)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	items := make([]json.RawMessage, 0, len(list))
	size, last := 0, ""
	for _, a := range list {
		// Never nil, so that receivers also clear skills a person removed.
		a.Skills = append([]string{}, skills[a.ID]...)
		if a.ManagerID != nil {
			if m := managers[*a.ManagerID]; m != nil && m.Active() {
				a.Manager = m
			}
		}
		var x activitypub.PersonExtras
		if a.AvatarFile != "" {
			x.IconURL, x.IconMediaType = h.origin+"/avatars/"+a.AvatarFile, "image/png"
		}
		item, err := activitypub.PersonItem(h.origin, a, x)
		if err != nil {
			// One account that cannot be written must not hide the others.
			h.log.WarnContext(ctx, "directory entry left out", "account", a.Username, "err", err)
			continue
		}
		if len(items) > 0 && size+len(item) > directoryPageBytes {
			more = true
			break
		}
		items = append(items, item)
		size += len(item)
		last = a.Username
	}
	next := ""
	if more && last != "" {
		next = directoryPageURI(h.origin, last)
	}
	b, err := activitypub.DirectoryPageDocument(h.origin, directoryPageURI(h.origin, after), h.origin+DirectoryPath, next, items)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	h.writeBytes(w, http.StatusOK, activitypub.ActivityContentType, b)
}

// directoryPageURI is the directory page after the username after ("" for the first).
func directoryPageURI(origin, after string) string {
	q := url.Values{"page": {"1"}}
	if after != "" {
		q.Set("after", after)
	}
	return origin + DirectoryPath + "?" + q.Encode()
}

// signedByNodeActor reports whether the requesting node's actor signed the request, not
// one of its users: the directory is for nodes, and a guest's key must not read it.
func (h *handler) signedByNodeActor(pr *peerRequest) bool {
	if pr.owner != nil || pr.verified == nil {
		return false
	}
	u, err := url.Parse(pr.verified.KeyID)
	if err != nil {
		return false
	}
	u.Fragment = ""
	return isNodeActor(u) && activitypub.SameOrigin(u.String(), pr.peer.Origin)
}

// buildActorDelete handles the deactivation of a local account: a Delete of its actor to
// every sibling (whose directories list it) and to its followers' nodes.
func (o *Outbox) buildActorDelete(ctx context.Context, tx *storage.Store, a social.Activity, t *targets) (vocab.Type, error) {
	t.addSiblings()
	if err := t.addFollowers(ctx, tx, a.Actor); err != nil {
		return nil, err
	}
	return activitypub.NewDeleteActor(o.uris, a.Actor, a.Actor.UpdatedAt)
}

package federation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"strings"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
	"github.com/gorilla/mux"
)

// Pictures across nodes. Nothing in Atrium is public, so a browser on one node cannot
// load a picture from another: the node that shows it fetches it once, with a signed GET
// from its node actor, and keeps a re-encoded copy (package social). Here: that fetch,
// and the route that answers it, which gives a picture only to a peer whose users may
// see its owner.

// maxServedPicture bounds a picture file read to answer a peer. Stored pictures are
// PNGs of at most 1200×300 written by this node's upload pipeline, far below it.
const maxServedPicture = 8 << 20

// pictureCacheControl lets a peer keep a picture: a new one gets a new file name.
const pictureCacheControl = "private, max-age=604800"

// FetchImage fetches the picture at iri with a signed GET and returns at most maxBytes
// of it. Nothing is requested from a node that is not an allowed peer; the answer must
// be an image. The signature matters twice: the other node serves pictures to signed
// requests of peers only, and it routes signed requests to its federation handler.
func (f *Fetcher) FetchImage(ctx context.Context, iri string, maxBytes int64) ([]byte, error) {
	if _, err := PeerOf(ctx, f.store, iri); err != nil {
		return nil, fmt.Errorf("federation: fetch picture %s: %w", iri, err)
	}
	u, err := activitypub.ParseIRI(iri)
	if err != nil {
		return nil, fmt.Errorf("federation: fetch picture: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("federation: fetch picture %s: %w", iri, err)
	}
	req.Header.Set("Accept", activitypub.PictureMediaType+", image/*;q=0.8")
	resp, err := f.transport.do(req, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &StatusError{Method: req.Method, URL: iri, Code: resp.StatusCode}
	}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || !strings.HasPrefix(mt, "image/") {
		return nil, fmt.Errorf("federation: fetch picture %s: content type %q", iri, resp.Header.Get("Content-Type"))
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("federation: fetch picture %s: read: %w", iri, err)
	}
	if int64(len(b)) > maxBytes {
		return nil, fmt.Errorf("federation: fetch picture %s: larger than %d bytes", iri, maxBytes)
	}
	return b, nil
}

// syncAvatar brings the cached remote account a's avatar in line with the icon its actor
// document names. An icon on another node than the actor's counts as none. Failures are
// logged by the rules and never fail what named the picture.
func (r *Resolver) syncAvatar(ctx context.Context, a *model.Account, iconURL string) {
	if a == nil || r.remote == nil {
		return
	}
	if iconURL != "" && !activitypub.SameOrigin(iconURL, a.URI) {
		iconURL = ""
	}
	_ = r.remote.SyncAccountAvatar(ctx, a, iconURL, r.fetcher.FetchImage)
}

// syncGroupPictures brings the cached remote group g's avatar and banner in line with
// its Group actor rg (whose picture URLs ParseGroup kept to the group's node). Failures
// are logged by the rules and never fail what named the pictures.
func (r *Resolver) syncGroupPictures(ctx context.Context, g *model.Group, rg *activitypub.RemoteGroup) {
	if g == nil || rg == nil || r.remote == nil {
		return
	}
	_ = r.remote.SyncGroupPictures(ctx, g, rg.AvatarURL, rg.BannerURL, r.fetcher.FetchImage)
}

// picture serves a stored picture to a peer whose users may see its owner: the avatar
// of an active local account whose Person the peer may have in full, or the avatar or
// banner of a local group the peer may see. Everything else, copies of other nodes'
// pictures included, does not exist (404).
func (h *handler) picture(w http.ResponseWriter, r *http.Request, pr *peerRequest) {
	ctx := r.Context()
	file := mux.Vars(r)["file"]
	path, err := h.social.Profiles.AvatarPath(file)
	if err != nil {
		fail(w, http.StatusNotFound, "no such picture")
		return
	}
	ok, err := h.pictureVisible(ctx, file, pr)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	if !ok {
		h.log.InfoContext(ctx, "picture hidden from peer", "file", file, "peer", pr.peer.Origin)
		fail(w, http.StatusNotFound, "no such picture")
		return
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		fail(w, http.StatusNotFound, "no such picture")
		return
	} else if err != nil {
		h.internal(w, r, err)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		h.internal(w, r, err)
		return
	}
	if !st.Mode().IsRegular() || st.Size() > maxServedPicture {
		h.internal(w, r, fmt.Errorf("picture %s: not a regular file within %d bytes", file, maxServedPicture))
		return
	}
	data, err := io.ReadAll(io.LimitReader(f, maxServedPicture+1))
	if err != nil {
		h.internal(w, r, err)
		return
	}
	// The pipeline writes PNG only; whatever else lies under the name is not given out.
	if len(data) > maxServedPicture || http.DetectContentType(data) != activitypub.PictureMediaType {
		h.internal(w, r, fmt.Errorf("picture %s: not a PNG within %d bytes", file, maxServedPicture))
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", activitypub.PictureMediaType)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", pictureCacheControl)
	hd.Set("Vary", "Accept, Signature")
	http.ServeContent(w, r, "", st.ModTime(), bytes.NewReader(data))
}

// pictureVisible reports whether the requesting node may have the local picture file.
func (h *handler) pictureVisible(ctx context.Context, file string, pr *peerRequest) (bool, error) {
	a, err := h.store.LocalAccountByAvatar(ctx, file)
	switch {
	case err == nil:
		if !a.Active() {
			return false, nil
		}
		scope, err := h.personScopeOf(ctx, a, pr)
		return scope == personFull, err
	case !errors.Is(err, storage.ErrNotFound):
		return false, err
	}
	g, err := h.store.LocalGroupByPicture(ctx, file)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return h.groupVisible(ctx, g, pr)
}

package ui

import (
	"errors"
	"io/fs"
	"net/http"
	"os"

	"github.com/gorilla/mux"
)

// avatarCacheControl lets browsers keep avatars: a new upload gets a new file name, so
// a cached file never goes stale. Private, because avatars are for logged-in members.
const avatarCacheControl = "private, max-age=604800"

// avatarShow serves a stored avatar image. social.Profiles.AvatarPath accepts only file
// names the node generated, so the request cannot reach outside the avatar directory.
func (h *handler) avatarShow(w http.ResponseWriter, r *http.Request) error {
	path, err := h.social.Profiles.AvatarPath(mux.Vars(r)["file"])
	if err != nil {
		return errNotFound
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return errNotFound
	} else if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return errNotFound
	}
	hd := w.Header()
	// Avatars are re-encoded to PNG on upload; the type is fixed, never sniffed.
	hd.Set("Content-Type", "image/png")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", avatarCacheControl)
	http.ServeContent(w, r, "", st.ModTime(), f)
	return nil
}

package ui

import (
	"errors"
	"net/http"

	"github.com/atrium-intranet/atrium/social"
)

// avatarUpdate replaces the viewer's avatar with an uploaded image (multipart field
// "avatar"). A body over the upload limit is a MaxBytesError, which the error adapter
// turns into 413, so it is returned as it is, never mistaken for a missing file.
func (h *handler) avatarUpdate(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	f, _, err := r.FormFile("avatar")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return err
	case errors.Is(err, http.ErrMissingFile), errors.Is(err, http.ErrNotMultipart):
		return h.avatarInvalid(w, r, map[string]string{"avatar": "error.avatar.invalid"})
	case err != nil:
		return err
	}
	defer f.Close()
	err = h.social.Profiles.SetAvatar(r.Context(), v, f)
	if ve, ok := social.AsValidation(err); ok {
		return h.avatarInvalid(w, r, ve.Fields)
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/settings/profile?notice=avatar_saved", http.StatusSeeOther)
	return nil
}

// avatarInvalid shows the profile page again with the avatar error.
func (h *handler) avatarInvalid(w http.ResponseWriter, r *http.Request, errs map[string]string) error {
	form, err := h.profileForm(r.Context(), viewer(r))
	if err != nil {
		return err
	}
	h.renderProfileEdit(w, r, http.StatusUnprocessableEntity, form, errs)
	return nil
}

package ui

import (
	"errors"
	"net/http"

	"github.com/atrium-intranet/atrium/social"
)

// groupImage replaces a group's avatar or banner (multipart field "image", hidden field
// "kind"). As with account avatars, a body over the upload limit is a MaxBytesError,
// which the error adapter turns into 413; social checks that the viewer moderates.
func (h *handler) groupImage(w http.ResponseWriter, r *http.Request) error {
	gv, err := h.groupOf(r)
	if err != nil {
		return err
	}
	f, _, err := r.FormFile("image")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return err
	case errors.Is(err, http.ErrMissingFile), errors.Is(err, http.ErrNotMultipart):
		if !gv.CanModerate {
			return errForbidden
		}
		return h.groupImageInvalid(w, r, gv, map[string]string{"image": "error.avatar.invalid"})
	case err != nil:
		return err
	}
	defer f.Close()
	err = h.social.Groups.SetImage(r.Context(), viewer(r), gv.Group.ID, r.FormValue("kind"), f)
	if ve, ok := social.AsValidation(err); ok {
		return h.groupImageInvalid(w, r, gv, ve.Fields)
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, groupPath(gv.Group)+"/settings?notice=group_image_saved", http.StatusSeeOther)
	return nil
}

// groupImageInvalid shows the settings page again with the image error.
func (h *handler) groupImageInvalid(w http.ResponseWriter, r *http.Request, gv *social.GroupView, errs map[string]string) error {
	g := gv.Group
	return h.renderGroupSettings(w, r, http.StatusUnprocessableEntity, &groupFormPage{
		Page: Page{Errors: errs}, G: gv, Form: social.GroupInput{
			Name: g.Name, DisplayName: g.DisplayName, Description: g.DescriptionSource, Kind: g.Kind,
			SiteOnly: g.SiteOnly, PreModeration: g.PreModeration,
		},
	})
}

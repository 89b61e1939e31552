package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/social"
)

// groupUpdate saves the settings form; the name cannot change. A refused input shows the
// form again with the fields kept.
func (h *handler) groupUpdate(w http.ResponseWriter, r *http.Request) error {
	gv, err := h.groupOf(r)
	if err != nil {
		return err
	}
	in := groupForm(r)
	in.Name = gv.Group.Name
	err = h.social.Groups.Update(r.Context(), viewer(r), gv.Group.ID, in)
	if ve, ok := social.AsValidation(err); ok {
		return h.renderGroupSettings(w, r, http.StatusUnprocessableEntity, &groupFormPage{
			Page: Page{Errors: ve.Fields}, G: gv, Form: in,
		})
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, groupPath(gv.Group)+"/settings?notice=saved", http.StatusSeeOther)
	return nil
}

package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/social"
)

// groupCreate creates a group with the viewer as its owner and opens its page; a refused
// input shows the form again with the fields kept.
func (h *handler) groupCreate(w http.ResponseWriter, r *http.Request) error {
	in := groupForm(r)
	g, err := h.social.Groups.Create(r.Context(), viewer(r), in)
	if ve, ok := social.AsValidation(err); ok {
		h.render(w, r, http.StatusUnprocessableEntity, "group_new", &groupFormPage{
			Page: Page{Title: "title.group_new", Nav: "groups", Errors: ve.Fields},
			Form: in, Kinds: groupKinds,
		})
		return nil
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, groupPath(g)+"?notice=group_created", http.StatusSeeOther)
	return nil
}

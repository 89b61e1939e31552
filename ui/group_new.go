package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// groupFormPage is the data of the create form and of the settings page.
type groupFormPage struct {
	Page
	Form  social.GroupInput
	Kinds []model.GroupKind
	// G is the group being edited; nil on the create form.
	G *social.GroupView
	// CanArchive shows the archive control: the group's owner or a node admin.
	CanArchive bool
}

// groupKinds are the kinds the forms offer, the default first.
var groupKinds = []model.GroupKind{model.GroupOpen, model.GroupClosed, model.GroupSecret}

// groupNew shows the form that creates a group. Social refuses guests when they submit it.
func (h *handler) groupNew(w http.ResponseWriter, r *http.Request) error {
	h.render(w, r, http.StatusOK, "group_new", &groupFormPage{
		Page: Page{Title: "title.group_new", Nav: "groups"},
		Form: social.GroupInput{Kind: model.GroupOpen}, Kinds: groupKinds,
	})
	return nil
}

// groupForm reads the group form's fields.
func groupForm(r *http.Request) social.GroupInput {
	return social.GroupInput{
		Name:          r.PostFormValue("name"),
		DisplayName:   r.PostFormValue("display_name"),
		Description:   r.PostFormValue("description"),
		Kind:          model.GroupKind(r.PostFormValue("kind")),
		SiteOnly:      r.PostFormValue("site_only") == "1",
		PreModeration: r.PostFormValue("pre_moderation") == "1",
	}
}

package ui

import (
	"context"
	"net/http"
	"strings"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// profileEditPage is the data of the edit-profile page, which also holds the avatar form.
type profileEditPage struct {
	Page
	Form social.ProfileInput
}

// profileEdit shows the viewer's profile form filled with the stored values.
func (h *handler) profileEdit(w http.ResponseWriter, r *http.Request) error {
	form, err := h.profileForm(r.Context(), viewer(r))
	if err != nil {
		return err
	}
	h.renderProfileEdit(w, r, http.StatusOK, form, nil)
	return nil
}

// profileForm is the edit form as the stored profile fills it.
func (h *handler) profileForm(ctx context.Context, v *model.Account) (social.ProfileInput, error) {
	prof, err := h.social.Profiles.Get(ctx, v, v.Username)
	if err != nil {
		return social.ProfileInput{}, err
	}
	a := prof.Account
	in := social.ProfileInput{
		DisplayName: a.DisplayName, JobTitle: a.JobTitle, Department: a.Department, Site: a.Site,
		Phone: a.Phone, Email: a.Email, Skills: strings.Join(prof.Skills, ", "), About: a.AboutSource,
	}
	if m := prof.Manager; m != nil {
		in.Manager = m.Username
		if !m.Local() {
			in.Manager += "@" + m.Domain
		}
	}
	return in, nil
}

func (h *handler) renderProfileEdit(w http.ResponseWriter, r *http.Request, status int, form social.ProfileInput, errs map[string]string) {
	h.render(w, r, status, "profile_edit", &profileEditPage{
		Page: Page{Title: "title.settings", Nav: "settings", Errors: errs},
		Form: form,
	})
}

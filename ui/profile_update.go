package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/social"
)

// profileUpdate saves the viewer's profile; invalid input shows the form again with the
// submitted values and changes nothing.
func (h *handler) profileUpdate(w http.ResponseWriter, r *http.Request) error {
	in := social.ProfileInput{
		DisplayName: r.PostFormValue("display_name"),
		JobTitle:    r.PostFormValue("job_title"),
		Department:  r.PostFormValue("department"),
		Site:        r.PostFormValue("site"),
		Phone:       r.PostFormValue("phone"),
		Email:       r.PostFormValue("email"),
		Manager:     r.PostFormValue("manager"),
		Skills:      r.PostFormValue("skills"),
		About:       r.PostFormValue("about"),
	}
	err := h.social.Profiles.Update(r.Context(), viewer(r), in)
	if ve, ok := social.AsValidation(err); ok {
		h.renderProfileEdit(w, r, http.StatusUnprocessableEntity, in, ve.Fields)
		return nil
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/settings/profile?notice=profile_saved", http.StatusSeeOther)
	return nil
}

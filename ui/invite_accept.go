package ui

import (
	"errors"
	"net/http"

	"github.com/atrium-intranet/atrium/social"
	"github.com/gorilla/mux"
)

// inviteAccept signs a guest up through an invitation link and logs them in, landing in
// their first group. The form is protected like /login: a double-submit cookie plus the
// cross-origin check of every form post.
func (h *handler) inviteAccept(w http.ResponseWriter, r *http.Request) error {
	if err := checkPreSessionCSRF(r); err != nil {
		return err
	}
	if currentOf(r) != nil {
		return errForbidden
	}
	token := mux.Vars(r)["token"]
	v, err := h.lookupInvitation(r, token)
	if err != nil {
		return err
	}
	form := inviteForm{Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name")}
	password := r.PostFormValue("password")
	again := func(fields map[string]string) error {
		p := &invitePage{Page: Page{Title: "title.invite", Errors: fields}, Token: token, V: v, Form: form}
		h.render(w, r, http.StatusUnprocessableEntity, "invite", p)
		return nil
	}
	if password != r.PostFormValue("password2") {
		return again(map[string]string{"password2": "error.invite.password_mismatch"})
	}
	got, err := h.social.Invitations.Accept(r.Context(), token, social.AcceptInput{
		Username: form.Username, DisplayName: form.DisplayName, Password: password, IP: clientIP(r),
	})
	if ve, ok := social.AsValidation(err); ok {
		return again(ve.Fields)
	}
	if errors.Is(err, social.ErrInvitationGone) {
		return errInvitationGone
	}
	if err != nil {
		return err
	}
	secret, err := h.social.Auth.Login(r.Context(), got.Account.Username, password, r.UserAgent(), clientIP(r))
	if err != nil {
		h.log.WarnContext(r.Context(), "login after sign-up failed", "username", got.Account.Username, "err", err)
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	h.setSessionCookie(w, secret)
	target := "/"
	if len(got.Groups) > 0 {
		target = groupPath(got.Groups[0])
	}
	http.Redirect(w, r, target+"?notice=guest_welcome", http.StatusSeeOther)
	return nil
}

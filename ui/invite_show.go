package ui

import (
	"errors"
	"net/http"

	"github.com/atrium-intranet/atrium/social"
	"github.com/gorilla/mux"
)

// invitePage is the public sign-up form behind an invitation link.
type invitePage struct {
	Page
	Token string
	V     *social.InvitationView
	Form  inviteForm
}

type inviteForm struct{ Username, DisplayName string }

// errInvitationGone answers a link that was used, revoked or has expired.
var errInvitationGone = &httpError{http.StatusGone, "error.invitation.gone"}

// inviteShow shows the sign-up form of a pending invitation. Unknown links are 404 (and
// count against the client's address), used or expired ones 410. Someone logged in is
// asked to log out first: the form would make a second account.
func (h *handler) inviteShow(w http.ResponseWriter, r *http.Request) error {
	if currentOf(r) != nil {
		h.render(w, r, http.StatusOK, "invite", &invitePage{Page: Page{Title: "title.invite"}})
		return nil
	}
	token := mux.Vars(r)["token"]
	v, err := h.lookupInvitation(r, token)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "invite", &invitePage{Page: Page{Title: "title.invite"}, Token: token, V: v})
	return nil
}

// lookupInvitation resolves a link, mapping a dead one to 410.
func (h *handler) lookupInvitation(r *http.Request, token string) (*social.InvitationView, error) {
	v, err := h.social.Invitations.Lookup(r.Context(), token, clientIP(r))
	if errors.Is(err, social.ErrInvitationGone) {
		h.log.InfoContext(r.Context(), "dead invitation link", "err", err)
		return nil, errInvitationGone
	}
	return v, err
}

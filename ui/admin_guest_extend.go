package ui

import (
	"net/http"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/gorilla/mux"
)

// adminGuestExtend moves a guest's end to the end of the given day (UTC), which also
// gives an ended guest access again.
func (h *handler) adminGuestExtend(w http.ResponseWriter, r *http.Request) error {
	day, err := time.Parse("2006-01-02", strings.TrimSpace(r.PostFormValue("until")))
	if err == nil {
		err = h.social.Guests.Extend(r.Context(), viewer(r), mux.Vars(r)["id"], day.Add(24*time.Hour))
	} else {
		err = &social.ValidationError{Fields: map[string]string{"until": "error.guest.until"}}
	}
	if ve, ok := social.AsValidation(err); ok {
		return h.adminRefused(w, r, ve)
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, adminReturn(r, "guest_extended"), http.StatusSeeOther)
	return nil
}

// guestRow is what the guest controls of an admin users row need.
type guestRow struct {
	Account     *model.Account
	CSRF, After string
	// Ended: the guest's access has ended (by date or revoked).
	Ended bool
}

// GuestRow gives the guest controls of a's row.
func (p *adminUsersPage) GuestRow(a *model.Account) guestRow {
	return guestRow{Account: a, CSRF: p.CSRF, After: p.After, Ended: a.ExpiresAt != nil && !p.Now.Before(*a.ExpiresAt)}
}

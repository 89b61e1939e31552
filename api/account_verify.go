package api

import (
	"net/http"

	"github.com/atrium-intranet/atrium/model"
)

// accountVerify returns the token owner's account, with the source of their profile.
func (h *handler) accountVerify(w http.ResponseWriter, r *http.Request, viewer *model.Account) error {
	p := h.presenter(r.Context())
	p.freshCounts = true
	acct, err := p.account(viewer)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, CredentialAccount{
		Account: acct,
		Source: AccountSource{Privacy: "public", Language: "", Note: viewer.AboutSource,
			Fields: profileFields(viewer, func(s string) string { return s })},
		Role: AccountRole{Name: string(viewer.Role)},
	})
	return nil
}

package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/social"
)

// tokenCreate makes a personal access token and shows its plaintext on the page it
// renders. It renders instead of redirecting on purpose: only the token's hash is
// stored, so after a redirect the plaintext would be gone unless it travelled in the
// URL (logs, history, Referer) or a cookie. The page is sent with no-store.
func (h *handler) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	name := r.PostFormValue("name")
	plain, tok, err := h.social.Tokens.Create(r.Context(), viewer(r).ID, name)
	if ve, ok := social.AsValidation(err); ok {
		p := &tokensPage{Name: name}
		p.Errors = ve.Fields
		return h.renderTokens(w, r, http.StatusUnprocessableEntity, p)
	} else if err != nil {
		return err
	}
	p := &tokensPage{Plaintext: plain, Created: tok}
	p.Notice = "notice.token_created"
	return h.renderTokens(w, r, http.StatusOK, p)
}

package ui

import "net/http"

// setupPage is the first-admin registration form.
type setupPage struct {
	Page
	Token string
	Form  setupForm
}

type setupForm struct{ Username, DisplayName, Email string }

// setupShow shows the first-admin form to holders of the one-time link. Without a valid
// link, or once an admin exists, the page does not exist.
func (h *handler) setupShow(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	if !h.setup.valid(token) {
		return errNotFound
	}
	if exists, err := h.social.Accounts.AdminExists(r.Context()); err != nil {
		return err
	} else if exists {
		return errNotFound
	}
	h.render(w, r, http.StatusOK, "setup", &setupPage{Page: Page{Title: "title.setup"}, Token: token})
	return nil
}

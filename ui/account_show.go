package ui

import "net/http"

// accountPage is the data of the account settings page (login facts and password form).
type accountPage struct{ Page }

// accountShow shows the viewer's account facts and the change-password form.
func (h *handler) accountShow(w http.ResponseWriter, r *http.Request) error {
	h.renderAccount(w, r, http.StatusOK, nil)
	return nil
}

func (h *handler) renderAccount(w http.ResponseWriter, r *http.Request, status int, errs map[string]string) {
	h.render(w, r, status, "account", &accountPage{Page{Title: "title.account", Nav: "settings", Errors: errs}})
}

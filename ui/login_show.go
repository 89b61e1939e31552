package ui

import "net/http"

// loginPage is the login form.
type loginPage struct {
	Page
	Username string
	Next     string
	// Failure is a message key for a refused attempt.
	Failure string
}

// loginShow shows the login form; logged-in visitors go straight on.
func (h *handler) loginShow(w http.ResponseWriter, r *http.Request) error {
	next := localPath(r.URL.Query().Get("next"))
	if currentOf(r) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	h.render(w, r, http.StatusOK, "login", &loginPage{Page: Page{Title: "title.login"}, Next: next})
	return nil
}

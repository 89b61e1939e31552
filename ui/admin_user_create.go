package ui

import (
	"crypto/rand"
	"net/http"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// generatedPasswordLen is the length of passwords made for new accounts.
const generatedPasswordLen = 20

// passwordAlphabet leaves out look-alike characters (0/O, 1/l/I) because the password is
// read off the screen and passed on by hand.
const passwordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// adminUserCreate creates a local account. With the password left empty it generates
// one and renders it on the page (not a redirect) so it is shown exactly once and never
// travels in a URL.
func (h *handler) adminUserCreate(w http.ResponseWriter, r *http.Request) error {
	in := social.NewAccount{
		Username:    r.PostFormValue("username"),
		Email:       r.PostFormValue("email"),
		DisplayName: r.PostFormValue("display_name"),
		Role:        model.Role(r.PostFormValue("role")),
		Password:    r.PostFormValue("password"),
	}
	generated := in.Password == ""
	if generated {
		in.Password = randomPassword()
	}
	acct, err := h.social.Accounts.Create(r.Context(), in)
	if ve, ok := social.AsValidation(err); ok {
		in.Password = ""
		p := &adminUsersPage{Form: in}
		p.Errors = ve.Fields
		return h.renderAdminUsers(w, r, http.StatusUnprocessableEntity, p)
	} else if err != nil {
		return err
	}
	if !generated {
		http.Redirect(w, r, "/admin/users?notice=user_created", http.StatusSeeOther)
		return nil
	}
	p := &adminUsersPage{Created: acct, Password: in.Password}
	p.Notice = "notice.user_created"
	return h.renderAdminUsers(w, r, http.StatusOK, p)
}

// randomPassword returns generatedPasswordLen characters from passwordAlphabet, drawn
// from crypto/rand without modulo bias.
func randomPassword() string {
	out := make([]byte, 0, generatedPasswordLen)
	buf := make([]byte, 64)
	limit := 256 - 256%len(passwordAlphabet)
	for len(out) < generatedPasswordLen {
		_, _ = rand.Read(buf) // crypto/rand.Read never fails on supported platforms
		for _, b := range buf {
			if int(b) < limit && len(out) < generatedPasswordLen {
				out = append(out, passwordAlphabet[int(b)%len(passwordAlphabet)])
			}
		}
	}
	return string(out)
}

package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/model"
)

// tokensPage is the data of the access-token settings page.
type tokensPage struct {
	Page
	Tokens []*model.Token
	// Name is the create form's name field.
	Name string
	// Plaintext is a token just created, shown this one time only.
	Plaintext string
	Created   *model.Token
}

// tokensShow lists the viewer's personal access tokens with the form to create one.
func (h *handler) tokensShow(w http.ResponseWriter, r *http.Request) error {
	return h.renderTokens(w, r, http.StatusOK, &tokensPage{})
}

func (h *handler) renderTokens(w http.ResponseWriter, r *http.Request, status int, p *tokensPage) error {
	list, err := h.social.Tokens.List(r.Context(), viewer(r).ID)
	if err != nil {
		return err
	}
	p.Page.Title, p.Page.Nav, p.Tokens = "title.tokens", "settings", list
	h.render(w, r, status, "tokens", p)
	return nil
}

package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/atrium-intranet/atrium/social"
	"github.com/gorilla/mux"
)

// postReact adds or removes a reaction; the button says which ("like:on", "like:off").
// The reader returns to the page they reacted on.
func (h *handler) postReact(w http.ResponseWriter, r *http.Request) error {
	id := mux.Vars(r)["id"]
	kind, state, ok := strings.Cut(r.PostFormValue("reaction"), ":")
	if !ok || (state != "on" && state != "off") {
		return errBadRequest
	}
	if err := h.social.Posts.React(r.Context(), viewer(r), id, kind, state == "on"); err != nil {
		if _, ok := social.AsValidation(err); ok {
			return errBadRequest
		}
		return err
	}
	http.Redirect(w, r, backTo(r, "/posts/"+id)+"#post-"+id, http.StatusSeeOther)
	return nil
}

// backTo is the local page the request came from (its Referer on this host), else def.
func backTo(r *http.Request, def string) string {
	ref, err := url.Parse(r.Referer())
	if err != nil || ref.Host != r.Host || ref.Path == "" {
		return def
	}
	p := ref.Path
	if ref.RawQuery != "" {
		p += "?" + ref.RawQuery
	}
	return localPath(p)
}

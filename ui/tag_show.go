package ui

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"
)

// tagShow lists the posts carrying a hashtag that the viewer may see.
func (h *handler) tagShow(w http.ResponseWriter, r *http.Request) error {
	tag := strings.ToLower(mux.Vars(r)["tag"])
	if tag == "" || len(tag) > 100 {
		return errNotFound
	}
	page := &feedPage{Page: Page{Title: "title.tag", TitleArg: tag}, Tag: tag}
	if err := h.loadFeed(r, page); err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "feed", page)
	return nil
}

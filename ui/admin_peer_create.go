package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// adminPeerCreate allows a node as a peer, or changes the trust and name of one already
// allowed; a refused form is shown again with its errors.
func (h *handler) adminPeerCreate(w http.ResponseWriter, r *http.Request) error {
	in := peerForm{
		URL:   r.PostFormValue("url"),
		Trust: model.Trust(r.PostFormValue("trust")),
		Name:  r.PostFormValue("name"),
	}
	_, err := h.social.Peers.Add(r.Context(), viewer(r), in.URL, in.Trust, in.Name)
	if ve, ok := social.AsValidation(err); ok {
		p := &adminPeersPage{Form: in}
		p.Errors = ve.Fields
		return h.renderAdminPeers(w, r, http.StatusUnprocessableEntity, p)
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/peers?notice=peer_added", http.StatusSeeOther)
	return nil
}

package ui

import (
	"net/http"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// adminPeersPage is the data of the peer administration page.
type adminPeersPage struct {
	Page
	Peers  []*model.Peer
	Trusts []model.Trust
	// Self is this node's origin, shown so admins know what to give other nodes.
	Self string
	// Form is the add-peer form, filled back after a refused submission.
	Form peerForm
	// Alerts are message keys of a refused row action.
	Alerts []string
}

// peerForm is the add-peer form's input.
type peerForm struct {
	URL   string
	Trust model.Trust
	Name  string
}

// adminPeers lists the allowed peers with a remove button each and the add-peer form.
func (h *handler) adminPeers(w http.ResponseWriter, r *http.Request) error {
	return h.renderAdminPeers(w, r, http.StatusOK, &adminPeersPage{})
}

func (h *handler) renderAdminPeers(w http.ResponseWriter, r *http.Request, status int, p *adminPeersPage) error {
	list, err := h.social.Peers.List(r.Context(), viewer(r))
	if err != nil {
		return err
	}
	p.Title, p.Nav = "title.admin_peers", "admin"
	p.Peers, p.Trusts = list, []model.Trust{model.TrustSibling, model.TrustPartner}
	p.Self, _ = social.CanonicalOrigin(h.cfg.BaseURL)
	if p.Form.Trust == "" {
		p.Form.Trust = model.TrustSibling
	}
	h.render(w, r, status, "admin_peers", p)
	return nil
}

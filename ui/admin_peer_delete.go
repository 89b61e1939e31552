package ui

import (
	"net/http"
	"sort"

	"github.com/atrium-intranet/atrium/social"
)

// adminPeerDelete takes the node named by the form's origin off the allowlist; its
// pending deliveries are cancelled. The origin travels in the form, not the path,
// because it contains "://" and a port.
func (h *handler) adminPeerDelete(w http.ResponseWriter, r *http.Request) error {
	err := h.social.Peers.Remove(r.Context(), viewer(r), r.PostFormValue("origin"))
	if ve, ok := social.AsValidation(err); ok {
		p := &adminPeersPage{}
		for _, key := range ve.Fields {
			p.Alerts = append(p.Alerts, key)
		}
		sort.Strings(p.Alerts)
		return h.renderAdminPeers(w, r, http.StatusUnprocessableEntity, p)
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/peers?notice=peer_removed", http.StatusSeeOther)
	return nil
}

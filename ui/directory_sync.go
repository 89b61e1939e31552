package ui

import "net/http"

// directorySync asks for a read of the sibling nodes' directories now, for an admin who
// does not want to wait for the next scheduled one, and goes back to the peers page.
func (h *handler) directorySync(w http.ResponseWriter, r *http.Request) error {
	if err := h.social.People.SyncDirectory(r.Context(), viewer(r)); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/peers?notice=directory_sync_started", http.StatusSeeOther)
	return nil
}

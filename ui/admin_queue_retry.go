package ui

import (
	"net/http"
	"sort"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/gorilla/mux"
)

// adminQueueRetry makes a failed, cancelled or pending delivery due at once and wakes
// the delivery worker, then returns to the queue view the form came from.
func (h *handler) adminQueueRetry(w http.ResponseWriter, r *http.Request) error {
	status := model.DeliveryStatus(r.PostFormValue("status"))
	before := r.PostFormValue("before")
	err := h.social.Queue.Retry(r.Context(), viewer(r), mux.Vars(r)["id"])
	if ve, ok := social.AsValidation(err); ok {
		p := &adminQueuePage{Status: status, Before: before}
		for _, key := range ve.Fields {
			p.Alerts = append(p.Alerts, key)
		}
		sort.Strings(p.Alerts)
		return h.renderAdminQueue(w, r, http.StatusUnprocessableEntity, p)
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, queueURL(status, before, "delivery_retried"), http.StatusSeeOther)
	return nil
}

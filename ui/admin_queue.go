package ui

import (
	"net/http"
	"net/url"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// adminQueuePage is the data of the delivery queue page.
type adminQueuePage struct {
	Page
	Deliveries []*model.Delivery
	// Status is the filter ("" for all); Before the page's cursor. Row forms carry both
	// so an action returns to the same view.
	Status   model.DeliveryStatus
	Before   string
	Statuses []model.DeliveryStatus
	NextURL  string
	// Alerts are message keys of a refused retry.
	Alerts []string
}

// adminQueue lists deliveries newest first, optionally of one status, with a retry
// button on every row that was not delivered.
func (h *handler) adminQueue(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	return h.renderAdminQueue(w, r, http.StatusOK, &adminQueuePage{
		Status: model.DeliveryStatus(q.Get("status")), Before: q.Get("before"),
	})
}

func (h *handler) renderAdminQueue(w http.ResponseWriter, r *http.Request, status int, p *adminQueuePage) error {
	page, err := h.social.Queue.List(r.Context(), viewer(r), social.QueueQuery{Status: p.Status, Before: p.Before, Limit: 50})
	if err != nil {
		return err
	}
	p.Title, p.Nav = "title.admin_queue", "admin"
	p.Deliveries, p.Statuses = page.Deliveries, social.DeliveryStatuses
	if page.Next != "" {
		p.NextURL = queueURL(p.Status, page.Next, "")
	}
	h.render(w, r, status, "admin_queue", p)
	return nil
}

// queueURL is the queue page with a filter, cursor and notice, each left out when empty.
func queueURL(status model.DeliveryStatus, before, notice string) string {
	q := url.Values{}
	if status != "" {
		q.Set("status", string(status))
	}
	if before != "" {
		q.Set("before", before)
	}
	if notice != "" {
		q.Set("notice", notice)
	}
	if len(q) == 0 {
		return "/admin/queue"
	}
	return "/admin/queue?" + q.Encode()
}

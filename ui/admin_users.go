package ui

import (
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

// adminUsersPage is the data of the user administration page.
type adminUsersPage struct {
	Page
	Accounts []*model.Account
	// After is the page's cursor, carried by the row forms so an action returns here.
	After   string
	NextURL string
	Roles   []model.Role
	// Form is the create-user form; its password is never filled back.
	Form social.NewAccount
	// Created and Password report an account just created with a generated password,
	// shown this one time only.
	Created  *model.Account
	Password string
	// Alerts are message keys of refused row actions (last admin, self-deactivation).
	Alerts []string
	// Now tells ended guests apart (see GuestRow).
	Now time.Time
}

// adminUsers lists every account, deactivated ones included, with role and activation
// controls and the create-user form.
func (h *handler) adminUsers(w http.ResponseWriter, r *http.Request) error {
	return h.renderAdminUsers(w, r, http.StatusOK, &adminUsersPage{After: r.URL.Query().Get("after")})
}

func (h *handler) renderAdminUsers(w http.ResponseWriter, r *http.Request, status int, p *adminUsersPage) error {
	list, err := h.social.Accounts.List(r.Context(), viewer(r), social.AccountQuery{
		After: p.After, Limit: 50, IncludeDeactivated: true,
	})
	if err != nil {
		return err
	}
	p.Title, p.Nav, p.Now = "title.admin_users", "admin", h.social.Guests.Now()
	p.Accounts, p.Roles = list.Accounts, []model.Role{model.RoleAdmin, model.RoleMember, model.RoleGuest}
	if p.Form.Role == "" {
		p.Form.Role = model.RoleMember
	}
	if list.Next != "" {
		p.NextURL = "/admin/users?" + url.Values{"after": {list.Next}}.Encode()
	}
	h.render(w, r, status, "admin_users", p)
	return nil
}

// adminReturn is where a row action goes back to: the admin page it came from.
func adminReturn(r *http.Request, notice string) string {
	q := url.Values{"notice": {notice}}
	if after := r.PostFormValue("after"); after != "" {
		q.Set("after", after)
	}
	return "/admin/users?" + q.Encode()
}

// adminRefused shows the admin page again with a refused action's messages as alerts.
func (h *handler) adminRefused(w http.ResponseWriter, r *http.Request, ve *social.ValidationError) error {
	p := &adminUsersPage{After: r.PostFormValue("after")}
	for _, key := range ve.Fields {
		p.Alerts = append(p.Alerts, key)
	}
	sort.Strings(p.Alerts)
	return h.renderAdminUsers(w, r, http.StatusUnprocessableEntity, p)
}

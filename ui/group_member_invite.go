package ui

import (
	"errors"
	"net/http"
	"sort"
	"strings"

	"github.com/atrium-intranet/atrium/social"
)

// groupMemberInvite invites a person, named by username or @user@host:port, to a group.
// An unknown handle is an inline error on the invitation form.
func (h *handler) groupMemberInvite(w http.ResponseWriter, r *http.Request) error {
	gv, err := h.groupOf(r)
	if err != nil {
		return err
	}
	ctx, handle := r.Context(), strings.TrimSpace(r.PostFormValue("handle"))
	refuse := func(fields map[string]string) error {
		p := &groupMembersPage{Page: Page{Errors: fields}, G: gv, After: r.PostFormValue("after"), Handle: handle}
		return h.renderGroupMembers(w, r, http.StatusUnprocessableEntity, p)
	}
	if handle == "" {
		return refuse(map[string]string{"handle": "error.group.invite.empty"})
	}
	acct, err := h.social.Accounts.ByHandle(ctx, handle)
	if _, ok := social.AsValidation(err); ok || errors.Is(err, social.ErrNotFound) {
		return refuse(map[string]string{"handle": "error.group.invite.unknown"})
	} else if errors.Is(err, social.ErrRemoteUnavailable) {
		return refuse(map[string]string{"handle": "error.remote.unavailable"})
	} else if err != nil {
		return err
	}
	err = h.social.Groups.Invite(ctx, viewer(r), gv.Group.ID, acct.ID)
	if ve, ok := social.AsValidation(err); ok {
		// Whatever field social names, the message belongs to the invitation form.
		return refuse(map[string]string{"handle": firstMessage(ve)})
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, groupMembersReturn(r, gv.Group, "group_invited"), http.StatusSeeOther)
	return nil
}

// firstMessage is one message of a validation error, the same one each time.
func firstMessage(ve *social.ValidationError) string {
	fields := make([]string, 0, len(ve.Fields))
	for f := range ve.Fields {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	if len(fields) == 0 {
		return "error.page.invalid"
	}
	return ve.Fields[fields[0]]
}

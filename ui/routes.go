package ui

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"
)

// routes lists every page with its access rule: h.public (no login), h.member (any
// logged-in account) and h.admin. Reading this file tells who may call what.
func (h *handler) routes() http.Handler {
	r := mux.NewRouter()
	r.StrictSlash(false)

	r.HandleFunc("/static/{hash}/{file}", h.static).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/setup", h.public(h.setupShow)).Methods(http.MethodGet)
	r.Handle("/setup", h.public(h.setupSubmit)).Methods(http.MethodPost)
	r.Handle("/login", h.public(h.loginShow)).Methods(http.MethodGet)
	r.Handle("/login", h.public(h.loginSubmit)).Methods(http.MethodPost)
	r.Handle("/logout", h.member(h.logout)).Methods(http.MethodPost)
	// Invitation links sign guests up; the link is the authorization.
	r.Handle("/invite/{token}", h.public(h.inviteShow)).Methods(http.MethodGet)
	r.Handle("/invite/{token}", h.public(h.inviteAccept)).Methods(http.MethodPost)

	r.Handle("/", h.member(h.feedShow)).Methods(http.MethodGet)
	r.Handle("/posts", h.member(h.postCreate)).Methods(http.MethodPost)
	r.Handle("/posts/{id}", h.member(h.postShow)).Methods(http.MethodGet)
	r.Handle("/posts/{id}/edit", h.member(h.postEdit)).Methods(http.MethodGet)
	r.Handle("/posts/{id}/edit", h.member(h.postUpdate)).Methods(http.MethodPost)
	r.Handle("/posts/{id}/delete", h.member(h.postDelete)).Methods(http.MethodPost)
	r.Handle("/posts/{id}/history", h.member(h.postHistory)).Methods(http.MethodGet)
	r.Handle("/posts/{id}/react", h.member(h.postReact)).Methods(http.MethodPost)
	r.Handle("/tags", h.member(h.tagList)).Methods(http.MethodGet)
	r.Handle("/tags/{tag}", h.member(h.tagShow)).Methods(http.MethodGet)
	r.Handle("/tags/{tag}/follow", h.member(h.tagFollow)).Methods(http.MethodPost)
	r.Handle("/tags/{tag}/unfollow", h.member(h.tagUnfollow)).Methods(http.MethodPost)

	r.Handle("/users/{username}", h.member(h.profileShow)).Methods(http.MethodGet)
	r.Handle("/users/{username}/follow", h.member(h.followCreate)).Methods(http.MethodPost)
	r.Handle("/users/{username}/unfollow", h.member(h.followDelete)).Methods(http.MethodPost)
	r.Handle("/avatars/{file}", h.member(h.avatarShow)).Methods(http.MethodGet)
	r.Handle("/people", h.member(h.peopleList)).Methods(http.MethodGet)
	r.Handle("/org", h.member(h.orgChart)).Methods(http.MethodGet)
	// Guest invitations: social decides who may invite, list and revoke.
	r.Handle("/invitations", h.member(h.invitationList)).Methods(http.MethodGet)
	r.Handle("/invitations", h.member(h.invitationCreate)).Methods(http.MethodPost)
	r.Handle("/invitations/{id}/revoke", h.member(h.invitationRevoke)).Methods(http.MethodPost)
	r.Handle("/search", h.member(h.searchShow)).Methods(http.MethodGet)

	// Groups: social decides who may see, join, moderate or own a group; /groups/new
	// comes before /groups/{name}.
	r.Handle("/groups", h.member(h.groupList)).Methods(http.MethodGet)
	r.Handle("/groups", h.member(h.groupCreate)).Methods(http.MethodPost)
	r.Handle("/groups/new", h.member(h.groupNew)).Methods(http.MethodGet)
	r.Handle("/groups/refresh", h.member(h.groupRefresh)).Methods(http.MethodPost)
	r.Handle("/groups/{name}", h.member(h.groupShow)).Methods(http.MethodGet)
	r.Handle("/groups/{name}/join", h.member(h.groupJoin)).Methods(http.MethodPost)
	r.Handle("/groups/{name}/leave", h.member(h.groupLeave)).Methods(http.MethodPost)
	r.Handle("/groups/{name}/decline", h.member(h.groupDecline)).Methods(http.MethodPost)
	r.Handle("/groups/{name}/posts", h.member(h.groupPostCreate)).Methods(http.MethodPost)
	r.Handle("/groups/{name}/pins", h.member(h.groupPin)).Methods(http.MethodPost)
	r.Handle("/groups/{name}/members", h.member(h.groupMembers)).Methods(http.MethodGet)
	r.Handle("/groups/{name}/members", h.member(h.groupMemberInvite)).Methods(http.MethodPost)
	r.Handle("/groups/{name}/members/{id}/decide", h.member(h.groupMemberDecide)).Methods(http.MethodPost)
	r.Handle("/groups/{name}/members/{id}/role", h.member(h.groupMemberRole)).Methods(http.MethodPost)
	r.Handle("/groups/{name}/members/{id}/remove", h.member(h.groupMemberRemove)).Methods(http.MethodPost)
	r.Handle("/groups/{name}/settings", h.member(h.groupSettings)).Methods(http.MethodGet)
	r.Handle("/groups/{name}/settings", h.member(h.groupUpdate)).Methods(http.MethodPost)
	r.Handle("/groups/{name}/image", h.member(h.groupImage)).Methods(http.MethodPost)
	r.Handle("/groups/{name}/archive", h.member(h.groupArchive)).Methods(http.MethodPost)
	r.Handle("/groups/{name}/moderation", h.member(h.groupModeration)).Methods(http.MethodGet)
	r.Handle("/groups/{name}/moderation/{id}", h.member(h.groupModerate)).Methods(http.MethodPost)

	r.Handle("/settings/profile", h.member(h.profileEdit)).Methods(http.MethodGet)
	r.Handle("/settings/profile", h.member(h.profileUpdate)).Methods(http.MethodPost)
	r.Handle("/settings/avatar", h.member(h.avatarUpdate)).Methods(http.MethodPost)
	r.Handle("/settings/account", h.member(h.accountShow)).Methods(http.MethodGet)
	r.Handle("/settings/password", h.member(h.passwordUpdate)).Methods(http.MethodPost)
	r.Handle("/settings/tokens", h.member(h.tokensShow)).Methods(http.MethodGet)
	r.Handle("/settings/tokens", h.member(h.tokenCreate)).Methods(http.MethodPost)
	r.Handle("/settings/tokens/{id}/revoke", h.member(h.tokenRevoke)).Methods(http.MethodPost)

	r.Handle("/admin/users", h.admin(h.adminUsers)).Methods(http.MethodGet)
	r.Handle("/admin/users", h.admin(h.adminUserCreate)).Methods(http.MethodPost)
	r.Handle("/admin/users/{id}/role", h.admin(h.adminUserRole)).Methods(http.MethodPost)
	r.Handle("/admin/users/{id}/active", h.admin(h.adminUserActive)).Methods(http.MethodPost)
	r.Handle("/admin/users/{id}/guest/extend", h.admin(h.adminGuestExtend)).Methods(http.MethodPost)
	r.Handle("/admin/users/{id}/guest/revoke", h.admin(h.adminGuestRevoke)).Methods(http.MethodPost)
	r.Handle("/admin/peers", h.admin(h.adminPeers)).Methods(http.MethodGet)
	r.Handle("/admin/peers", h.admin(h.adminPeerCreate)).Methods(http.MethodPost)
	r.Handle("/admin/peers/delete", h.admin(h.adminPeerDelete)).Methods(http.MethodPost)
	r.Handle("/admin/directory/sync", h.admin(h.directorySync)).Methods(http.MethodPost)
	r.Handle("/admin/queue", h.admin(h.adminQueue)).Methods(http.MethodGet)
	r.Handle("/admin/queue/{id}/retry", h.admin(h.adminQueueRetry)).Methods(http.MethodPost)

	r.NotFoundHandler = h.public(func(http.ResponseWriter, *http.Request) error { return errNotFound })
	r.MethodNotAllowedHandler = h.public(func(http.ResponseWriter, *http.Request) error {
		return &httpError{http.StatusMethodNotAllowed, "error.page.method"}
	})

	// Cross-origin form posts are refused before any handler runs, on top of the tokens.
	cop := http.NewCrossOriginProtection()
	return h.headers(h.limitBody(cop.Handler(h.withSession(r))))
}

// public runs a page that needs no login.
func (h *handler) public(a action) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := a(w, r); err != nil {
			h.fail(w, r, err)
		}
	})
}

// member runs a page for logged-in accounts; state-changing requests must carry the
// session's CSRF token.
func (h *handler) member(a action) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := currentOf(r)
		if c == nil {
			loginRedirect(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := checkCSRF(r, c.sess.CSRFToken); err != nil {
				h.fail(w, r, err)
				return
			}
		}
		if err := a(w, r); err != nil {
			h.fail(w, r, err)
		}
	})
}

// admin runs a page for the node's admins only.
func (h *handler) admin(a action) http.Handler {
	return h.member(func(w http.ResponseWriter, r *http.Request) error {
		if !viewer(r).IsAdmin() {
			return errForbidden
		}
		return a(w, r)
	})
}

func (h *handler) static(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	h.assets.serve(w, r, v["hash"], v["file"])
}

// headers sets the security headers of every response: no framing, no inline scripts,
// nothing loaded from other origins.
func (h *handler) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; "+
			"script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// avatarUploadSlack is room for the multipart framing around an avatar upload.
const avatarUploadSlack = 64 << 10

// limitBody caps request bodies; avatar and group image uploads get the avatar limit
// instead.
func (h *handler) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := h.cfg.MaxBodyBytes
		if r.URL.Path == "/settings/avatar" || isGroupImagePath(r.URL.Path) {
			limit = h.cfg.MaxAvatarBytes + avatarUploadSlack
		}
		if limit <= 0 {
			limit = 1 << 20
		}
		if r.Body != nil && !strings.EqualFold(r.Method, http.MethodGet) {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

// isGroupImagePath reports whether path is a group image upload, /groups/{name}/image.
func isGroupImagePath(path string) bool {
	rest, ok := strings.CutPrefix(path, "/groups/")
	name, ok2 := strings.CutSuffix(rest, "/image")
	return ok && ok2 && name != "" && !strings.Contains(name, "/")
}
